"""Legal staff: the time-limit calculator (the arithmetic the decisions and `grantdesk time-limit` use), and
the queue of rectification requests."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from core.clock import helsinki_today
from core.i18n import N_
from models.grants.programme import Programme
from models.staff import Role
from models.time_limits import EARLIEST_SENT, LATEST_SENT, Channel, deemed_received_on, last_day_of
from web.deps import ProgrammesDep, SessionDep, require_roles
from web.scope import Scope, ScopeDep
from web.services.rectifications import legal_queue
from web.templating import render

router = APIRouter(
    prefix="/staff/legal", tags=["staff"], dependencies=[Depends(require_roles(Role.LEGAL))], include_in_schema=False
)


def _calculate(sent: str, channel: str, days: str, programme, errors: dict[str, str]) -> dict | None:
    """Deemed received (e-mail +3, letter +7) and the last day; each field that is wrong gets its reason."""
    try:
        sent_on = date.fromisoformat(sent)
        if not EARLIEST_SENT <= sent_on <= LATEST_SENT:
            raise ValueError
    except ValueError:
        errors["sent"] = N_("Enter the day it was sent, between 1.1.1990 and 31.12.2100.")
    if channel not in set(Channel):
        errors["channel"] = N_("Choose e-mail or letter.")
    limit = programme.appeal_days
    if days:
        limit = int(days) if days.isdigit() else 0
        if not 1 <= limit <= 365:
            errors["days"] = N_("The days of the time limit are a whole number from 1 to 365.")
    if errors:
        return None
    received = deemed_received_on(sent_on, Channel(channel), programme)
    return {"received": received, "last_day": last_day_of(received, limit), "days": limit}


def _default_programme(scope: Scope, programmes: dict[str, Programme]) -> Programme:
    """The programme legal staff most likely work on: one of their organisation's open now, else theirs."""
    own = list(scope.programmes) or list(programmes.values())
    now = datetime.now(UTC)
    return next((p for p in own if p.is_open(now)), own[0])


@router.get("", response_class=HTMLResponse)
def legal(
    request: Request,
    scope: ScopeDep,
    programmes: ProgrammesDep,
    session: SessionDep,
    sent: Annotated[str, Query(max_length=100)] = "",
    channel: Annotated[str, Query(max_length=100)] = "email",
    days: Annotated[str, Query(max_length=100)] = "",
    programme: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    errors: dict[str, str] = {}
    chosen = programmes.get(programme) or _default_programme(scope, programmes)
    if programme and programme not in programmes:
        errors["programme"] = N_("Choose a programme from the list.")
    # The form was sent (it always sends the day): a missing day is said, with whatever else is wrong.
    asked = "sent" in request.query_params
    result = _calculate(sent, channel, days.strip(), chosen, errors) if asked else None
    context = {
        "user": scope.user,
        "queue": legal_queue(session, scope.codes),
        "today": helsinki_today(),
        "programmes": list(programmes.values()),
        "values": {"sent": sent, "channel": channel, "days": days, "programme": chosen.code},
        "result": result,
        "errors": errors,
        "appeal_days": chosen.appeal_days,
    }
    return render(request, "staff/legal.html", context, status_code=422 if errors else 200)

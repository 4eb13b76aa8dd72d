"""Legal staff: the time-limit calculator (the arithmetic the decisions and `grantdesk time-limit` use), and
later the queue of rectification requests."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from models.staff import Role
from models.time_limits import Channel, deemed_received_on, last_day_of
from web.deps import ProgrammesDep, require_roles
from web.scope import ScopeDep
from web.templating import render

router = APIRouter(
    prefix="/staff/legal", tags=["staff"], dependencies=[Depends(require_roles(Role.LEGAL))], include_in_schema=False
)


@router.get("", response_class=HTMLResponse)
def legal(
    request: Request,
    scope: ScopeDep,
    programmes: ProgrammesDep,
    sent: Annotated[str, Query(max_length=10)] = "",
    channel: Annotated[str, Query(max_length=10)] = "email",
    days: Annotated[str, Query(max_length=3)] = "",
    programme: Annotated[str, Query(max_length=80)] = "",
) -> HTMLResponse:
    """Deemed received (e-mail +3, letter +7) and the last day (+14, or +30 for the administrative court)."""
    chosen = programmes.get(programme) or (scope.programmes[0] if scope.programmes else next(iter(programmes.values())))
    values = {"sent": sent, "channel": channel, "days": days, "programme": chosen.code}
    result, error = None, None
    if sent:
        try:
            sent_on = date.fromisoformat(sent)
            limit = int(days) if days else chosen.appeal_days
            if channel not in set(Channel) or not 1 <= limit <= 365:
                raise ValueError
        except ValueError:
            error = "Enter the day it was sent, e-mail or letter, and the days of the time limit (1–365)."
        else:
            received = deemed_received_on(sent_on, Channel(channel), chosen)
            result = {"received": received, "last_day": last_day_of(received, limit), "days": limit}
    context = {
        "user": scope.user,
        "programmes": list(programmes.values()),
        "values": values,
        "result": result,
        "error": error,
        "appeal_days": chosen.appeal_days,
    }
    return render(request, "staff/legal.html", context, status_code=422 if error else 200)

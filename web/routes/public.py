"""The public front door: programmes, the application form, the applicant's private status page."""

import uuid

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from core.status_links import application_id_from_token, status_token
from models.application_form import ApplicationForm
from models.programme import Programme
from web.csrf import require_csrf
from web.deps import ProgrammeDep, SessionDep, SettingsDep
from web.form_errors import field_errors, friendly_message
from web.forms import flat_values, nested
from web.i18n import gettext_for, negotiate_language
from web.services.applications import application_view
from web.services.intake import IdempotencyConflict, ProgrammeNotOpen, submit_application
from web.templating import render

router = APIRouter(tags=["public"])

DEFAULT_VALUES = {
    "aid.tax_debt": "no",
    "aid.tax_payment_plan": "no",
    "aid.other_corona_aid": "no",
    "aid.de_minimis_eur_3y": "0",
    "business.employees": "0",
    "business.laid_off_employees": "0",
    "business.other_working_owners": "0",
    "business.in_difficulty_before_crisis": "no",
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The programmes, open ones first."""
    now = request.app.state.clock()
    programmes: list[Programme] = sorted(
        request.app.state.programmes.values(), key=lambda p: (not p.is_open(now), p.closes_at), reverse=False
    )
    return render(request, "public/index.html", {"programmes": programmes, "now": now})


def _form_page(
    request: Request, programme: Programme, values: dict[str, str], errors: dict[str, str], key: str, status: int
) -> HTMLResponse:
    now = request.app.state.clock()
    return render(
        request,
        "public/apply.html",
        {
            "programme": programme,
            "values": values,
            "errors": errors,
            "idempotency_key": key,
            "is_open": programme.is_open(now),
            "not_yet_open": now < programme.opens_at,
        },
        status_code=status,
    )


@router.get("/apply/{programme}", response_class=HTMLResponse)
def application_form(request: Request, programme: ProgrammeDep) -> HTMLResponse:
    values = {**DEFAULT_VALUES, "applicant.language": negotiate_language(request)}
    return _form_page(request, programme, values, {}, uuid.uuid4().hex, 200)


@router.post("/apply/{programme}", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def submit_form(
    request: Request, programme: ProgrammeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    form = await request.form()
    values = flat_values(form)
    key = str(form.get("idempotency_key") or uuid.uuid4().hex)[:200]
    translate = gettext_for(negotiate_language(request)).gettext
    try:
        application = ApplicationForm.model_validate(nested(values))
    except ValidationError as exc:
        errors = {e.field: translate(friendly_message(e)) for e in field_errors(exc.errors())}
        return _form_page(request, programme, values, errors, key, 422)
    try:
        receipt = await run_in_threadpool(
            submit_application,
            session,
            programme=programme,
            form=application,
            submitted_at=request.app.state.clock(),
            secret=settings.secret_key,
            idempotency_key=f"form:{key}",
        )
    except (ProgrammeNotOpen, IdempotencyConflict):
        # A changed form re-sent with an old token, or a programme not open yet: show the form again.
        errors = {"form": translate("The application could not be accepted. Check the form and send it again.")}
        return _form_page(request, programme, values, errors, uuid.uuid4().hex, 409)
    request.app.state.relay.wake()
    token = status_token(receipt.application_id, settings.secret_key)
    return RedirectResponse(f"/status/{token}?received=1", status_code=303)


@router.get("/status/{token}", response_class=HTMLResponse)
def status_page(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    application_id = application_id_from_token(token, settings.secret_key)
    view = application_view(session, application_id) if application_id else None
    if view is None:
        raise HTTPException(status_code=404)
    programme = request.app.state.programmes.get(view.application.programme_code)
    return render(
        request,
        "public/status.html",
        {
            "view": view,
            "programme": programme,
            "received": request.query_params.get("received") == "1",
            "status_url": f"{settings.public_base_url}/status/{token}",
        },
    )

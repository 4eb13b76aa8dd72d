"""The network's front door for everything but grants: "Get help for your business", the e-mail confirmation, and
the customer's private page where they follow the request, answer the adviser and give feedback."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from core.i18n import N_
from core.settings import Settings
from models.service_requests.catalogue import (
    GROUP_NAMES,
    PACKAGE_NAMES,
    STAGE_NAMES,
    WORDS,
)
from models.service_requests.form import ServiceRequestForm
from models.service_requests.links import CONFIRM_SALT, STATUS_SALT, request_id_from_token, request_token
from models.service_requests.payloads import CustomerReplyInput, FeedbackInput, RequestRef
from models.service_requests.requests import Feedback, RequestStatus, ServiceRequest
from models.types import utcnow
from web.applicants import ApplicantDep
from web.csrf import require_csrf, require_csrf_token
from web.deps import GatewayDep, NowDep, RelayDep, SessionDep, SettingsDep
from web.form_errors import field_errors, friendly_message
from web.form_session import draft_key
from web.i18n import formatting_gettext, gettext_for, negotiate_language
from web.services.intake import IdempotencyConflict
from web.services.processing import ActionRefused
from web.services.service_requests.actions import act
from web.services.service_requests.intake import submit_service_request
from web.services.service_requests.views import request_view
from web.templating import render
from workflows.service_requests.service_request import ServiceRequestWorkflow

router = APIRouter(tags=["public"], include_in_schema=False)
DRAFT = "service-request"  # the form's idempotency key is kept in the session under this name
FORM_FIELDS = (
    "package", "stage", "customer_group", "description", "name", "email", "phone", "business_id", "business_name",
    "language", "share_consent",
)  # fmt: skip


def _form_page(
    request: Request, values: dict[str, str], errors: dict[str, str], key: str, applicant: object, status: int = 200
) -> HTMLResponse:
    translate = formatting_gettext(negotiate_language(request))
    options = {
        field: [(value, translate(text)) for value, text in names.items()]
        for field, names in (("package", PACKAGE_NAMES), ("stage", STAGE_NAMES), ("customer_group", GROUP_NAMES))
    }
    context = {"values": values, "errors": errors, "idempotency_key": key, "applicant": applicant, "options": options}
    return render(request, "public/help/form.html", context, status_code=status)


@router.get("/help", response_class=HTMLResponse)
def help_form(request: Request, applicant: ApplicantDep) -> HTMLResponse:
    values = {"language": negotiate_language(request)}
    if applicant is not None:
        values["name"] = applicant.name
    return _form_page(request, values, {}, draft_key(request, DRAFT), applicant)


@router.post("/help", response_class=HTMLResponse, dependencies=[Depends(require_csrf_token)])
async def send_request(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    relay: RelayDep,
    applicant: ApplicantDep,
) -> Response:
    form = await request.form()
    values = {name: str(form.get(name) or "") for name in FORM_FIELDS}
    key = str(form.get("idempotency_key") or draft_key(request, DRAFT))[:200]
    if applicant is not None:
        values["name"] = applicant.name  # the identified name, whatever was sent
    translate = gettext_for(negotiate_language(request)).gettext
    data: dict[str, object] = {k: v.strip() for k, v in values.items() if v.strip() and k != "share_consent"}
    data["share_consent"] = values["share_consent"] == "yes"
    try:
        parsed = ServiceRequestForm.model_validate(data)
    except ValidationError as exc:
        errors = {e.field: translate(friendly_message(e)) for e in field_errors(exc.errors())}
        return _form_page(request, values, errors, key, applicant, 422)
    try:
        receipt = await run_in_threadpool(
            submit_service_request,
            session,
            form=parsed,
            received_at=now,
            secret=settings.secret_key,
            channel="form",
            identified=applicant,
            idempotency_key=key,
        )
    except IdempotencyConflict:
        errors = {"form": translate("You already sent this request. Changes cannot be sent with the same form.")}
        return _form_page(request, values, errors, key, applicant, 409)
    relay.wake()
    draft_key(request, DRAFT, new=True)  # the next request from this browser is a new one
    if receipt.confirmed:
        token = request_token(receipt.request_id, settings.secret_key)
        return RedirectResponse(f"/help/requests/{token}?received=1", status_code=303)
    return render(request, "public/help/sent.html", {"reference": receipt.reference, "email": parsed.email})


def _request_of(token: str, session: SessionDep, secret: str, salt: str = STATUS_SALT) -> ServiceRequest:
    request_id = request_id_from_token(token, secret, salt=salt)
    found = session.get(ServiceRequest, request_id) if request_id is not None else None
    if found is None:
        raise HTTPException(status_code=404)
    return found


@router.get("/help/confirm/{token}", response_class=HTMLResponse)
async def confirm(
    request: Request, token: str, session: SessionDep, settings: SettingsDep, gateway: GatewayDep
) -> Response:
    """The link in the confirmation e-mail: the address is the customer's; the request goes on to be routed."""
    found = _request_of(token, session, settings.secret_key, CONFIRM_SALT)
    try:
        await act(gateway, found.workflow_id, ServiceRequestWorkflow.confirm, RequestRef(request_id=found.id or 0))
    except ActionRefused as refused:
        return _status_page(request, found, session, settings, error=str(refused), status_code=409)
    status_token = request_token(found.id or 0, settings.secret_key)
    return RedirectResponse(f"/help/requests/{status_token}?confirmed=1", status_code=303)


def _workflow_waits(session: SessionDep, found: ServiceRequest, feedback_days: int) -> bool:
    """Whether the request's workflow still takes the customer's messages: confirmed, and not closed for good
    (feedback given, or the feedback days over)."""
    if found.status in (RequestStatus.UNCONFIRMED, RequestStatus.EXPIRED):
        return False
    if found.status != RequestStatus.CLOSED:
        return True
    # The workflow's own clock decides; the record's closing time (written by it) tells the page.
    over = found.closed_at is not None and utcnow() > found.closed_at + timedelta(days=feedback_days)
    return not over and session.get(Feedback, found.id) is None


def _status_page(
    request: Request,
    found: ServiceRequest,
    session: SessionDep,
    settings: Settings,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session.expire_all()
    translate = formatting_gettext(negotiate_language(request))
    context = {
        "view": request_view(session, found),
        "error": translate(error) if error else None,
        "values": values or {},
        "reply_key": uuid.uuid4().hex,
        "received": request.query_params.get("received") == "1",
        "confirmed": request.query_params.get("confirmed") == "1",
        "thanks": request.query_params.get("thanks") == "1",
        "can_write": _workflow_waits(session, found, settings.service_feedback_days),
        "request_path": f"/help/requests/{request_token(found.id or 0, settings.secret_key)}",
        **WORDS,
    }
    return render(request, "public/help/status.html", context, status_code=status_code)


@router.get("/help/requests/{token}", response_class=HTMLResponse)
def status_page(request: Request, token: str, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    return _status_page(request, _request_of(token, session, settings.secret_key), session, settings)


@router.post("/help/requests/{token}/reply", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def customer_reply(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    gateway: GatewayDep,
    body: Annotated[str, Form(max_length=8000)] = "",
    key: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    found = _request_of(token, session, settings.secret_key)
    answer = CustomerReplyInput(body=body, key=key or uuid.uuid4().hex)
    try:
        await act(gateway, found.workflow_id, ServiceRequestWorkflow.customer_reply, answer)
    except ActionRefused as refused:
        return _status_page(
            request, found, session, settings, error=str(refused), values={"body": body}, status_code=409
        )
    request.session["flash"] = "message_sent"
    return RedirectResponse(f"/help/requests/{token}?sent=1#conversation", status_code=303)


@router.post("/help/requests/{token}/feedback", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def feedback(
    request: Request,
    token: str,
    session: SessionDep,
    settings: SettingsDep,
    gateway: GatewayDep,
    rating: Annotated[str, Form(max_length=1)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    found = _request_of(token, session, settings.secret_key)
    values = {"rating": rating, "comment": comment}
    if rating not in ("1", "2", "3", "4", "5"):
        error = N_("Choose a rating from 1 to 5.")
        return _status_page(request, found, session, settings, error=error, values=values, status_code=422)
    given = FeedbackInput(rating=int(rating), comment=comment.strip() or None)
    try:
        await act(gateway, found.workflow_id, ServiceRequestWorkflow.give_feedback, given)
    except ActionRefused as refused:
        return _status_page(request, found, session, settings, error=str(refused), values=values, status_code=409)
    return RedirectResponse(f"/help/requests/{token}?thanks=1#feedback", status_code=303)

"""The staff workplace for service requests: the organisation's queue, one request whole, and the actions on it
(accept, reply, book a meeting, refer, close), each sent to the request's workflow."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from core.i18n import N_
from core.temporal import TemporalGateway
from models.grants.programme import HELSINKI
from models.service_requests.catalogue import WORDS
from models.service_requests.payloads import AcceptInput, CloseInput, MeetingInput, ReferInput, ReplyInput
from models.service_requests.requests import ClosingOutcome, RequestStatus, ServiceRequest
from models.staff import Organisation, Role
from web.csrf import require_csrf
from web.deps import GatewayDep, SessionDep, SettingsDep, require_roles
from web.i18n import formatting_gettext, negotiate_language
from web.scope import SERVICE_ROLES, Scope, ScopeDep, ScopedServiceRequest
from web.services.processing import ActionRefused, actor_of
from web.services.service_requests.actions import act
from web.services.service_requests.views import (
    network_organisations,
    network_overdue,
    organisation_queue,
    organisation_requests,
    request_view,
)
from web.templating import render
from workflows.service_requests.service_request import ServiceRequestWorkflow

router = APIRouter(
    prefix="/staff/service-requests",
    tags=["staff"],
    include_in_schema=False,
    dependencies=[Depends(require_roles(*SERVICE_ROLES))],
)
CSRF = [Depends(require_csrf)]


@router.get("", response_class=HTMLResponse)
def queue(
    request: Request, scope: ScopeDep, session: SessionDep, settings: SettingsDep, status: str = ""
) -> HTMLResponse:
    """The organisation's open service tasks, and every request that is or was with it."""
    chosen = status if status in set(RequestStatus) else ""
    return render(
        request,
        "staff/service_requests/queue.html",
        {
            "queue": organisation_queue(session, scope),
            "requests": organisation_requests(session, scope, status=chosen or None),
            "status": chosen,
            "statuses": list(RequestStatus),
            "coordinates_network": scope.user.has_any(Role.COORDINATOR)
            and scope.user.organisation_code == settings.service_network_organisation,
            **WORDS,
        },
    )


def request_page(
    request: Request,
    found: ServiceRequest,
    scope: Scope,
    session: Session,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = request_view(session, found)
    return render(
        request,
        "staff/service_requests/request.html",
        {
            "view": view,
            "user": scope.user,
            "holds": found.assignee_id == scope.user.id and view.task is not None,
            "with_us": found.organisation_code == scope.user.organisation_code,
            "organisations": [o for o in network_organisations(session) if o.code != found.organisation_code],
            "outcomes": list(ClosingOutcome),
            "error": error,
            "values": values or {},
            **WORDS,
        },
        status_code=status_code,
    )


@router.get("/overdue", response_class=HTMLResponse, dependencies=[Depends(require_roles(Role.COORDINATOR))])
def overdue(request: Request, scope: ScopeDep, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    """The network's coordinators: every organisation's overdue first responses, without personal data."""
    if scope.user.organisation_code != settings.service_network_organisation:
        raise HTTPException(status_code=404)
    return render(request, "staff/service_requests/overdue.html", {"rows": network_overdue(session), **WORDS})


@router.get("/{request_id}", response_class=HTMLResponse)
def show(request: Request, found: ScopedServiceRequest, scope: ScopeDep, session: SessionDep) -> HTMLResponse:
    return request_page(request, found, scope, session)


async def _send(
    request: Request,
    found: ServiceRequest,
    scope: Scope,
    session: Session,
    gateway: TemporalGateway,
    update: Any,
    argument: Any,
    values: dict[str, str],
) -> Response:
    try:
        await act(gateway, found.workflow_id, update, argument)
    except ActionRefused as refused:
        session.expire_all()  # the workflow's activities may have written since the request was loaded
        return await _refused(request, found, scope, session, str(refused), values, 409)
    request.session["flash"] = "done"
    return RedirectResponse(f"/staff/service-requests/{found.id}", status_code=303)


async def _refused(
    request: Request,
    found: ServiceRequest,
    scope: Scope,
    session: Session,
    reason: str,
    values: dict[str, str],
    status: int,
) -> HTMLResponse:
    """The request's page again, with the reason in the reader's language and what they typed kept."""
    message = formatting_gettext(negotiate_language(request))(reason)
    return await run_in_threadpool(
        request_page, request, found, scope, session, error=message, values=values, status_code=status
    )


@router.post("/{request_id}/accept", dependencies=CSRF)
async def accept(
    request: Request,
    found: ScopedServiceRequest,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    task_key: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    argument = AcceptInput(task_key=task_key, actor=actor_of(scope.user))
    return await _send(request, found, scope, session, gateway, ServiceRequestWorkflow.accept, argument, {})


@router.post("/{request_id}/reply", dependencies=CSRF)
async def reply(
    request: Request,
    found: ScopedServiceRequest,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    body: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    argument = ReplyInput(actor=actor_of(scope.user), body=body)
    values = {"body": body}
    return await _send(request, found, scope, session, gateway, ServiceRequestWorkflow.reply, argument, values)


@router.post("/{request_id}/meeting", dependencies=CSRF)
async def book_meeting(
    request: Request,
    found: ScopedServiceRequest,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    starts: Annotated[str, Form(max_length=20)] = "",
    minutes: Annotated[str, Form(max_length=4)] = "60",
    place: Annotated[str, Form(max_length=300)] = "",
    video_url: Annotated[str, Form(max_length=500)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"starts": starts, "minutes": minutes, "place": place, "video_url": video_url, "note": note}
    try:
        # The form's local time is Helsinki time, whatever the server's zone.
        starts_at = datetime.fromisoformat(starts).replace(tzinfo=HELSINKI)
        length = int(minutes)
    except ValueError:
        return await _refused(
            request, found, scope, session, N_("Enter the meeting's date, time and length."), values, 422
        )
    argument = MeetingInput(
        actor=actor_of(scope.user),
        starts_at=starts_at,
        minutes=length,
        place=place.strip() or None,
        video_url=video_url.strip() or None,
        note=note.strip() or None,
    )
    return await _send(request, found, scope, session, gateway, ServiceRequestWorkflow.book_meeting, argument, values)


@router.post("/{request_id}/refer", dependencies=CSRF)
async def refer(
    request: Request,
    found: ScopedServiceRequest,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    organisation: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"organisation": organisation, "reason": reason}
    if session.get(Organisation, organisation) is None:
        return await _refused(
            request, found, scope, session, N_("Choose the organisation to refer the request to."), values, 422
        )
    argument = ReferInput(actor=actor_of(scope.user), organisation_code=organisation, reason=reason)
    return await _send(request, found, scope, session, gateway, ServiceRequestWorkflow.refer, argument, values)


@router.post("/{request_id}/close", dependencies=CSRF)
async def close(
    request: Request,
    found: ScopedServiceRequest,
    scope: ScopeDep,
    session: SessionDep,
    gateway: GatewayDep,
    outcome: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"outcome": outcome, "note": note}
    if outcome not in set(ClosingOutcome):
        return await _refused(request, found, scope, session, N_("Choose the outcome."), values, 422)
    argument = CloseInput(actor=actor_of(scope.user), outcome=ClosingOutcome(outcome), note=note.strip() or None)
    return await _send(request, found, scope, session, gateway, ServiceRequestWorkflow.close, argument, values)

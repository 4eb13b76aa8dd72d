"""JSON API for service requests: customers send them (the same rules as the form); staff read their
organisation's, through the same scope as the pages."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from models.identification import IdentifiedPerson
from models.service_requests.form import ServiceRequestForm
from models.service_requests.links import request_token
from models.service_requests.requests import RequestStatus, ServiceRequest
from web.applicants import SenderDep
from web.deps import NowDep, RelayDep, SessionDep, SettingsDep, require_roles
from web.exact_json import ExactJSONRoute
from web.routes.api import ErrorBody
from web.scope import SERVICE_ROLES, ScopeDep, ScopedServiceRequest
from web.services.intake import IdempotencyConflict
from web.services.service_requests.intake import submit_service_request
from web.services.service_requests.views import organisation_requests, request_view

router = APIRouter(prefix="/api/v1", tags=["service requests"], route_class=ExactJSONRoute)


class ServiceReceiptOut(BaseModel):
    reference: str
    # Only for a signed-in customer (a bearer token): anyone else confirms by the link e-mailed to them first.
    status_url: str | None
    confirmation: str  # "signed_in" or "email_sent"


class RouteOut(BaseModel):
    organisation: str
    via: str
    at: str
    reason: str | None


class ServiceRequestOut(BaseModel):
    id: int
    reference: str
    status: str
    organisation: str | None
    package: str
    stage: str
    customer_group: str
    received_at: str
    name: str
    email: str
    description: str
    share_consent: bool
    outcome: str | None
    chain: list[RouteOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "The body is larger than 64 KiB"},
    422: {"model": ErrorBody, "description": "Bad input: each field in error with the reason"},
    429: {"model": ErrorBody, "description": "Too many posts from this client; see Retry-After"},
}


@router.post("/service-requests", status_code=201, response_model=ServiceReceiptOut, responses=ERRORS)
async def create_service_request(
    response: Response,
    form: ServiceRequestForm,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    relay: RelayDep,
    sender: SenderDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ServiceReceiptOut:
    """Send a request for help. With a bearer token (GET /api/v1/token after signing in) it is confirmed by the
    sign-in and its status link is returned; without, a confirmation link goes to the e-mail address given."""
    identified = sender if isinstance(sender, IdentifiedPerson) else None
    try:
        receipt = await run_in_threadpool(
            submit_service_request,
            session,
            form=form,
            received_at=now,
            secret=settings.secret_key,
            channel="api",
            identified=identified,
            idempotency_key=idempotency_key,
        )
    except IdempotencyConflict:
        detail = [{"field": "Idempotency-Key", "message": "this key was already used for a different request",
                   "type": "conflict"}]  # fmt: skip
        raise HTTPException(status_code=422, detail=detail) from None
    relay.wake()
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    token = request_token(receipt.request_id, settings.secret_key)
    return ServiceReceiptOut(
        reference=receipt.reference,
        status_url=f"{settings.public_base_url}/help/requests/{token}" if receipt.confirmed else None,
        confirmation="signed_in" if receipt.confirmed else "email_sent",
    )


STAFF = [Depends(require_roles(*SERVICE_ROLES))]
STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Not signed in as staff (the staff session cookie)"},
    403: {"model": ErrorBody, "description": "Not a handler or coordinator"},
}


@router.get(
    "/staff/service-requests",
    response_model=list[ServiceRequestOut],
    dependencies=STAFF,
    responses={**STAFF_ERRORS, 422: ERRORS[422]},
)
def staff_service_requests(
    scope: ScopeDep, session: SessionDep, status: RequestStatus | None = None
) -> list[ServiceRequestOut]:
    """The requests that are or were with the signed-in staff member's organisation (session cookie)."""
    return [_out(session, found) for found in organisation_requests(session, scope, status=status)]


@router.get(
    "/staff/service-requests/{request_id}",
    response_model=ServiceRequestOut,
    dependencies=STAFF,
    responses={**STAFF_ERRORS, 404: {"model": ErrorBody, "description": "No such request in the organisation's"}},
)
def staff_service_request(found: ScopedServiceRequest, session: SessionDep) -> ServiceRequestOut:
    """One request of the organisation's; another organisation's answers 404, as a missing one does."""
    return _out(session, found)


def _out(session: SessionDep, found: ServiceRequest) -> ServiceRequestOut:
    view = request_view(session, found)
    return ServiceRequestOut(
        id=found.id,
        reference=found.reference or "",
        status=found.status,
        organisation=found.organisation_code,
        package=found.package,
        stage=found.stage,
        customer_group=found.customer_group,
        received_at=found.received_at.isoformat(),
        name=found.name,
        email=found.email,
        description=found.description,
        share_consent=found.share_consent,
        outcome=found.outcome,
        chain=[
            RouteOut(
                organisation=link.route.organisation_code,
                via=link.route.via,
                at=link.route.at.isoformat(),
                reason=link.route.reason,
            )
            for link in view.chain
        ],
    )

"""JSON API for applications (the same rules and receipt as the web form)."""

from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from models.grants.application_form import NewApplication
from models.grants.status_links import application_id_from_token, status_token
from models.identification import IdentifiedPerson, SessionKind
from web.applicants import ApplicantDep, Sender, SenderDep, TrustedClient
from web.deps import MandatesDep, NowDep, ProgrammeDep, RegisterDep, RelayDep, SessionDep, SettingsDep
from web.exact_json import ExactJSONRoute
from web.form_errors import FieldError
from web.services.acting import ActingRefused, check_right_to_apply
from web.services.applications import application_view
from web.services.identification import open_session
from web.services.intake import IdempotencyConflict, ProgrammeNotOpen, submit_application

router = APIRouter(prefix="/api/v1", tags=["applications"], route_class=ExactJSONRoute)


class ErrorBody(BaseModel):
    """Every error the API answers: which field (empty when none) and why, as words and as a type."""

    detail: list[FieldError]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        401: "The programme requires identification: a bearer token or a trusted integration's credential",
        403: "The application is not in the name of the person the bearer token identifies, or that person may "
        "not apply for the business (not a sole trader's owner; no right to act for a company)",
        404: "No such programme, or the status link is not valid",
        409: "The programme is not open for applications yet",
        413: "The body is larger than 64 KiB",
        422: "Bad input: each field in error with the reason",
        429: "Too many posts from this client; see Retry-After",
        503: "The right to act for the business could not be checked just now: try again shortly",
    }
    return {status: {"model": ErrorBody, "description": descriptions[status]} for status in statuses}


class ReceiptOut(BaseModel):
    reference: str
    status_url: str


class StatusOut(BaseModel):
    reference: str
    programme: str
    status: str
    submitted_at: str
    timeline: list[dict[str, str]]
    assessment: dict[str, object] | None


def _api_error(status: int, field: str, message: str, kind: str = "conflict") -> HTTPException:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return HTTPException(
        status_code=status, detail=[{"field": field, "message": message, "type": kind}], headers=headers
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the scheme, not a secret)
    expires_in: int  # seconds


@router.get("/token", response_model=TokenOut, responses=_errors(401))
def api_token(session: SessionDep, settings: SettingsDep, applicant: ApplicantDep) -> TokenOut:
    """A bearer token for the signed-in person (sign in at /sign-in?next=/api/v1/token), for the API."""
    if applicant is None:
        raise _api_error(401, "Authorization", "sign in first: /sign-in?next=/api/v1/token", "unauthorized")
    token = open_session(session, applicant, kind=SessionKind.API, minutes=settings.api_token_minutes)
    return TokenOut(access_token=token, expires_in=settings.api_token_minutes * 60)


def _as_sent_by(form: NewApplication, sender: Sender | None) -> NewApplication:
    """The application as the programme's identification rule lets it in: in the name of the person the
    bearer token identifies, or as a trusted integration sent it."""
    if sender is None:
        raise _api_error(
            401,
            "Authorization",
            "this programme requires identification: a bearer token (GET /api/v1/token after signing in) "
            "or a trusted integration's credential",
            "unauthorized",
        )
    if isinstance(sender, TrustedClient):
        return form
    if form.applicant.personal_id != sender.personal_id:
        raise _api_error(
            403, "applicant.personal_id", "the application must be in the name of the person who signed in", "forbidden"
        )
    return form.model_copy(update={"applicant": form.applicant.model_copy(update={"name": sender.name})})


@router.post(
    "/programmes/{programme}/applications",
    status_code=201,
    response_model=ReceiptOut,
    responses={
        **_errors(401, 403, 404, 409, 413, 422, 429, 503),
        201: {"headers": {"Idempotent-Replayed": {"description": "true when an earlier receipt is returned"}}},
    },
)
async def create_application(
    request: Request,
    response: Response,
    programme: ProgrammeDep,
    form: NewApplication,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    relay: RelayDep,
    sender: SenderDep,
    register: RegisterDep,
    mandates: MandatesDep,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> ReceiptOut:
    """Accept an application; with the same Idempotency-Key a repeat returns the first receipt. A programme
    that requires identification takes it from a signed-in person's bearer token, or from a trusted
    integration (HTTP Basic with its name and secret)."""
    identified = None
    if programme.identification == "required":
        form = _as_sent_by(form, sender)
        identified = sender if isinstance(sender, IdentifiedPerson) else None
    acting_right = None
    if identified is not None:
        try:
            acting_right = await run_in_threadpool(check_right_to_apply, identified, form, register, mandates)
        except ActingRefused as refused:
            status, kind = (503, "unavailable") if refused.retry_later else (403, "forbidden")
            raise _api_error(status, refused.field, refused.reason, kind) from None
    try:
        receipt = await run_in_threadpool(
            submit_application,
            session,
            programme=programme,
            form=form,
            submitted_at=now,
            secret=settings.secret_key,
            idempotency_key=idempotency_key,
            identified=identified,
            api_client=sender.name if isinstance(sender, TrustedClient) else None,
            acting_right=acting_right,
        )
    except ProgrammeNotOpen:
        raise _api_error(409, "programme", "the programme is not open for applications yet") from None
    except IdempotencyConflict:
        raise _api_error(422, "Idempotency-Key", "this key was already used for a different application") from None
    relay.wake()
    if receipt.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    token = status_token(receipt.application_id, settings.secret_key)
    return ReceiptOut(reference=receipt.reference, status_url=f"{settings.public_base_url}/status/{token}")


@router.get("/status/{token}", response_model=StatusOut, responses=_errors(404, 422))
def application_status(token: str, session: SessionDep, settings: SettingsDep) -> StatusOut:
    """The applicant's view of their application, behind the private link's token."""
    application_id = application_id_from_token(token, settings.secret_key)
    view = application_view(session, application_id) if application_id else None
    if view is None:
        raise HTTPException(status_code=404, detail="not found")
    a = view.application
    return StatusOut(
        reference=a.reference or "",
        programme=a.programme_code,
        status=a.status,
        submitted_at=a.submitted_at.isoformat(),
        timeline=[{"kind": e.kind, "at": e.at.isoformat()} for e in view.timeline],
        assessment=None
        if view.assessment is None
        else {
            "eligible": view.assessment.eligible,
            "reasons": view.assessment.reasons,
            "turnover_drop": view.assessment.turnover_drop,
            "rules_version": view.assessment.rules_version,
        },
    )

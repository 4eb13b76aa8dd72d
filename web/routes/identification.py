"""Applicants sign in through the identification service, and find their own applications afterwards."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.saml import ACS_PATH, METADATA_PATH, sp_metadata
from models.audit import audit
from models.identification import SessionKind, SignInRequest
from models.service_requests.catalogue import WORDS
from web.applicants import APPLICANT_TOKEN_KEY, ApplicantDep
from web.csrf import require_csrf
from web.deps import SessionDep, SettingsDep
from web.services.identification import (
    SignInFailed,
    end_session,
    finish_sign_in,
    open_session,
    safe_next,
    start_sign_in,
)
from web.services.my_applications import applications_of, service_requests_of
from web.templating import render

router = APIRouter(tags=["identification"], include_in_schema=False)


@router.get("/sign-in")
def sign_in(
    session: SessionDep, settings: SettingsDep, next_path: Annotated[str, Query(alias="next", max_length=500)] = "/"
) -> Response:
    """To the identification service with our signed request; it sends the person back to `next`."""
    location = start_sign_in(session, settings, safe_next(next_path))
    return RedirectResponse(location, status_code=303)


@router.post(ACS_PATH, response_class=HTMLResponse)
def assertion_consumer(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    saml_response: Annotated[str, Form(alias="SAMLResponse", max_length=200_000)] = "",
    relay_state: Annotated[str, Form(alias="RelayState", max_length=200)] = "",
) -> Response:
    """The identification service's answer (a cross-site POST: its own signature is the proof, not a CSRF
    token); a new sign-in replaces any earlier one in this browser."""
    try:
        person, next_path = finish_sign_in(session, settings, saml_response, relay_state)
    except SignInFailed as failed:
        # Where the person was going, to start again from there.
        pending = session.get(SignInRequest, relay_state[:100]) if relay_state else None
        again = "/sign-in?" + urlencode({"next": safe_next(pending.next_path if pending else None, "/my-applications")})
        return render(request, "public/sign_in_failed.html", {"reason": failed.reason, "again": again}, status_code=400)
    end_session(session, request.session.get(APPLICANT_TOKEN_KEY))
    token = open_session(session, person, kind=SessionKind.BROWSER, minutes=settings.applicant_session_minutes)
    audit(
        session,
        action="applicant_signed_in",
        application_id=None,
        assurance=str(person.assurance),
        authn_context=person.authn_context,
        authenticated_at=person.authenticated_at.isoformat(),
        provider=person.provider,
    )
    session.commit()
    request.session[APPLICANT_TOKEN_KEY] = token
    return RedirectResponse(next_path, status_code=303)


@router.post("/sign-out", dependencies=[Depends(require_csrf)])
def sign_out(request: Request, session: SessionDep) -> Response:
    end_session(session, request.session.pop(APPLICANT_TOKEN_KEY, None))
    return RedirectResponse("/?signed_out=1", status_code=303)


@router.get(METADATA_PATH)
def service_provider_metadata(settings: SettingsDep) -> Response:
    """Our metadata, for registering the service with the identification service."""
    return Response(sp_metadata(settings), media_type="application/samlmetadata+xml")


@router.get("/my-applications", response_class=HTMLResponse)
def my_applications(request: Request, applicant: ApplicantDep, session: SessionDep, settings: SettingsDep) -> Response:
    """The signed-in person's grant applications and service requests, newest first, each with its private page."""
    if applicant is None:
        return RedirectResponse("/sign-in?next=/my-applications", status_code=303)
    rows = applications_of(session, applicant.personal_id, settings.secret_key)
    requests = service_requests_of(session, applicant.personal_id, settings.secret_key)
    context = {"applicant": applicant, "rows": rows, "requests": requests, **WORDS}
    return render(request, "public/my_applications.html", context)

"""Applicants sign in through the national identification service (SAML 2.0, pysaml2; core/saml.py).

The request we send is remembered by its id (`SignInRequest`); the service's answer must be to one of ours,
unanswered and recent, so an answer cannot be replayed or slipped in. The answer's attributes name the person,
its authentication context how strongly: applying needs substantial or high. A signed-in person is a row
(`ApplicantSession`) found by the digest of a random token the browser's session holds; the API's bearer
token is another such row.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.response import AuthnResponse, StatusError
from saml2.xmldsig import SIG_RSA_SHA256
from sqlalchemy import update
from sqlmodel import Session, col, select
from stdnum.fi import hetu

from core.i18n import N_
from core.saml import identification_service_entity_id, saml_client
from core.settings import Settings
from core.tokens import token_digest
from models.identification import (
    ApplicantSession,
    IdentifiedPerson,
    SessionKind,
    SignInRequest,
    assurance_of,
)
from models.types import utcnow

# An answer must come within this time of our request: the person is at the service meanwhile.
REQUEST_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class SignInFailed(Exception):
    """Why a sign-in did not succeed, as a msgid the page words."""

    reason: str


def safe_next(path: str | None, default: str = "/") -> str:
    """Only a path on this site: never another site's address (an open redirect)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return default
    parts = urlsplit(path)
    return default if parts.scheme or parts.netloc else path


def start_sign_in(session: Session, settings: Settings, next_path: str) -> str:
    """The address of the identification service with our signed request; the request is remembered, and its
    id travels as the RelayState, so the answer finds it again without relying on a cookie (the answer is a
    cross-site POST, which a SameSite=Lax cookie does not accompany)."""
    client = saml_client(settings)
    destination = client.sso_location(identification_service_entity_id(settings), BINDING_HTTP_REDIRECT)
    request_id, request = client.create_authn_request(destination, binding=BINDING_HTTP_POST)
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(request), destination, relay_state=request_id, sign=True, sigalg=SIG_RSA_SHA256
    )
    session.add(SignInRequest(id=request_id, next_path=safe_next(next_path)))
    session.commit()
    return str(dict(info["headers"])["Location"])


def finish_sign_in(
    session: Session, settings: Settings, saml_response: str, relay_state: str
) -> tuple[IdentifiedPerson, str]:
    """The person the service's answer names, and where they were going; SignInFailed says why not."""
    pending = session.get(SignInRequest, relay_state[:100]) if relay_state else None
    if pending is None or pending.answered_at is not None:
        raise SignInFailed(N_("This sign-in is not valid any more. Start the sign-in again."))
    if utcnow() - pending.created_at.replace(tzinfo=pending.created_at.tzinfo or UTC) > REQUEST_LIFETIME:
        raise SignInFailed(N_("The sign-in took too long. Start it again."))
    try:
        answer: AuthnResponse = saml_client(settings).parse_authn_request_response(
            saml_response, BINDING_HTTP_POST, outstanding={pending.id: pending.next_path}
        )
    except StatusError:  # a signed answer that says the person cancelled, or was not identified
        _answer(session, pending.id)
        raise SignInFailed(N_("The identification was cancelled or did not succeed. You can start it again.")) from None
    except Exception:  # pysaml2 raises many kinds; every one means the answer is not valid
        raise SignInFailed(
            N_("The identification service's answer could not be verified. Start the sign-in again.")
        ) from None
    if answer is None or answer.in_response_to != pending.id:
        raise SignInFailed(N_("This sign-in is not valid any more. Start the sign-in again."))
    if not _answer(session, pending.id):  # one answer per request, even when two arrive at once
        raise SignInFailed(N_("This sign-in is not valid any more. Start the sign-in again."))
    return _person(answer), pending.next_path


def _answer(session: Session, request_id: str) -> bool:
    """Marks the request answered; False if it was already."""
    claimed = session.exec(
        update(SignInRequest)
        .where(col(SignInRequest.id) == request_id, col(SignInRequest.answered_at).is_(None))
        .values(answered_at=utcnow())
    )
    session.commit()
    return bool(claimed.rowcount == 1)


def _person(answer: AuthnResponse) -> IdentifiedPerson:
    attributes = answer.ava
    code = (attributes.get("nationalIdentificationNumber") or [""])[0].strip().upper()
    if not code or not hetu.is_valid(code, allow_temporary=True):
        raise SignInFailed(N_("The identification service did not give a Finnish personal identity code."))
    # The calling name and surname, as letters address a person ("Maija Meikäläinen"); cn is "Meikäläinen
    # Maija Annikki", the register's order.
    name = (attributes.get("displayName") or attributes.get("cn") or [""])[0].strip()
    [(context, _authorities, instant)] = answer.authn_info()[:1] or [("", [], "")]
    assurance = assurance_of(context)
    if not assurance.enough_to_apply:
        raise SignInFailed(
            N_(
                "You were identified too weakly to apply. Sign in with online banking codes, a mobile "
                "certificate or a certificate card."
            )
        )
    authenticated_at = datetime.fromisoformat(instant.replace("Z", "+00:00")) if instant else utcnow()
    return IdentifiedPerson(
        personal_id=code,
        name=name,
        assurance=assurance,
        authn_context=context,
        authenticated_at=authenticated_at,
        provider=str(answer.issuer()),
    )


def open_session(session: Session, person: IdentifiedPerson, *, kind: SessionKind, minutes: int) -> str:
    """A new sign-in for the person; the token to hold (only its digest is kept)."""
    token = secrets.token_urlsafe(32)
    session.add(
        ApplicantSession(
            token_digest=token_digest(token),
            kind=kind,
            personal_id=person.personal_id,
            name=person.name,
            assurance=person.assurance,
            authn_context=person.authn_context,
            authenticated_at=person.authenticated_at,
            provider=person.provider,
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    session.commit()
    return token


def signed_in(session: Session, token: str | None, kind: SessionKind) -> IdentifiedPerson | None:
    """The person the token stands for, while it lasts and has not been signed out."""
    if not token or len(token) > 100:
        return None
    row = session.exec(
        select(ApplicantSession).where(
            ApplicantSession.token_digest == token_digest(token),
            ApplicantSession.kind == kind,
            col(ApplicantSession.ended_at).is_(None),
        )
    ).first()
    if row is None or row.expires_at.replace(tzinfo=row.expires_at.tzinfo or UTC) <= utcnow():
        return None
    return row.person


def end_session(session: Session, token: str | None) -> None:
    if not token:
        return
    session.exec(
        update(ApplicantSession)
        .where(col(ApplicantSession.token_digest) == token_digest(token), col(ApplicantSession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )
    session.commit()

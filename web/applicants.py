"""Who is applying, for the pages and the API: one place reads it.

On the pages, a person signed in through the identification service (the browser's session holds a token).
On the API, either the same sign-in as a bearer token (`GET /api/v1/token` gives one), or a trusted
integration's client credential (HTTP Basic, name and secret; the name is recorded with each application).
"""

import base64
import binascii
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from core.tokens import token_digest
from models.identification import IdentifiedPerson, SessionKind
from web.deps import SessionDep, SettingsDep
from web.services.identification import signed_in

APPLICANT_TOKEN_KEY = "applicant_token"  # noqa: S105 (the session key it is kept under)


def current_applicant(request: Request, session: SessionDep) -> IdentifiedPerson | None:
    return signed_in(session, request.session.get(APPLICANT_TOKEN_KEY), SessionKind.BROWSER)


ApplicantDep = Annotated[IdentifiedPerson | None, Depends(current_applicant)]


@dataclass(frozen=True)
class TrustedClient:
    """An integration trusted to have identified the applicants it sends (settings API_CLIENTS)."""

    name: str


Sender = IdentifiedPerson | TrustedClient


def api_sender(request: Request, session: SessionDep, settings: SettingsDep) -> Sender | None:
    """Who sends an API request: the bearer token's person, the client credential's integration, or nobody."""
    scheme, _, credential = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return signed_in(session, credential.strip(), SessionKind.API)
    if scheme.lower() == "basic":
        return _trusted_client(credential.strip(), settings.api_client_digests)
    return None


def _trusted_client(credential: str, clients: dict[str, str]) -> TrustedClient | None:
    try:
        name, _, secret = base64.b64decode(credential, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    expected = clients.get(name)
    given = token_digest(secret)
    return TrustedClient(name) if expected and hmac.compare_digest(expected, given) else None


SenderDep = Annotated[Sender | None, Depends(api_sender)]

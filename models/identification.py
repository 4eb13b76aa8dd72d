"""Who an applicant is, as the national identification service told us (Suomi.fi e-Identification).

A person signs in through the identification service (SAML 2.0); its answer names them (personal identity
code and name), how strongly they were identified (the level of assurance) and when. The sign-in is kept
here, never in the cookie: the browser holds only a random token whose digest finds it. The same kind of
row, with a shorter life, backs a bearer token for the JSON API.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Assurance(StrEnum):
    """eIDAS levels of assurance. Applying needs substantial or high (bank IDs are substantial)."""

    LOW = "low"
    SUBSTANTIAL = "substantial"
    HIGH = "high"

    @property
    def enough_to_apply(self) -> bool:
        return self in (Assurance.SUBSTANTIAL, Assurance.HIGH)


# The authentication context classes Suomi.fi names (its own, and eIDAS's for foreign identification).
AUTHN_CONTEXTS = {
    "http://ftn.ficora.fi/2017/loa2": Assurance.SUBSTANTIAL,
    "http://ftn.ficora.fi/2017/loa3": Assurance.HIGH,
    "http://eidas.europa.eu/LoA/substantial": Assurance.SUBSTANTIAL,
    "http://eidas.europa.eu/LoA/high": Assurance.HIGH,
    "http://eidas.europa.eu/LoA/low": Assurance.LOW,
}


def assurance_of(authn_context: str) -> Assurance:
    """Anything the service names that we do not know counts as low: never more than it says."""
    return AUTHN_CONTEXTS.get(authn_context, Assurance.LOW)


@dataclass(frozen=True)
class IdentifiedPerson:
    personal_id: str
    name: str
    assurance: Assurance
    authn_context: str  # as the service named it
    authenticated_at: datetime
    provider: str  # the identification service's entity id


class SignInRequest(SQLModel, table=True):
    """An authentication request sent to the identification service and not yet answered. Its id comes back
    in the answer (InResponseTo): an answer to no request of ours, or to one answered already, is refused."""

    __tablename__ = "sign_in_request"

    id: str = Field(primary_key=True, max_length=100)  # the AuthnRequest's ID
    next_path: str = Field(max_length=500)  # where the person goes once signed in
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SessionKind(StrEnum):
    BROWSER = "browser"  # the pages: the cookie holds the token
    API = "api"  # a bearer token for the JSON API, issued to a signed-in person


class ApplicantSession(SQLModel, table=True):
    """A signed-in person: found by the digest of the token the browser (or an API client) holds."""

    __tablename__ = "applicant_session"

    id: int | None = Field(default=None, primary_key=True)
    token_digest: str = Field(unique=True, max_length=64)
    kind: str = Field(default=SessionKind.BROWSER, max_length=10)
    personal_id: str = Field(max_length=11)
    name: str = Field(max_length=200)
    assurance: str = Field(max_length=20)  # an Assurance
    authn_context: str = Field(max_length=200)
    authenticated_at: datetime = Field(sa_type=UTCDateTime)
    provider: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # signed out

    @property
    def person(self) -> IdentifiedPerson:
        return IdentifiedPerson(
            personal_id=self.personal_id,
            name=self.name,
            assurance=Assurance(self.assurance),
            authn_context=self.authn_context,
            authenticated_at=self.authenticated_at,
            provider=self.provider,
        )

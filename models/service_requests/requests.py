"""Service requests and what happens to them: the record and the read model the pages list from.

Temporal's `ServiceRequestWorkflow` is the truth of where a request is; these rows are written by its
activities (keyed, so a retried activity writes nothing twice) and read by the pages.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


def service_request_workflow_id(request_id: int) -> str:
    return f"service-request-{request_id}"


class RequestStatus(StrEnum):
    UNCONFIRMED = "unconfirmed"  # waiting for the customer to confirm their e-mail address
    EXPIRED = "expired"  # never confirmed: nobody saw it, nothing was done
    NEW = "new"  # routed; waiting for someone of the organisation to accept it
    ACCEPTED = "accepted"  # a person has it
    ANSWERED = "answered"  # replied to or met; waiting for the customer
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self in (RequestStatus.NEW, RequestStatus.ACCEPTED, RequestStatus.ANSWERED)


class ClosingOutcome(StrEnum):
    ADVISED = "advised"  # the customer got the advice or service they needed
    SERVICE_STARTED = "service_started"  # a longer service (training, recruitment) began
    NO_RESPONSE = "no_response"  # the customer did not answer
    NOT_OUR_SERVICE = "not_our_service"  # nothing the network offers; the customer was told where to go
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"  # the customer no longer needs help


class RouteVia(StrEnum):
    ROUTING = "routing"  # the routing rules' first organisation (covered by the form's privacy notice)
    TRIAGE = "triage"  # no rule matched: the network's front desk
    REFERRAL = "referral"  # an organisation referred it on, with the customer's consent


class ServiceRequest(SQLModel, table=True):
    __tablename__ = "service_request"

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, unique=True, index=True, max_length=40)
    status: str = Field(default=RequestStatus.UNCONFIRMED, index=True, max_length=20)
    received_at: datetime = Field(sa_type=UTCDateTime)
    language: str = Field(max_length=2)
    name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    business_id: str | None = Field(default=None, max_length=9)
    business_name: str | None = Field(default=None, max_length=200)
    package: str = Field(max_length=30)
    stage: str = Field(max_length=20)
    customer_group: str = Field(max_length=20)
    description: str = Field(sa_column=Column(Text, nullable=False))
    share_consent: bool = False
    # A signed-in customer's requests are found by the HMAC of their personal identity code, as applications are.
    person_digest: str | None = Field(default=None, index=True, max_length=64)
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    idempotency_key: str | None = Field(default=None, unique=True, max_length=200)
    form_digest: str = Field(max_length=64)
    # Where it is now: the organisation serving it, who accepted it, and the first response's due date.
    organisation_code: str | None = Field(default=None, index=True, max_length=10)
    assignee_id: int | None = Field(default=None, foreign_key="staff_user.id")
    first_response_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalation: str | None = Field(default=None, max_length=20)  # reminded | organisation | network
    outcome: str | None = Field(default=None, max_length=30)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def workflow_id(self) -> str:
        return service_request_workflow_id(self.id or 0)


class ServiceRoute(SQLModel, table=True):
    """One organisation the request was routed or referred to: the chain every organisation in it sees, and
    what decides who sees the request at all (web/scope.py)."""

    __tablename__ = "service_route"
    __table_args__ = (UniqueConstraint("request_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="service_request.id", index=True)
    position: int  # 1 for the first organisation, then one more per referral
    organisation_code: str = Field(foreign_key="organisation.code", index=True, max_length=10)
    via: str = Field(max_length=20)  # a RouteVia
    reason: str | None = Field(default=None, max_length=2000)  # why it was referred
    referred_by: int | None = Field(default=None, foreign_key="staff_user.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MessageDirection(StrEnum):
    TO_CUSTOMER = "to_customer"
    FROM_CUSTOMER = "from_customer"


class ServiceMessage(SQLModel, table=True):
    """The conversation with the customer: staff replies (sent by e-mail) and the customer's answers."""

    __tablename__ = "service_message"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=160)
    request_id: int = Field(foreign_key="service_request.id", index=True)
    direction: str = Field(max_length=20)  # a MessageDirection
    author_id: int | None = Field(default=None, foreign_key="staff_user.id")
    organisation_code: str | None = Field(default=None, max_length=10)
    body: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Meeting(SQLModel, table=True):
    """A meeting booked with the customer, sent to them as an iCalendar invitation."""

    __tablename__ = "service_meeting"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=160)
    request_id: int = Field(foreign_key="service_request.id", index=True)
    organisation_code: str = Field(max_length=10)
    booked_by: int = Field(foreign_key="staff_user.id")
    starts_at: datetime = Field(sa_type=UTCDateTime)
    minutes: int
    place: str | None = Field(default=None, max_length=300)
    video_url: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=2000)
    booked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Feedback(SQLModel, table=True):
    """The customer's rating of a closed request: once per request (the primary key)."""

    __tablename__ = "service_feedback"

    request_id: int = Field(foreign_key="service_request.id", primary_key=True)
    rating: int  # 1-5
    comment: str | None = Field(default=None, max_length=2000)
    organisation_code: str | None = Field(default=None, max_length=10)  # the organisation that closed it
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

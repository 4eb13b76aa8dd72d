"""Rectification requests (oikaisuvaatimus) and their rulings.

Anyone entitled may ask for a decision to be rectified: the party (from the status page, or by post or
e-mail, registered by staff) and any member of the municipality (Local Government Act 137 §). A request
that arrives after its time limit is still recorded, marked late, for legal staff to dismiss: it is never
refused at the door. The body the programme names rules on it (the City Board, say): dismissed (late or
inadmissible), rejected (the decision stands) or amended (the decision is changed). The ruling is a decision
of its own (`Decision.kind = ruling`), served like every decision, with an appeal to the administrative court.
"""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class Requester(StrEnum):
    PARTY = "party"  # the applicant, whom the decision is about
    MEMBER = "member"  # a member of the municipality, counted from the decision's publication


class ArrivedBy(StrEnum):
    ONLINE = "online"  # from the applicant's status page
    POST = "post"
    EMAIL = "email"
    IN_PERSON = "in_person"  # at the registry


class RequestStage(StrEnum):
    RECEIVED = "received"  # in the legal queue
    RULED = "ruled"  # the body has ruled; the ruling is being served
    SERVED = "served"  # the ruling reached the requester


class Ruling(StrEnum):
    DISMISS = "dismiss"  # not examined: late, or not a request the requester may make
    REJECT = "reject"  # examined: the decision stands
    AMEND = "amend"  # examined: the decision is changed


class RectificationRequest(SQLModel, table=True):
    __tablename__ = "rectification_request"
    __table_args__ = (UniqueConstraint("application_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    decision_id: int = Field(foreign_key="decision.id", index=True)  # the decision asked to be rectified
    programme_code: str = Field(index=True, max_length=80)
    seq: int  # per application, in order of arrival
    # Idempotency: the form's one-time key (a double submit records one request), or the staff entry's.
    key: str = Field(unique=True, max_length=120)
    requester: str = Field(max_length=10)  # a Requester
    # Whom the ruling is served to, and how: the applicant's own details for the party; a member's as given.
    requester_name: str = Field(max_length=200)
    requester_email: str | None = Field(default=None, max_length=320)
    email_consent: bool = False  # the ruling may be served by e-mail (Administrative Procedure Act 19 §)
    requester_address: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    language: str = Field(default="fi", max_length=2)  # of the ruling letter
    arrived_by: str = Field(max_length=10)  # an ArrivedBy
    received_on: date  # Helsinki date it arrived: the time limit is judged on it
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    demand: str = Field(max_length=8000)  # what should change and why
    # The requester's last day as it stood when the request arrived (None: the decision was not served yet,
    # so no time limit runs; never late).
    last_day: date | None = None
    late: bool = False
    registered_by: int | None = Field(default=None, foreign_key="staff_user.id")  # None: sent online
    stage: str = Field(default=RequestStage.RECEIVED, index=True, max_length=10)
    workflow_id: str = Field(max_length=160)
    ruling: str | None = Field(default=None, max_length=10)  # a Ruling
    ruling_decision_id: int | None = Field(default=None, foreign_key="decision.id", unique=True)


def is_late(received_on: date, last_day: date | None) -> bool:
    """Late when it arrived after its last day (no last day yet: the decision was not served, no time runs)."""
    return last_day is not None and received_on > last_day

"""Grant applications and what happens to them: the record and the read model the pages list from."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

from models.subjects import AboutSubject, SubjectType
from models.types import UTCDateTime, utcnow


def grant_workflow_id(application_id: int) -> str:
    """The workflow is named after the application: starting it twice finds the first one."""
    return f"grant-{application_id}"


class Stage(StrEnum):
    """Where an application is: the workflow's stage and, once written, `Application.status` (one vocabulary)."""

    RECEIVED = "received"
    ASSESSED = "assessed"  # checked automatically, in the handlers' queue
    WAITING_FOR_APPLICANT = "waiting_for_applicant"
    IN_DECISION = "in_decision"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    # Only the read model says it (the payment's workflow ends there); the grant workflow's stage stays approved.
    PAID = "paid"

    @property
    def is_decided(self) -> bool:
        return self in (Stage.APPROVED, Stage.REJECTED)

    @property
    def is_final(self) -> bool:
        """No staff or applicant action changes it any more (serving, payment and appeals follow)."""
        return self.is_decided or self == Stage.WITHDRAWN


class Application(SQLModel, table=True):
    # The queue's header counts a programme's applications by stage.
    __table_args__ = (Index("ix_application_programme_status", "programme_code", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str | None = Field(default=None, unique=True, index=True, max_length=40)
    programme_code: str = Field(index=True, max_length=80)
    status: str = Field(default=Stage.RECEIVED, max_length=30)  # a Stage
    submitted_at: datetime = Field(sa_type=UTCDateTime)
    language: str = Field(max_length=2)
    applicant_name: str = Field(max_length=200)
    email: str = Field(max_length=320)
    business_id: str | None = Field(default=None, max_length=9)
    business_name: str = Field(max_length=200)
    # HMAC of the personal identity code: finds one person's applications without an index on the code itself.
    person_digest: str = Field(index=True, max_length=64)
    form: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    idempotency_key: str | None = Field(default=None, unique=True, max_length=200)
    form_digest: str = Field(max_length=64)
    # How the applicant was known: identified by the national service (how strongly, when, by which), or
    # sent by a trusted integration that identified them itself (its name). Neither: a programme that
    # asks for no identification, or an application from before identification was required.
    identified_assurance: str | None = Field(default=None, max_length=20)
    identified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    identification_provider: str | None = Field(default=None, max_length=300)
    api_client: str | None = Field(default=None, max_length=80)
    # On what right the identified person applied for the business (models/mandates.py:ActingRight); None
    # for a light entrepreneur, a trusted integration's applicant or an application from before.
    acting_right: str | None = Field(default=None, max_length=20)

    @property
    def workflow_id(self) -> str:
        return grant_workflow_id(self.id or 0)


class AssessmentRecord(SQLModel, table=True):
    """One run of the eligibility rules, stored with everything needed to reproduce it."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("application_id", "round"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    round: int = 1
    eligible: bool
    reasons: list[str] = Field(sa_column=Column(JSON, nullable=False))
    turnover_drop: str | None = Field(default=None, max_length=20)
    rules_version: str = Field(max_length=80)
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    inputs: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    assessed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class TimelineEvent(AboutSubject, table=True):
    """What the applicant sees happen; `key` makes a retried activity write each event once."""

    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    key: str = Field(max_length=80)
    kind: str = Field(max_length=40)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def add_timeline_event(session: Session, application_id: int, key: str, kind: str | None = None) -> None:
    """Inserts the event once; a second call with the same key is a no-op."""
    exists = session.exec(
        select(TimelineEvent).where(
            TimelineEvent.subject_type == SubjectType.GRANT_APPLICATION,
            TimelineEvent.subject_id == application_id,
            TimelineEvent.key == key,
        )
    ).first()
    if exists is None:
        session.add(
            TimelineEvent(
                subject_type=SubjectType.GRANT_APPLICATION,
                subject_id=application_id,
                application_id=application_id,
                key=key,
                kind=kind or key,
            )
        )

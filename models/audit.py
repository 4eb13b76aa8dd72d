"""Who did what, for which organisation, when, about which subject (an application, later a service request)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, Session, SQLModel

from models.subjects import SubjectType
from models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    __table_args__ = (Index("ix_auditevent_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")  # None: the applicant or the system
    organisation_code: str | None = Field(default=None, max_length=10)
    action: str = Field(max_length=40)
    # What it is about; None for events about no case (a sign-in, say).
    subject_type: str | None = Field(default=None, max_length=30)
    subject_id: int | None = None
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    # Set by activities so a retried activity does not write the same event twice.
    key: str | None = Field(default=None, unique=True, max_length=160)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def audit(
    session: Session,
    *,
    action: str,
    application_id: int | None,
    actor_id: int | None = None,
    organisation_code: str | None = None,
    key: str | None = None,
    **detail: Any,
) -> None:
    """Adds the event to the caller's transaction, so it is written with the change it describes."""
    _add(
        session,
        action=action,
        subject_type=SubjectType.GRANT_APPLICATION if application_id is not None else None,
        subject_id=application_id,
        application_id=application_id,
        actor_id=actor_id,
        organisation_code=organisation_code,
        key=key,
        detail=detail,
    )


def audit_subject(
    session: Session,
    *,
    action: str,
    subject_type: SubjectType,
    subject_id: int,
    actor_id: int | None = None,
    organisation_code: str | None = None,
    key: str | None = None,
    **detail: Any,
) -> None:
    """An event about something other than an application (a staff account, a service request), in the caller's
    transaction; `key` makes a retried activity's event one event."""
    _add(
        session,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        application_id=None,
        actor_id=actor_id,
        organisation_code=organisation_code,
        key=key,
        detail=detail,
    )


def _add(
    session: Session,
    *,
    action: str,
    subject_type: SubjectType | None,
    subject_id: int | None,
    application_id: int | None,
    actor_id: int | None,
    organisation_code: str | None,
    key: str | None,
    detail: dict[str, Any],
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor_id,
            organisation_code=organisation_code,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            application_id=application_id,
            key=key,
            detail=detail,
        )
    )

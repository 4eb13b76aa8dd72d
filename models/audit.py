"""Who did what, for which organisation, when, on which application."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel

from models.types import UTCDateTime, utcnow


class AuditEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")  # None: the applicant or the system
    organisation_code: str | None = Field(default=None, max_length=10)
    action: str = Field(max_length=40)
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
    session.add(
        AuditEvent(
            actor_id=actor_id,
            organisation_code=organisation_code,
            action=action,
            application_id=application_id,
            key=key,
            detail=detail,
        )
    )

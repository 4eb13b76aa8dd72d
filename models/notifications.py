"""E-mails sent to applicants and customers: one row per message key, so a retried send is recognised."""

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Column, Index, Text
from sqlmodel import Field

from models.subjects import AboutSubject, SubjectType
from models.types import UTCDateTime


class EmailLog(AboutSubject, table=True):
    __table_args__ = (Index("ix_emaillog_subject", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=160)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    message_id: str = Field(max_length=300)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Only for mail queued by the web app (`web/services/outgoing_mail.py`): the text waits here for the
    # worker and is erased once sent, so a one-time link in it does not outlive its delivery.
    body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    @classmethod
    def about_application(
        cls, *, key: str, application_id: int, to_address: str, subject: str, message_id: str
    ) -> "EmailLog":
        """The log row of a message to a grant applicant (the subject line cut to the column)."""
        return cls(
            key=key,
            subject_type=SubjectType.GRANT_APPLICATION,
            subject_id=application_id,
            application_id=application_id,
            to_address=to_address,
            subject=subject[:300],
            message_id=message_id,
        )


class QueuedEmailRef(BaseModel):
    """The e-mail a `SendEmailWorkflow` sends: its `EmailLog` key."""

    key: str

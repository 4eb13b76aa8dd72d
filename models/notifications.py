"""E-mails sent to applicants: one row per message key, so a retried send is recognised."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class EmailLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=160)
    application_id: int = Field(foreign_key="application.id", index=True)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    message_id: str = Field(max_length=300)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

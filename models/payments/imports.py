"""A bank report as it arrived (uploaded on the finance page or given to `grantdesk payments import`)."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class ImportStatus(StrEnum):
    RECEIVED = "received"  # stored; the worker applies it
    APPLIED = "applied"  # every line matched or was listed as not matching


class BankReportImport(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # The same file given twice is the same import: nothing is applied twice.
    sha256: str = Field(unique=True, max_length=64)
    kind: str = Field(max_length=20)  # pain.002 or camt.054
    message_id: str = Field(default="", max_length=35)
    filename: str = Field(max_length=200)
    document_id: int = Field(foreign_key="document.id")
    status: str = Field(default=ImportStatus.RECEIVED, max_length=20)
    # What applying it did: counts, lines that matched nothing, and the signals owed to payment workflows
    # (kept, so a retried activity tells the same workflows and no others).
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    imported_by: int | None = Field(default=None, foreign_key="staff_user.id")  # None: the command line
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    applied_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

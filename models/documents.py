"""The document archive: every document stored once and never changed, found by its SHA-256."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow


class DocumentKind(StrEnum):
    DECISION_LETTER = "decision_letter"
    PRINT_BATCH = "print_batch"  # the day's letters joined for the post room, one programme per batch
    PAYMENT_FILE = "payment_file"  # a payment batch's pain.001 file, as approved and released to the bank
    BANK_REPORT = "bank_report"  # a pain.002 or camt.054 file from the bank, as it arrived


class Document(SQLModel, table=True):
    # One letter per decision and dispatch day: a letter re-sent on another day states other dates.
    __table_args__ = (UniqueConstraint("decision_id", "kind", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)  # a DocumentKind
    version: str = Field(default="", max_length=40)
    # Whose organisations may open it (web/scope.py); every document belongs to exactly one programme.
    programme_code: str | None = Field(default=None, index=True, max_length=80)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    decision_id: int | None = Field(default=None, foreign_key="decision.id", index=True)
    language: str = Field(max_length=2)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64, index=True)
    storage_key: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

"""The transactional outbox: work promised in the same transaction as the record it is about."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime, utcnow

START_GRANT_WORKFLOW = "start_grant_workflow"
START_PRINT_BATCH = "start_print_batch"
SEND_EMAIL = "send_email"
START_PAYMENT_RUN = "start_payment_run"
START_BANK_REPORT = "start_bank_report"
START_RECOVERY = "start_recovery"
START_RECTIFICATION = "start_rectification"
START_SERVICE_REQUEST = "start_service_request"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    topic: str = Field(max_length=40)
    # The workflow id: starting it twice is harmless, and the key says which one this row promised.
    key: str = Field(unique=True, max_length=120)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
    dispatched_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)

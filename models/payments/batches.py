"""Credit-transfer batches: the unpaid payments of one programme in one ISO 20022 file, approved by two."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import Money, UTCDateTime, utcnow


class PaymentBatchStatus(StrEnum):
    PREPARING = "preparing"  # payments claimed; the file is being written and validated
    AWAITING_APPROVAL = "awaiting_approval"  # the file is valid; two different finance users approve it
    RELEASED = "released"  # delivered to the bank; never written again
    CANCELLED = "cancelled"  # refused by finance: its payments wait for the next batch
    EMPTY = "empty"  # nothing was waiting (another batch took the payments first)


class PaymentBatch(SQLModel, table=True):
    # A retried run opens the same batch again, never a second one.
    __table_args__ = (UniqueConstraint("run_id", "programme_code"),)

    id: int | None = Field(default=None, primary_key=True)
    programme_code: str = Field(index=True, max_length=80)
    run_id: str = Field(max_length=160)  # the payment run (schedule, finance page or command line)
    # Saved with the row, before the file is made: the file carries these and no other ids.
    msg_id: str = Field(default="", max_length=35)
    execution_date: date
    schema_version: str = Field(max_length=20)  # pain.001.001.09 or .03
    status: str = Field(default=PaymentBatchStatus.PREPARING, index=True, max_length=20)
    payments: int = 0
    total: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    sha256: str | None = Field(default=None, max_length=64)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")  # None: the daily schedule
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_reason: str | None = Field(default=None, max_length=500)


class InstructionStatus(StrEnum):
    PENDING = "pending"  # in the file; no word from the bank yet
    PAID = "paid"
    REJECTED = "rejected"


class PaymentInstruction(SQLModel, table=True):
    """One credit transfer as the batch's file states it: the file is made from these, so it never changes."""

    __table_args__ = (UniqueConstraint("batch_id", "payment_id"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="paymentbatch.id", index=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    end_to_end_id: str = Field(index=True, max_length=35)
    creditor_name: str = Field(max_length=140)
    iban: str = Field(max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    amount: Decimal = Field(sa_type=Money)
    remittance: str = Field(max_length=140)
    status: str = Field(default=InstructionStatus.PENDING, max_length=20)
    reason: str | None = Field(default=None, max_length=300)  # the bank's reason code and text
    reported_on: date | None = None


class BatchApproval(SQLModel, table=True):
    """Four eyes: the same person approving twice is refused by the key."""

    __table_args__ = (UniqueConstraint("batch_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="paymentbatch.id", index=True)
    user_id: int = Field(foreign_key="staff_user.id")
    sha256: str = Field(max_length=64)  # the file the person approved
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

"""The payment of one approved grant, and a changed bank account, which a second person checks before use."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import Money, UTCDateTime, utcnow


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"  # waiting for the next payment batch
    IN_BATCH = "in_batch"  # in a batch that waits for its two approvals
    SENT = "sent"  # the batch went to the bank
    PAID = "paid"  # the bank reported it paid: never in another batch
    REJECTED = "rejected"  # the bank returned it: waits for a corrected account, checked by two people
    CANCELLED = "cancelled"  # the grant was cancelled before it was paid


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # One payment per approved decision: the database refuses a second one, whatever the code does.
    decision_id: int = Field(foreign_key="decision.id", unique=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    programme_code: str = Field(index=True, max_length=80)
    # The decision number: the EndToEndId the bank reports back.
    reference: str = Field(unique=True, max_length=35)
    amount: Decimal = Field(sa_type=Money)
    creditor_name: str = Field(max_length=140)
    iban: str = Field(max_length=34)
    bic: str | None = Field(default=None, max_length=11)
    status: str = Field(default=PaymentStatus.UNPAID, index=True, max_length=20)
    batch_id: int | None = Field(default=None, foreign_key="paymentbatch.id", index=True)
    workflow_id: str = Field(max_length=160)  # the payment's workflow: bank outcomes are signalled there
    paid_on: date | None = None
    rejection_reason: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AccountChangeStatus(StrEnum):
    GIVEN = "given"  # the applicant gave it; a handler checks it first
    CHECKED = "checked"  # the first check passed; a second person (finance) approves it
    APPROVED = "approved"  # in use: the payment goes to it
    REFUSED = "refused"  # not used; the applicant is asked again


class AccountChange(SQLModel, table=True):
    """A new account for a returned payment: the classic grant fraud, so two staff members check it."""

    __table_args__ = (UniqueConstraint("payment_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    seq: int  # per payment; the workflow numbers them
    iban: str = Field(max_length=34)
    old_iban: str = Field(max_length=34)
    status: str = Field(default=AccountChangeStatus.GIVEN, max_length=20)
    given_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    checked_by: int | None = Field(default=None, foreign_key="staff_user.id")
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: int | None = Field(default=None, foreign_key="staff_user.id")
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=2000)

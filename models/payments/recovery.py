"""Recovery (takaisinperintä) of a paid grant: opened by a handler with a reason, decided by a decider, served as
a letter with payment instructions and a creditor reference, and appealable like the grant decision.

The creditor reference is the international RF reference (ISO 11649), built and checked with python-stdnum,
so the bank's report of the repayment names the recovery it pays.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, select
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

from models.grants.applications import grant_workflow_id
from models.outbox import START_RECOVERY, OutboxMessage
from models.types import Money, UTCDateTime, utcnow


class RecoveryStatus(StrEnum):
    PROPOSED = "proposed"  # a handler opened it; a decider decides
    DECIDED = "decided"  # recovery decided: the letter is served, the repayment awaited
    WAIVED = "waived"  # the decider decided not to recover
    REPAID = "repaid"  # the money came back (the bank report, or marked by hand)


class Recovery(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("application_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    payment_id: int = Field(foreign_key="payment.id", index=True)
    programme_code: str = Field(index=True, max_length=80)
    seq: int  # per application: a second recovery case is a new one, never the old one reopened
    reason: str = Field(max_length=4000)  # the handler's, in the applicant's language: the letter states it
    amount: Decimal = Field(sa_type=Money)
    status: str = Field(default=RecoveryStatus.PROPOSED, index=True, max_length=20)
    opened_by: int = Field(foreign_key="staff_user.id")
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # The grantee is heard before the decision (Administrative Procedure Act 34 §): told what is intended and
    # why, with a day by which to explain on the status page.
    hearing_due_on: date | None = None
    explanation: str | None = Field(default=None, max_length=4000)
    explained_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The recovery decision (a Decision of kind recovery: numbered, served and archived like every decision).
    decision_id: int | None = Field(default=None, foreign_key="decision.id", unique=True)
    due_on: date | None = None
    creditor_reference: str | None = Field(default=None, unique=True, max_length=25)
    repaid_amount: Decimal = Field(default=Decimal("0.00"), sa_type=Money)
    repaid_on: date | None = None
    workflow_id: str = Field(max_length=160)


class RecoveryOutcome(StrEnum):
    RECOVER = "recover"
    WAIVE = "waive"  # decided not to recover: recorded, nothing is sent


class Repayment(SQLModel, table=True):
    """Money paid back on a recovery: from a bank report's line, or marked by hand; each counted once."""

    id: int | None = Field(default=None, primary_key=True)
    recovery_id: int = Field(foreign_key="recovery.id", index=True)
    key: str = Field(unique=True, max_length=120)  # the bank report and line, or the finance user's entry
    amount: Decimal = Field(sa_type=Money)
    paid_on: date
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")  # None: from a bank report
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


def creditor_reference(recovery_id: int) -> str:
    """RF + check digits + the recovery's id ("RF18 1000 0000 0042"-like, compact): ISO 11649."""
    base = f"1{recovery_id:09d}"  # a leading 1 keeps the length fixed and the number never all zeros
    check = mod_97_10.calc_check_digits(base + "RF")  # the digits that make "<base>RF<check>" valid
    return iso11649.validate(f"RF{check}{base}")


def recovery_of_reference(reference: str | None) -> int | None:
    """The recovery id an RF reference names, or None when it is not one of ours (or not valid)."""
    if not reference:
        return None
    try:
        compact = iso11649.validate(reference)
    except Exception:  # stdnum's ValidationError family: not a valid RF reference
        return None
    digits = compact[4:]
    if len(digits) != 10 or not digits.isdigit() or digits[0] != "1":
        return None
    return int(digits[1:])


def add_recovery_case(
    session: Session,
    *,
    application_id: int,
    payment_id: int,
    programme_code: str,
    reason: str,
    amount: Decimal,
    opened_by: int,
) -> Recovery:
    """A new recovery case and the promise to start its workflow, in the caller's transaction: opened by a
    handler on the case page, or on an approval withdrawn on rectification after it was paid."""
    seq = 1 + int(
        session.exec(select(func.count()).select_from(Recovery).where(Recovery.application_id == application_id)).one()
    )
    workflow_id = f"{grant_workflow_id(application_id)}/recovery-{seq}"
    recovery = Recovery(
        application_id=application_id, payment_id=payment_id, programme_code=programme_code, seq=seq,
        reason=reason.strip(), amount=amount, opened_by=opened_by, workflow_id=workflow_id,
    )  # fmt: skip
    session.add(recovery)
    session.flush()
    payload = {"recovery_id": recovery.id, "application_id": application_id, "opened_by": opened_by}
    session.add(OutboxMessage(topic=START_RECOVERY, key=workflow_id, payload=payload))
    return recovery

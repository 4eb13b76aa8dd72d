"""Proposals, decisions, their gapless numbers and the programme budget."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select
from sqlmodel.sql.expression import SelectOfScalar

from models.types import Money, UTCDateTime, utcnow


class Outcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Proposal(SQLModel, table=True):
    """A handler's proposed decision; `seq` counts proposals on one application (returns make new ones)."""

    __table_args__ = (UniqueConstraint("application_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    seq: int
    outcome: str = Field(max_length=10)
    amount: Decimal = Field(sa_type=Money)
    reasons: list[str] = Field(sa_column=Column(JSON, nullable=False))
    justification: str = Field(max_length=4000)
    override_reason: str | None = Field(default=None, max_length=4000)
    proposer_id: int = Field(foreign_key="staff_user.id")
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # Filled when the decider acts: approved, or returned with a comment.
    review: str | None = Field(default=None, max_length=10)
    review_comment: str | None = Field(default=None, max_length=4000)


class DecisionKind(StrEnum):
    GRANT = "grant"  # the decision on the application: one per application
    RECOVERY = "recovery"  # a decision to recover a paid grant (models/payments/recovery.py)
    RULING = "ruling"  # the ruling on a rectification request (models/appeals/requests.py)


class Decision(SQLModel, table=True):
    """A decision about an application, numbered per programme and year in one gapless series: the grant
    decision (one per application), and later ones such as a recovery, each of its kind numbered 1, 2, …"""

    __table_args__ = (
        UniqueConstraint("programme_code", "year", "seq"),
        UniqueConstraint("application_id", "kind", "kind_seq", name="uq_decision_application_id_kind_kind_seq"),
    )

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    kind: str = Field(default=DecisionKind.GRANT, max_length=20, sa_column_kwargs={"server_default": "grant"})
    kind_seq: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    programme_code: str = Field(max_length=80)
    year: int
    seq: int
    number: str = Field(unique=True, max_length=40)
    outcome: str = Field(max_length=10)
    amount: Decimal = Field(sa_type=Money)
    reasons: list[str] = Field(sa_column=Column(JSON, nullable=False))
    justification: str = Field(max_length=4000)
    proposal_id: int | None = Field(default=None, foreign_key="proposal.id")  # a grant decision's proposal
    presenter_id: int = Field(foreign_key="staff_user.id")
    decider_id: int = Field(foreign_key="staff_user.id")
    decided_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # How and when the decision was served: the rectification period counts from these.
    channel: str | None = Field(default=None, max_length=10)  # email | letter
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The day it left: an e-mail's sending day, a letter's posting day as the post room confirmed it.
    dispatched_on: date | None = None
    deemed_received_on: date | None = None
    rectification_last_day: date | None = None
    # The workflow serving it (it waits for the post room's batch), and the batch that took its letter:
    # set by one conditional UPDATE, so two coordinators printing at once never print a letter twice.
    serving_workflow_id: str | None = Field(default=None, max_length=160)
    print_batch_id: int | None = Field(default=None, foreign_key="printbatch.id", index=True)
    # Why the post room's batch set the letter aside (a fact it must state is missing); a handler's task
    # decides what next, and until then no batch takes it.
    letter_held: str | None = Field(default=None, max_length=2000)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Published on the public list of decisions (no personal data): members of the municipality may request
    # rectification too, deemed to know of it 7 days after (Local Government Act 137, 140 §).
    published_on: date | None = None
    # Final (lainvoimainen) from this day: both windows closed with no rectification request, or the ruling
    # on one is final.
    final_on: date | None = None
    # An amending ruling on rectification replaces this decision (the ruling states the decision now).
    superseded_by_id: int | None = Field(default=None, foreign_key="decision.id")


def grant_decision_of(application_id: int) -> SelectOfScalar[Decision]:
    """The query for an application's grant decision (not its later decisions, such as a recovery)."""
    return select(Decision).where(Decision.application_id == application_id, Decision.kind == DecisionKind.GRANT)


class DecisionSequence(SQLModel, table=True):
    """The last number used, per programme and year; taken in the decision's own transaction, so no gaps."""

    programme_code: str = Field(primary_key=True, max_length=80)
    year: int = Field(primary_key=True)
    last: int = 0


class BudgetLedger(SQLModel, table=True):
    """Money reserved by approvals. Reserving is one conditional UPDATE: it cannot pass the budget."""

    programme_code: str = Field(primary_key=True, max_length=80)
    reserved: Decimal = Field(default=Decimal("0.00"), sa_type=Money)


def outcome_of(decision: Decision) -> str:
    """approve | reject: what the decision decides on the grant; an amending ruling's is the new outcome."""
    if decision.kind == DecisionKind.RULING:
        return str(decision.details.get("new_outcome") or "")
    return decision.outcome


def decision_in_force(session: Session, application_id: int) -> Decision | None:
    """The grant decision as it stands: the grant decision, or the ruling that amended it (and so on)."""
    decision = session.exec(grant_decision_of(application_id)).first()
    seen = 0
    while decision is not None and decision.superseded_by_id is not None and seen < 10:
        decision, seen = session.get(Decision, decision.superseded_by_id), seen + 1
    return decision

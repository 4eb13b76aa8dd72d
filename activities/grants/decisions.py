"""Proposals and decisions. A decision, its number and its budget reservation commit together or not at all."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, literal, type_coerce, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio import activity

from activities.errors import BudgetExhausted, LegalBasisNotInForce, NothingToDecide
from activities.grants.records import load_application
from core.db import Database
from models.audit import audit
from models.grants.applications import Stage
from models.grants.decisions import BudgetLedger, Decision, DecisionSequence, Outcome, Proposal, grant_decision_of
from models.grants.payloads import DecisionOutcome, FinalizeDecisionInput, RecordProposalInput, ReturnProposalInput
from models.grants.programme import HELSINKI, Programme


def _outcome(decision: Decision) -> DecisionOutcome:
    return DecisionOutcome(
        number=decision.number,
        outcome=Outcome(decision.outcome),
        amount=decision.amount,
        reasons=list(decision.reasons),
    )


def next_decision_seq(session: Session, programme_code: str, year: int) -> int:
    """Takes the next number in the caller's transaction; a rollback gives it back, so there are no gaps."""
    if session.get(DecisionSequence, (programme_code, year)) is None:
        try:
            with session.begin_nested():
                session.add(DecisionSequence(programme_code=programme_code, year=year, last=0))
        except IntegrityError:
            pass  # another decision created the year's row first
    # The UPDATE locks the row until commit: concurrent decisions queue up here.
    statement = (
        update(DecisionSequence)
        .where(col(DecisionSequence.programme_code) == programme_code, col(DecisionSequence.year) == year)
        .values(last=col(DecisionSequence.last) + 1)
        .returning(col(DecisionSequence.last))
    )
    return int(session.execute(statement).scalar_one())


def reserve_budget(session: Session, programme: Programme) -> None:
    """One conditional UPDATE: it succeeds only while the reservation fits in the budget."""
    if session.get(BudgetLedger, programme.code) is None:
        try:
            with session.begin_nested():
                session.add(BudgetLedger(programme_code=programme.code))
        except IntegrityError:
            pass
    # Whole cents on both sides, bypassing the Money type's conversion of bound values.
    reserved = type_coerce(col(BudgetLedger.reserved), BigInteger)
    amount = literal(int(programme.amount * 100), BigInteger)
    budget = literal(int(programme.budget_eur * 100), BigInteger)
    result = session.execute(
        update(BudgetLedger)
        .where(col(BudgetLedger.programme_code) == programme.code, reserved + amount <= budget)
        .values(reserved=reserved + amount)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise BudgetExhausted(f"the budget of {programme.code} does not cover another grant")


class DecisionActivities:
    def __init__(self, db: Database, programmes: dict[str, Programme]) -> None:
        self._db = db
        self._programmes = programmes

    @activity.defn(name="record_proposal")
    def record_proposal(self, request: RecordProposalInput) -> None:
        p = request.proposal
        with self._db.session() as session:
            if self._proposal(session, request.application_id, request.seq) is not None:
                return
            application = load_application(session, request.application_id)
            programme = self._programmes[application.programme_code]
            session.add(
                Proposal(
                    application_id=request.application_id,
                    seq=request.seq,
                    outcome=p.outcome,
                    amount=programme.amount if p.outcome == Outcome.APPROVE else Decimal("0.00"),
                    reasons=[str(reason) for reason in p.reasons],
                    justification=p.justification,
                    override_reason=p.override_reason,
                    proposer_id=p.actor.user_id,
                )
            )
            session.commit()

    @activity.defn(name="return_proposal")
    def return_proposal(self, request: ReturnProposalInput) -> None:
        with self._db.session() as session:
            proposal = self._proposal(session, request.application_id, request.proposal_seq)
            if proposal is None:
                raise NothingToDecide(f"no proposal {request.proposal_seq} on application {request.application_id}")
            proposal.review = "returned"
            proposal.review_comment = request.comment
            session.add(proposal)
            session.commit()

    @activity.defn(name="finalize_decision")
    def finalize_decision(self, request: FinalizeDecisionInput) -> DecisionOutcome:
        """Numbers the decision and, for a grant, reserves the money, in one transaction; a retry returns it."""
        with self._db.session() as session:
            existing = session.exec(grant_decision_of(request.application_id)).first()
            if existing is not None:
                return _outcome(existing)
            proposal = self._proposal(session, request.application_id, request.proposal_seq)
            if proposal is None:
                raise NothingToDecide(f"no proposal {request.proposal_seq} on application {request.application_id}")
            application = load_application(session, request.application_id)
            programme = self._programmes[application.programme_code]
            today = datetime.now(UTC).astimezone(HELSINKI).date()
            if not programme.legal_basis.covers(today):
                raise LegalBasisNotInForce(
                    f"{programme.code}: legal basis in force {programme.legal_basis.valid_from}"
                    f"–{programme.legal_basis.valid_until}, not on {today}"
                )
            if proposal.outcome == Outcome.APPROVE:
                reserve_budget(session, programme)
            year = today.year
            seq = next_decision_seq(session, programme.code, year)
            decision = Decision(
                application_id=request.application_id,
                programme_code=programme.code,
                year=year,
                seq=seq,
                number=f"{programme.decision_prefix} {year}/{seq:06d}",
                outcome=proposal.outcome,
                amount=proposal.amount,
                reasons=proposal.reasons,
                justification=proposal.justification,
                proposal_id=proposal.id or 0,
                presenter_id=proposal.proposer_id,
                decider_id=request.decider.user_id,
                details={"override_reason": proposal.override_reason} if proposal.override_reason else {},
                published_on=today,  # on the public list of decisions from the day it is made
            )
            session.add(decision)
            proposal.review = "approved"
            session.add(proposal)
            approved = proposal.outcome == Outcome.APPROVE
            application.status = Stage.APPROVED if approved else Stage.REJECTED
            session.add(application)
            audit(
                session,
                action="decided",
                application_id=request.application_id,
                actor_id=request.decider.user_id,
                organisation_code=request.decider.organisation_code,
                number=decision.number,
                outcome=decision.outcome,
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                existing = session.exec(grant_decision_of(request.application_id)).first()
                if existing is None:
                    raise
                return _outcome(existing)
            return _outcome(decision)

    @staticmethod
    def _proposal(session: Session, application_id: int, seq: int) -> Proposal | None:
        return session.exec(
            select(Proposal).where(Proposal.application_id == application_id, Proposal.seq == seq)
        ).first()

"""A rectification request's review and the ruling on it, as the legal staff record the body's decision.

The ruling is a decision of its own kind (`Decision.kind = ruling`), numbered in the programme's one series,
published on the public list and served like every decision. An amending ruling supersedes the decision it
rules on: the application's stage, and the budget, follow what the grant decision now is.
"""

from decimal import Decimal

from sqlmodel import Session, select
from temporalio import activity

from activities.grants.decisions import next_decision_seq, reserve_budget
from activities.grants.records import load_application
from core.clock import helsinki_today
from core.db import Database
from models.appeals.payloads import (
    RecordRulingInput,
    RequestRef,
    Review,
    RulingRecorded,
    Withdrawal,
    WithdrawalStep,
)
from models.appeals.requests import RectificationRequest, RequestStage, Ruling
from models.audit import audit
from models.grants.applications import Stage, add_timeline_event
from models.grants.decisions import BudgetLedger, Decision, DecisionKind, Outcome, outcome_of
from models.grants.programme import Programme
from models.payments.payments import Payment, PaymentStatus
from models.payments.recovery import Recovery, add_recovery_case
from models.types import utcnow


class RectificationActivities:
    def __init__(self, db: Database, programmes: dict[str, Programme], *, court: str) -> None:
        self._db, self._programmes, self._court = db, programmes, court

    @activity.defn(name="review_rectification_request")
    def review(self, ref: RequestRef) -> Review:
        with self._db.session() as session:
            request = self._request(session, ref.request_id)
            decision = session.get(Decision, request.decision_id)
            if decision is None:
                raise ValueError(f"rectification request {request.id}: its decision is missing")
            return Review(
                late=request.late,
                decision_number=decision.number,
                received_at=request.received_at,
                received_on=request.received_on,
            )

    @activity.defn(name="record_ruling")
    def record_ruling(self, recording: RecordRulingInput) -> RulingRecorded:
        """Numbered once (a retry returns the ruling made); an amendment supersedes the decision ruled on."""
        rule, request_id = recording.rule, recording.request_id
        with self._db.session() as session:
            request = self._request(session, request_id)
            original = session.get(Decision, request.decision_id)
            if original is None:
                raise ValueError(f"rectification request {request_id}: its decision is missing")
            if request.ruling_decision_id is not None:
                made = session.get(Decision, request.ruling_decision_id)
                assert made is not None
                return self._recorded(made, original)
            programme = self._programmes[request.programme_code]
            now = utcnow()
            today = helsinki_today(now)
            amends_grant = rule.ruling == Ruling.AMEND and original.kind == DecisionKind.GRANT
            new_outcome = rule.new_outcome if amends_grant else None
            amount = programme.amount if new_outcome == Outcome.APPROVE else Decimal("0.00")
            if new_outcome == Outcome.APPROVE and outcome_of(original) != Outcome.APPROVE:
                reserve_budget(session, programme)  # BudgetExhausted: the ruling cannot grant beyond the budget
            elif new_outcome == Outcome.REJECT and outcome_of(original) == Outcome.APPROVE:
                _release_budget(session, programme)
            seq = next_decision_seq(session, programme.code, today.year)
            ruling = Decision(
                application_id=request.application_id,
                kind=DecisionKind.RULING,
                kind_seq=request.seq,
                programme_code=programme.code,
                year=today.year,
                seq=seq,
                number=f"{programme.decision_prefix} {today.year}/{seq:06d}",
                outcome=rule.ruling,
                amount=amount,
                reasons=list(rule.reasons) if new_outcome == Outcome.REJECT else [],
                justification=rule.justification.strip(),
                presenter_id=rule.actor.user_id,
                decider_id=rule.actor.user_id,  # the body decided; the legal officer recorded it
                decided_at=now,
                published_on=today,
                details={
                    "body": rule.body.strip(),
                    "meeting_ref": rule.meeting_ref.strip(),
                    "met_on": rule.met_on.isoformat(),
                    "court": self._court,
                    "rules_on": original.number,
                    **({"new_outcome": str(new_outcome)} if new_outcome else {}),
                },
            )
            session.add(ruling)
            session.flush()
            request.ruling, request.ruling_decision_id, request.stage = rule.ruling, ruling.id, RequestStage.RULED
            session.add(request)
            if rule.ruling == Ruling.AMEND:
                original.superseded_by_id = ruling.id
                session.add(original)
                if new_outcome is not None:
                    application = load_application(session, request.application_id)
                    application.status = Stage.APPROVED if new_outcome == Outcome.APPROVE else Stage.REJECTED
                    session.add(application)
            add_timeline_event(session, request.application_id, f"ruled:{request.seq}", "ruled")
            audit(
                session,
                action="rectification_ruled",
                application_id=request.application_id,
                actor_id=rule.actor.user_id,
                organisation_code=rule.actor.organisation_code,
                key=f"rectification_ruled:{request.id}",
                number=ruling.number,
                ruling=str(rule.ruling),
                rules_on=original.number,
                body=rule.body.strip(),
                meeting_ref=rule.meeting_ref.strip(),
            )
            session.commit()
            return self._recorded(ruling, original)

    @activity.defn(name="withdraw_approval")
    def withdraw_approval(self, ref: RequestRef) -> Withdrawal:
        """An approval amended to a rejection: what becomes of its payment. Paid: a recovery case, opened in
        the legal officer's name with the ruling's grounds (a decider decides it after hearing the grantee).
        Not yet with the bank: cancelled by the caller. With the bank: a handler follows it up."""
        with self._db.session() as session:
            request = self._request(session, ref.request_id)
            payment = session.exec(select(Payment).where(Payment.application_id == request.application_id)).first()
            if payment is None or payment.status == PaymentStatus.CANCELLED:
                return Withdrawal(step=WithdrawalStep.NOTHING)
            if payment.status == PaymentStatus.PAID:
                if session.exec(select(Recovery).where(Recovery.payment_id == payment.id)).first() is None:
                    ruling = session.get(Decision, request.ruling_decision_id)
                    assert ruling is not None
                    recovery = add_recovery_case(
                        session,
                        application_id=request.application_id,
                        payment_id=payment.id or 0,
                        programme_code=request.programme_code,
                        reason=ruling.justification,
                        amount=payment.amount,
                        opened_by=ruling.presenter_id,
                    )
                    audit(
                        session,
                        action="recovery_opened",
                        application_id=request.application_id,
                        actor_id=ruling.presenter_id,
                        key=f"recovery_opened_on_ruling:{ruling.id}",
                        recovery=recovery.id,
                        amount=str(payment.amount),
                        ruling=ruling.number,
                    )
                    session.commit()
                return Withdrawal(step=WithdrawalStep.RECOVER, payment_id=payment.id)
            if payment.status in (PaymentStatus.UNPAID, PaymentStatus.REJECTED) and payment.batch_id is None:
                return Withdrawal(step=WithdrawalStep.CANCEL, payment_id=payment.id)
            return Withdrawal(step=WithdrawalStep.WITH_THE_BANK, payment_id=payment.id)

    @activity.defn(name="ruling_served")
    def ruling_served(self, ref: RequestRef) -> None:
        with self._db.session() as session:
            request = self._request(session, ref.request_id)
            if request.stage != RequestStage.SERVED:
                request.stage = RequestStage.SERVED
                session.add(request)
                session.commit()

    @staticmethod
    def _recorded(ruling: Decision, original: Decision) -> RulingRecorded:
        new_outcome = ruling.details.get("new_outcome")
        return RulingRecorded(
            number=ruling.number,
            ruling=Ruling(ruling.outcome),
            new_outcome=Outcome(new_outcome) if new_outcome else None,
            amount=ruling.amount,
            original_outcome=outcome_of(original),
        )

    @staticmethod
    def _request(session: Session, request_id: int) -> RectificationRequest:
        request = session.get(RectificationRequest, request_id)
        if request is None:
            raise ValueError(f"rectification request {request_id} does not exist")
        return request


def _release_budget(session: Session, programme: Programme) -> None:
    """An approval withdrawn on rectification gives its reservation back (what is paid is recovered apart)."""
    ledger = session.exec(select(BudgetLedger).where(BudgetLedger.programme_code == programme.code)).first()
    if ledger is not None:
        ledger.reserved = max(Decimal("0.00"), ledger.reserved - programme.amount)
        session.add(ledger)

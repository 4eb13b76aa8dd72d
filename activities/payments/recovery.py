"""Recovery of a paid grant: the decision (a Decision of kind recovery, numbered in the programme's one
series, with its due date and RF creditor reference), and the repayments that come back."""

import asyncio
from datetime import date, timedelta
from decimal import Decimal

from babel.numbers import format_currency
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from temporalio import activity

from activities.grants.decisions import next_decision_seq
from activities.notifications.applicant_mail import ApplicantMail
from core.clock import helsinki_today
from core.db import Database
from core.emails import render_email
from core.i18n import babel_locale
from core.mail import Mailer
from models.audit import audit
from models.grants.applications import Application, add_timeline_event
from models.grants.decisions import Decision, DecisionKind
from models.grants.programme import Programme
from models.grants.status_links import status_link
from models.payments.payloads import (
    FinalizeRecoveryInput,
    Hearing,
    RecordExplanationInput,
    RecordRepaymentInput,
    RecoveryDecided,
    RecoveryRef,
)
from models.payments.recovery import Recovery, RecoveryOutcome, RecoveryStatus, Repayment, creditor_reference
from models.time_limits import next_working_day_from
from models.types import utcnow


class RecoveryActivities:
    def __init__(
        self, db: Database, mailer: Mailer, programmes: dict[str, Programme], *, base_url: str, secret: str
    ) -> None:
        self._db, self._programmes = db, programmes
        self._mail = ApplicantMail(db, mailer)
        self._base_url, self._secret = base_url, secret

    @activity.defn(name="start_hearing")
    async def start_hearing(self, ref: RecoveryRef) -> Hearing:
        """The day the grantee may explain by (kept: a retry gives the same day), and an e-mail saying so."""
        due_on, application_id, amount, reason = await asyncio.to_thread(self._hearing_day, ref)

        def compose(session: Session, application: Application) -> tuple[str, str]:
            programme = self._programmes[application.programme_code]
            return render_email(
                "recovery_hearing",
                application.language,
                name=application.applicant_name,
                reference=application.reference,
                programme=programme.title_in(application.language),
                amount=format_currency(amount, "EUR", locale=babel_locale(application.language)),
                reason=reason,
                due_on=due_on,
                status_url=status_link(self._base_url, application_id, self._secret, application.language),
            )

        await self._mail.send_once(f"recovery_hearing:{ref.recovery_id}", application_id, compose)
        return Hearing(due_on=due_on)

    def _hearing_day(self, ref: RecoveryRef) -> tuple[date, int, Decimal, str]:
        with self._db.session() as session:
            recovery = self._recovery(session, ref.recovery_id)
            if recovery.hearing_due_on is None:
                programme = self._programmes[recovery.programme_code]
                recovery.hearing_due_on = next_working_day_from(
                    helsinki_today() + timedelta(days=programme.recovery.hearing_days)
                )
                session.add(recovery)
                add_timeline_event(
                    session, recovery.application_id, f"recovery_hearing:{recovery.seq}", "recovery_hearing"
                )
                session.commit()
            return recovery.hearing_due_on, recovery.application_id, recovery.amount, recovery.reason

    @activity.defn(name="record_explanation")
    def record_explanation(self, request: RecordExplanationInput) -> None:
        """The grantee's explanation, for the decider to weigh; given once."""
        with self._db.session() as session:
            recovery = self._recovery(session, request.recovery_id)
            if recovery.explanation is not None:
                return
            recovery.explanation, recovery.explained_at = request.text[:4000], utcnow()
            session.add(recovery)
            add_timeline_event(
                session, recovery.application_id, f"recovery_explained:{recovery.seq}", "recovery_explained"
            )
            audit(session, action="recovery_explained", application_id=recovery.application_id, recovery=recovery.id)
            session.commit()

    @activity.defn(name="finalize_recovery")
    def finalize(self, request: FinalizeRecoveryInput) -> RecoveryDecided:
        """Recover: a numbered decision, due in the programme's days, with its reference. Waive: recorded only."""
        with self._db.session() as session:
            recovery = self._recovery(session, request.recovery_id)
            if recovery.status != RecoveryStatus.PROPOSED:
                return self._decided(session, recovery)
            now = utcnow()
            if not request.recover:
                recovery.status = RecoveryStatus.WAIVED
                session.add(recovery)
                self._audit(session, recovery, "recovery_waived", request)
                session.commit()
                return RecoveryDecided(number=None)
            programme = self._programmes[recovery.programme_code]
            decided_on = helsinki_today(now)
            seq = next_decision_seq(session, programme.code, decided_on.year)
            decision = Decision(
                application_id=recovery.application_id,
                kind=DecisionKind.RECOVERY,
                kind_seq=recovery.seq,
                programme_code=programme.code,
                year=decided_on.year,
                seq=seq,
                number=f"{programme.decision_prefix} {decided_on.year}/{seq:06d}",
                outcome=RecoveryOutcome.RECOVER,
                amount=recovery.amount,
                reasons=[],
                justification=request.justification,
                presenter_id=recovery.opened_by,
                decider_id=request.actor.user_id,
                decided_at=now,
                published_on=decided_on,
            )
            session.add(decision)
            session.flush()
            recovery.decision_id, recovery.status = decision.id, RecoveryStatus.DECIDED
            # A due date on a weekend or holiday moves to the next working day, as a legal time limit does.
            recovery.due_on = next_working_day_from(decided_on + timedelta(days=programme.recovery.due_days))
            recovery.creditor_reference = creditor_reference(recovery.id or 0)
            session.add(recovery)
            add_timeline_event(session, recovery.application_id, f"recovery_decided:{recovery.seq}", "recovery_decided")
            self._audit(session, recovery, "recovery_decided", request, number=decision.number)
            session.commit()
            return RecoveryDecided(number=decision.number, amount=decision.amount, due_on=recovery.due_on)

    @activity.defn(name="record_repayment")
    def record_repayment(self, request: RecordRepaymentInput) -> Decimal:
        """Counted once (its key); returns what has been repaid in all, and marks the recovery repaid when it
        covers the amount."""
        with self._db.session() as session:
            recovery = self._recovery(session, request.recovery_id)
            session.add(
                Repayment(
                    recovery_id=recovery.id or 0,
                    key=request.key,
                    amount=request.amount,
                    paid_on=request.on,
                    recorded_by=request.recorded_by,
                )
            )
            try:
                session.flush()
            except IntegrityError:  # recorded before (a retry): nothing twice
                session.rollback()
                return self._recovery(session, request.recovery_id).repaid_amount
            settle_repayments(session, recovery, request.on)
            audit(
                session,
                action="repayment_recorded",
                application_id=recovery.application_id,
                actor_id=request.recorded_by,
                key=f"repayment:{request.key}",
                amount=str(request.amount),
                on=request.on.isoformat(),
            )
            session.commit()
            return recovery.repaid_amount

    @staticmethod
    def _decided(session: Session, recovery: Recovery) -> RecoveryDecided:
        decision = session.get(Decision, recovery.decision_id) if recovery.decision_id else None
        return RecoveryDecided(
            number=decision.number if decision else None, amount=recovery.amount, due_on=recovery.due_on
        )

    @staticmethod
    def _recovery(session: Session, recovery_id: int) -> Recovery:
        recovery = session.get(Recovery, recovery_id)
        if recovery is None:
            raise ValueError(f"recovery {recovery_id} does not exist")
        return recovery

    @staticmethod
    def _audit(
        session: Session, recovery: Recovery, action: str, request: FinalizeRecoveryInput, **detail: str
    ) -> None:
        audit(
            session,
            action=action,
            application_id=recovery.application_id,
            actor_id=request.actor.user_id,
            organisation_code=request.actor.organisation_code,
            key=f"{action}:{recovery.id}",
            recovery=recovery.id,
            **detail,
        )


def settle_repayments(session: Session, recovery: Recovery, on: date) -> None:
    """The recovery's repaid total from its repayments (in the caller's transaction); repaid once it covers it."""
    total = session.exec(select(func.sum(Repayment.amount)).where(Repayment.recovery_id == recovery.id)).one()
    recovery.repaid_amount = Decimal(total or 0)
    if recovery.repaid_amount >= recovery.amount and recovery.status == RecoveryStatus.DECIDED:
        recovery.status, recovery.repaid_on = RecoveryStatus.REPAID, on
        add_timeline_event(session, recovery.application_id, f"recovery_repaid:{recovery.seq}", "recovery_repaid")
    session.add(recovery)

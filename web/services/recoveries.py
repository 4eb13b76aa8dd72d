"""Recovery cases on the staff pages: a handler opens one on a paid grant, a decider decides it, finance marks a
repayment the bank report did not show. The case row and the promise to start its workflow are written in
one transaction; the actions go to the workflow as updates."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import Session, col, select

from core.clock import helsinki_today
from core.i18n import N_
from core.temporal import TemporalGateway
from models.audit import audit
from models.grants.applications import Application
from models.payments.payloads import MarkRepaidInput
from models.payments.payments import Payment, PaymentStatus
from models.payments.recovery import Recovery, RecoveryStatus, add_recovery_case
from models.tasks import Task
from models.text_language import written_in
from web.forms import euros
from web.services.auth import StaffUser
from web.services.letter_language import WRONG_LANGUAGE
from web.services.processing import ActionRefused, actor_of, send_update
from workflows.payments.recovery import RecoveryWorkflow

OPEN = (RecoveryStatus.PROPOSED, RecoveryStatus.DECIDED)


@dataclass(frozen=True)
class RecoveryRefused(Exception):
    """The case cannot be opened as asked: which field, and why (a msgid)."""

    field: str
    reason: str


def recoveries_of(session: Session, application_id: int) -> list[Recovery]:
    return list(
        session.exec(select(Recovery).where(Recovery.application_id == application_id).order_by(col(Recovery.seq)))
    )


def recoverable(session: Session, payment: Payment) -> Decimal:
    """What of the paid grant is not yet being recovered: the amount less every case not waived."""
    claimed = sum(
        (r.amount for r in recoveries_of(session, payment.application_id) if r.status != RecoveryStatus.WAIVED),
        Decimal("0.00"),
    )
    return max(payment.amount - claimed, Decimal("0.00"))


def can_open(session: Session, application_id: int) -> Payment | None:
    """The paid payment a new recovery case may be opened on: none while another case is open, or once the
    whole grant is being or has been recovered."""
    payment = session.exec(select(Payment).where(Payment.application_id == application_id)).first()
    if payment is None or payment.status != PaymentStatus.PAID:
        return None
    if any(r.status in OPEN for r in recoveries_of(session, application_id)):
        return None
    return payment if recoverable(session, payment) > 0 else None


def open_recovery(
    session: Session, *, application: Application, user: StaffUser, reason: str, amount_text: str
) -> Recovery:
    """The handler's case: the reason (it goes into the letter, so in the applicant's language) and the amount."""
    payment = can_open(session, application.id or 0)
    if payment is None:
        raise RecoveryRefused("reason", N_("A recovery case can be opened only on a paid grant with no open case."))
    if not reason.strip():
        raise RecoveryRefused("reason", N_("Write why the grant is recovered."))
    if not written_in(reason, application.language):
        raise RecoveryRefused("reason", WRONG_LANGUAGE)
    amount = euros(amount_text)
    if amount is None or amount > recoverable(session, payment):
        raise RecoveryRefused("amount", N_("Enter an amount between 0,01 and what is left to recover of the grant."))
    recovery = add_recovery_case(
        session,
        application_id=application.id or 0,
        payment_id=payment.id or 0,
        programme_code=application.programme_code,
        reason=reason,
        amount=amount,
        opened_by=user.id,
    )
    audit(
        session,
        action="recovery_opened",
        application_id=application.id,
        actor_id=user.id,
        organisation_code=user.organisation_code,
        recovery=recovery.id,
        amount=str(amount),
    )
    session.commit()
    return recovery


def recovery_of_task(session: Session, task: Task) -> Recovery | None:
    workflow_id = task.workflow_id
    return session.exec(select(Recovery).where(Recovery.workflow_id == workflow_id)).first()


def awaiting_repayment(session: Session, codes: list[str]) -> list[Recovery]:
    return list(
        session.exec(
            select(Recovery)
            .where(Recovery.status == RecoveryStatus.DECIDED, col(Recovery.programme_code).in_(codes))
            .order_by(col(Recovery.due_on))
        )
    )


async def mark_repaid(
    gateway: TemporalGateway,
    *,
    recovery: Recovery,
    user: StaffUser,
    amount_text: str,
    on: date | None,
    now: datetime,
) -> Decimal:
    amount = euros(amount_text)
    if amount is None:
        raise ActionRefused(N_("Enter the amount repaid, for example 2 000,00."))
    if amount > recovery.amount - recovery.repaid_amount:
        raise ActionRefused(N_("That is more than is left to repay; an overpayment is refunded, not recorded here."))
    if on is None:
        raise ActionRefused(N_("Enter the day the money came, for example 2020-09-01."))
    decided_on = helsinki_today(recovery.opened_at)
    if not decided_on <= on <= helsinki_today(now):
        raise ActionRefused(N_("The money cannot have come before the recovery case was opened, or in the future."))
    argument = MarkRepaidInput(actor=actor_of(user), amount=amount, on=on)
    total: Decimal = await send_update(gateway, recovery.workflow_id, RecoveryWorkflow.mark_repaid, argument)
    return total

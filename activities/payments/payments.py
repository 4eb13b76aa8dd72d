"""One grant's payment: made once per approved decision, and its account changed only by two people.

The payment row is created from the decision and the application (the account given with it); the
database refuses a second payment for the same decision. A returned payment gets a corrected account
from the applicant; a handler checks it and a second person (finance) approves it before it is used,
each step audited, and the payment then waits for the next batch.
"""

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from temporalio import activity

from activities.errors import ApplicationNotFound, InvalidAccount, PaymentOnItsWay
from activities.grants.records import load_application
from activities.notifications.applicant_mail import ApplicantMail
from core.db import Database
from core.emails import render_email
from core.i18n import formatting_gettext
from core.mail import Mailer
from models.audit import audit
from models.grants.applications import Application, add_timeline_event
from models.grants.decisions import Outcome, decision_in_force, outcome_of
from models.grants.programme import Programme
from models.grants.status_links import status_link
from models.payments.accounts import bank_account, sepa_iban
from models.payments.bank_reports import reason_for_reader
from models.payments.payloads import (
    AccountChangeRef,
    AccountCheckRecord,
    PaymentInput,
    PaymentRef,
    RecordAccountInput,
    RecordCancellationInput,
)
from models.payments.payments import AccountChange, AccountChangeStatus, Payment, PaymentStatus
from models.types import utcnow


class PaymentActivities:
    def __init__(
        self, db: Database, mailer: Mailer, programmes: dict[str, Programme], *, base_url: str, secret: str
    ) -> None:
        self._db, self._programmes = db, programmes
        self._mail = ApplicantMail(db, mailer)
        self._base_url, self._secret = base_url, secret

    @activity.defn(name="create_payment")
    def create_payment(self, request: PaymentInput) -> PaymentRef:
        """The approved grant's payment, to the account in the application; a retry finds the first one."""
        with self._db.session() as session:
            existing = self._payment_of(session, request.application_id)
            if existing is not None:
                return PaymentRef(payment_id=existing.id or 0)
            application = load_application(session, request.application_id)
            # The decision in force: an approval, or a ruling on rectification that amended a rejection to one.
            decision = decision_in_force(session, request.application_id)
            if decision is None or outcome_of(decision) != Outcome.APPROVE:
                raise ValueError(f"application {request.application_id}: no decision in force grants anything")
            iban = str(application.form["payment"]["iban"]).replace(" ", "").upper()
            payment = Payment(
                decision_id=decision.id or 0,
                application_id=request.application_id,
                programme_code=decision.programme_code,
                reference=decision.number,
                amount=decision.amount,
                creditor_name=application.business_name,
                iban=iban,
                bic=bank_account(iban).bic,
                workflow_id=activity.info().workflow_id or "",
            )
            session.add(payment)
            add_timeline_event(session, request.application_id, "payment_waiting")
            try:
                session.commit()
            except IntegrityError:  # a concurrent attempt made it first: one payment per decision, always
                session.rollback()
                made = self._payment_of(session, request.application_id)
                assert made is not None
                return PaymentRef(payment_id=made.id or 0)
            return PaymentRef(payment_id=payment.id or 0)

    @activity.defn(name="ask_for_account")
    async def ask_for_account(self, request: AccountChangeRef) -> None:
        """The bank returned the payment: the applicant is asked for a corrected account on the status page."""
        with self._db.session() as session:
            payment = self._payment(session, request.payment_id)
            application_id, reason = payment.application_id, payment.rejection_reason

        def compose(session: Session, application: Application) -> tuple[str, str]:
            programme = self._programmes[application.programme_code]
            return render_email(
                "payment_returned",
                application.language,
                name=application.applicant_name,
                reference=application.reference,
                programme=programme.title_in(application.language),
                reason=reason_for_reader(reason, formatting_gettext(application.language)),
                status_url=status_link(self._base_url, application_id, self._secret, application.language),
            )

        key = f"payment_returned:{request.payment_id}:{request.seq}"
        if await self._mail.send_once(key, application_id, compose):
            activity.logger.info("asked the applicant of payment %s for a corrected account", request.payment_id)

    @activity.defn(name="record_account_change")
    def record_account_change(self, request: RecordAccountInput) -> None:
        """The account the applicant gave, kept beside the old one until two staff members have checked it."""
        with self._db.session() as session:
            if self._change(session, request.payment_id, request.seq) is not None:
                return
            try:
                iban = sepa_iban(request.iban)
            except ValueError as bad:
                raise InvalidAccount(f"{request.iban[:4]}…: {bad}") from None
            payment = self._payment(session, request.payment_id)
            if iban == payment.iban:
                raise InvalidAccount("the same account the bank returned the payment from")
            session.add(AccountChange(payment_id=request.payment_id, seq=request.seq, iban=iban, old_iban=payment.iban))
            add_timeline_event(session, payment.application_id, f"account_given:{request.seq}", "account_given")
            audit(
                session,
                action="payment_account_given",
                application_id=payment.application_id,
                key=f"payment_account_given:{request.payment_id}:{request.seq}",
                payment=request.payment_id,
                iban=_masked(iban),
            )
            session.commit()

    @activity.defn(name="check_account_change")
    def check_account_change(self, request: AccountCheckRecord) -> None:
        """The first check (a handler): the account is the grantee's, or it is refused and asked for again."""
        with self._db.session() as session:
            change = self._change_or_fail(session, request.payment_id, request.seq)
            if change.status != AccountChangeStatus.GIVEN:
                return
            change.status = AccountChangeStatus.CHECKED if request.accept else AccountChangeStatus.REFUSED
            change.checked_by, change.checked_at, change.note = request.actor.user_id, utcnow(), request.note
            session.add(change)
            self._audit_check(session, "payment_account_checked", request, change)
            session.commit()

    @activity.defn(name="approve_account_change")
    def approve_account_change(self, request: AccountCheckRecord) -> None:
        """The second check (another person): only now is the new account used, for the next batch."""
        with self._db.session() as session:
            change = self._change_or_fail(session, request.payment_id, request.seq)
            if change.status != AccountChangeStatus.CHECKED:
                return
            if change.checked_by == request.actor.user_id:
                raise ValueError("the same person cannot make both checks of an account change")
            change.approved_by, change.approved_at = request.actor.user_id, utcnow()
            change.note = "\n".join(part for part in (change.note, request.note) if part)
            payment = self._payment(session, request.payment_id)
            if request.accept:
                change.status = AccountChangeStatus.APPROVED
                payment.iban, payment.bic = change.iban, bank_account(change.iban).bic
                payment.status, payment.batch_id, payment.rejection_reason = PaymentStatus.UNPAID, None, None
                session.add(payment)
            else:
                change.status = AccountChangeStatus.REFUSED
            session.add(change)
            self._audit_check(session, "payment_account_approved", request, change)
            session.commit()

    @activity.defn(name="cancel_payment")
    def cancel_payment(self, request: RecordCancellationInput) -> None:
        """The grant is cancelled before payment: no batch takes the payment any more."""
        with self._db.session() as session:
            payment = self._payment(session, request.payment_id)
            if payment.status == PaymentStatus.CANCELLED:
                return
            # Conditional, like the batch's claim: a batch taking it at this moment wins, and this refuses.
            cancelled = session.execute(
                update(Payment)
                .where(
                    col(Payment.id) == payment.id,
                    col(Payment.status).in_([PaymentStatus.UNPAID, PaymentStatus.REJECTED]),
                    col(Payment.batch_id).is_(None),
                )
                .values(status=PaymentStatus.CANCELLED)
                .execution_options(synchronize_session=False)
            )
            if cancelled.rowcount != 1:  # type: ignore[attr-defined]
                raise PaymentOnItsWay(f"payment {payment.id} is {payment.status}: it can no longer be cancelled")
            add_timeline_event(session, payment.application_id, "payment_cancelled")
            audit(
                session,
                action="payment_cancelled",
                application_id=payment.application_id,
                actor_id=request.actor.user_id,
                organisation_code=request.actor.organisation_code,
                payment=payment.id,
                reason=request.reason[:500],
            )
            session.commit()

    @staticmethod
    def _audit_check(session: Session, action: str, request: AccountCheckRecord, change: AccountChange) -> None:
        payment = session.get(Payment, request.payment_id)
        assert payment is not None
        audit(
            session,
            action=action,
            application_id=payment.application_id,
            actor_id=request.actor.user_id,
            organisation_code=request.actor.organisation_code,
            key=f"{action}:{request.payment_id}:{request.seq}",
            payment=request.payment_id,
            accepted=request.accept,
            iban=_masked(change.iban),
        )

    @staticmethod
    def _payment_of(session: Session, application_id: int) -> Payment | None:
        return session.exec(select(Payment).where(Payment.application_id == application_id)).first()

    @staticmethod
    def _payment(session: Session, payment_id: int) -> Payment:
        payment = session.get(Payment, payment_id)
        if payment is None:
            raise ApplicationNotFound(f"payment {payment_id} does not exist")
        return payment

    @staticmethod
    def _change(session: Session, payment_id: int, seq: int) -> AccountChange | None:
        return session.exec(
            select(AccountChange).where(AccountChange.payment_id == payment_id, AccountChange.seq == seq)
        ).first()

    def _change_or_fail(self, session: Session, payment_id: int, seq: int) -> AccountChange:
        change = self._change(session, payment_id, seq)
        if change is None:
            raise ValueError(f"payment {payment_id} has no account change {seq}")
        return change


def _masked(iban: str) -> str:
    """The audit trail names an account without spelling it out: country, check digits and the last four."""
    return f"{iban[:4]}…{iban[-4:]}"

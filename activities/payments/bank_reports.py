"""Applying a bank report: each transfer it names becomes paid or returned, once, and its payment's workflow is
told. A line that matches no released transfer is listed for finance, never guessed at.

The whole report is applied in one transaction together with the list of workflows to tell, so a retried
activity tells exactly those and changes nothing twice.
"""

from datetime import date

from sqlmodel import Session, col, select
from temporalio import activity

from activities.payments.recovery import settle_repayments
from core.clock import helsinki_today
from core.db import Database
from core.storage import FileStore
from models.audit import audit, audit_subject
from models.documents import Document
from models.grants.applications import Application, Stage, add_timeline_event
from models.payments.bank_reports import BankReportUnreadable, Outcome, ReportLine, read_bank_report
from models.payments.batches import InstructionStatus, PaymentBatch, PaymentBatchStatus, PaymentInstruction
from models.payments.imports import BankReportImport, ImportStatus
from models.payments.payloads import (
    AppliedReport,
    BankOutcome,
    BankReportRef,
    RepaymentNotice,
    SignalledOutcome,
    SignalledRepayment,
)
from models.payments.payments import Payment, PaymentStatus
from models.payments.recovery import Recovery, Repayment, recovery_of_reference
from models.subjects import SubjectType
from models.types import utcnow


class BankReportActivities:
    def __init__(self, db: Database, store: FileStore) -> None:
        self._db, self._store = db, store

    @activity.defn(name="apply_bank_report")
    def apply(self, ref: BankReportRef) -> AppliedReport:
        with self._db.session() as session:
            report = session.get(BankReportImport, ref.report_id)
            if report is None:
                raise ValueError(f"bank report {ref.report_id} does not exist")
            if report.status == ImportStatus.APPLIED:
                return AppliedReport.model_validate(report.summary)
            document = session.get(Document, report.document_id)
            assert document is not None
            try:
                parsed = read_bank_report(self._store.get(document.storage_key))
            except BankReportUnreadable as unreadable:  # checked on arrival; a changed parser must not loop
                raise ValueError(f"bank report {report.id}: {unreadable}") from None
            applying = _Applying(session, f"bank-report-{report.id}")
            for n, line in enumerate(parsed.lines):
                applying.line(line, n)
            report.summary = {
                **applying.counts,
                "unmatched": applying.unmatched,
                "signals": applying.signals,
                "repayments": applying.repayments,
            }
            report.status, report.applied_at = ImportStatus.APPLIED, utcnow()
            session.add(report)
            audit_subject(
                session,
                action="bank_report_applied",
                subject_type=SubjectType.BANK_REPORT,
                subject_id=report.id or 0,
                actor_id=report.imported_by,
                counts=dict(applying.counts),
                unmatched=len(applying.unmatched),
            )
            session.commit()
            activity.logger.info("bank report %s applied: %s", report.id, applying.counts)
            return AppliedReport.model_validate(report.summary)


class _Applying:
    """One report's lines against the released transfers: what changed, what matched nothing, whom to tell."""

    def __init__(self, session: Session, key: str) -> None:
        self._session, self._key = session, key
        self.counts = {"paid": 0, "rejected": 0, "accepted": 0, "unchanged": 0, "repaid": 0}
        self.unmatched: list[str] = []
        self.signals: list[dict[str, object]] = []
        self.repayments: list[dict[str, object]] = []

    def line(self, line: ReportLine, n: int) -> None:
        if line.outcome == Outcome.REPAID:
            self._repaid(line, n)
            return
        instructions = self._matching(line)
        if not instructions:
            self.unmatched.append(f"{line.outcome}: {line.end_to_end_id or 'the whole file'} ({line.original_msg_id})")
            return
        for instruction in instructions:
            if line.outcome == Outcome.ACCEPTED:
                self.counts["accepted"] += 1
            elif instruction.status != InstructionStatus.PENDING:
                self.counts["unchanged"] += 1  # reported before: nothing happens twice
            else:
                self._settle(instruction, line)

    def _repaid(self, line: ReportLine, n: int) -> None:
        """Money in with a recovery's RF reference: a repayment, counted once (the report and the line)."""
        recovery_id = recovery_of_reference(line.creditor_reference)
        recovery = self._session.get(Recovery, recovery_id) if recovery_id else None
        if recovery is None or recovery.creditor_reference is None or line.amount is None:
            self.unmatched.append(f"money in, reference {line.creditor_reference or '-'}, {line.amount or '-'} EUR")
            return
        key = f"{self._key}/line-{n}"
        if self._session.exec(select(Repayment).where(Repayment.key == key)).first() is not None:
            self.counts["unchanged"] += 1
            return
        on = line.on or helsinki_today()
        self._session.add(Repayment(recovery_id=recovery.id or 0, key=key, amount=line.amount, paid_on=on))
        self._session.flush()
        settle_repayments(self._session, recovery, on)
        audit(
            self._session, action="repayment_recorded", application_id=recovery.application_id, amount=str(line.amount)
        )
        self.counts["repaid"] += 1
        notice = RepaymentNotice(repaid_total=recovery.repaid_amount, on=on)
        self.repayments.append(
            SignalledRepayment(workflow_id=recovery.workflow_id, notice=notice).model_dump(mode="json")
        )

    def _matching(self, line: ReportLine) -> list[PaymentInstruction]:
        if line.end_to_end_id is None and line.original_msg_id is None:
            return []
        query = (
            select(PaymentInstruction)
            .join(PaymentBatch, col(PaymentBatch.id) == col(PaymentInstruction.batch_id))
            .where(PaymentBatch.status == PaymentBatchStatus.RELEASED)
            .order_by(col(PaymentInstruction.id).desc())
        )
        if line.original_msg_id:
            query = query.where(PaymentBatch.msg_id == line.original_msg_id)
        if line.end_to_end_id:
            latest = self._session.exec(query.where(PaymentInstruction.end_to_end_id == line.end_to_end_id)).first()
            return [latest] if latest else []
        return list(self._session.exec(query).all())

    def _settle(self, instruction: PaymentInstruction, line: ReportLine) -> None:
        session = self._session
        on = line.on or helsinki_today()
        paid = line.outcome == Outcome.PAID
        instruction.status = InstructionStatus.PAID if paid else InstructionStatus.REJECTED
        instruction.reason, instruction.reported_on = line.reason, on
        session.add(instruction)
        self.counts["paid" if paid else "rejected"] += 1
        payment = session.get(Payment, instruction.payment_id)
        assert payment is not None
        if payment.status != PaymentStatus.SENT or payment.batch_id != instruction.batch_id:
            self.unmatched.append(f"{instruction.end_to_end_id}: {line.outcome} for a payment that is {payment.status}")
            return
        if paid:
            self._paid(payment, on)
        else:
            self._returned(payment, instruction, line.reason)
        outcome = BankOutcome(outcome=line.outcome, on=on, reason=line.reason)
        self.signals.append(SignalledOutcome(workflow_id=payment.workflow_id, outcome=outcome).model_dump(mode="json"))

    def _paid(self, payment: Payment, on: date) -> None:
        payment.status, payment.paid_on = PaymentStatus.PAID, on
        self._session.add(payment)
        application = self._session.get(Application, payment.application_id)
        assert application is not None
        application.status = Stage.PAID
        self._session.add(application)
        add_timeline_event(self._session, payment.application_id, "paid")
        audit(self._session, action="payment_paid", application_id=payment.application_id, paid_on=on.isoformat())

    def _returned(self, payment: Payment, instruction: PaymentInstruction, reason: str | None) -> None:
        payment.status, payment.batch_id = PaymentStatus.REJECTED, None
        payment.rejection_reason = (reason or "no reason given")[:300]
        self._session.add(payment)
        add_timeline_event(
            self._session, payment.application_id, f"payment_returned:{instruction.id}", "payment_returned"
        )
        audit(self._session, action="payment_returned", application_id=payment.application_id, reason=reason)

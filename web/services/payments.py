"""Finance's work: payment runs, the batches to approve, the bank's reports, accounts to approve.

Every list is of the programmes the user's organisation pays (`Scope.paid_codes`). Work the workflows
do (opening batches, applying a report) is promised through the outbox in the transaction that records
the request, so nothing asked for is lost while Temporal is away.
"""

import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.i18n import N_
from core.storage import FileStore
from core.temporal import TemporalGateway
from models.audit import audit_subject
from models.documents import Document, DocumentKind
from models.grants.applications import Application
from models.outbox import START_BANK_REPORT, START_PAYMENT_RUN, OutboxMessage
from models.payments.accounts import BankAccount, bank_account
from models.payments.bank_reports import BankReportUnreadable, read_bank_report
from models.payments.batches import BatchApproval, PaymentBatch, PaymentInstruction
from models.payments.imports import BankReportImport
from models.payments.payloads import ApproveBatchInput, CheckAccountInput, RefuseBatchInput
from models.payments.payments import AccountChange, AccountChangeStatus, Payment, PaymentStatus
from models.staff import User
from models.subjects import SubjectType
from models.tasks import ACTIVE_STATUSES, Task, TaskKind
from web.services.auth import StaffUser
from web.services.processing import ActionRefused, actor_of, send_update
from workflows.payments.grant_payment import GrantPaymentWorkflow
from workflows.payments.payment_batch import PaymentBatchWorkflow
from workflows.payments.payment_run import batch_workflow_id


class ReportRefused(Exception):
    """The uploaded file is not a bank report this system reads (or was imported already)."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message, self.detail = message, detail  # a msgid for the reader, and the parser's own words


@dataclass(frozen=True)
class StatusLine:
    status: str
    payments: int
    total: Decimal


@dataclass(frozen=True)
class BatchView:
    batch: PaymentBatch
    approvers: list[str]
    approved_by_me: bool


@dataclass(frozen=True)
class AccountApproval:
    """A changed account waiting for its second check: the old and the new, with their banks."""

    task: Task
    application: Application
    change: AccountChange
    old: BankAccount
    new: BankAccount
    checked_by: str


def payments_by_status(session: Session, codes: list[str]) -> list[StatusLine]:
    rows = session.exec(
        select(Payment.status, func.count(col(Payment.id)), func.coalesce(func.sum(col(Payment.amount)), 0))
        .where(col(Payment.programme_code).in_(codes))
        .group_by(col(Payment.status))
    ).all()
    # The sum comes back through the Money column type: euros as Decimal.
    found = {status: (count, Decimal(total)) for status, count, total in rows}
    zero = (0, Decimal("0.00"))
    return [
        StatusLine(str(s), found.get(s, zero)[0], found.get(s, zero)[1].quantize(Decimal("0.01")))
        for s in PaymentStatus
    ]


def batches(session: Session, codes: list[str], user: StaffUser, limit: int = 30) -> list[BatchView]:
    found = session.exec(
        select(PaymentBatch)
        .where(col(PaymentBatch.programme_code).in_(codes))
        .order_by(col(PaymentBatch.id).desc())
        .limit(limit)
    ).all()
    return [_view(session, batch, user) for batch in found]


def batch_view(session: Session, batch: PaymentBatch, user: StaffUser) -> BatchView:
    return _view(session, batch, user)


def _view(session: Session, batch: PaymentBatch, user: StaffUser) -> BatchView:
    approvals = session.exec(
        select(BatchApproval, User)
        .join(User, col(User.id) == col(BatchApproval.user_id))
        .where(BatchApproval.batch_id == batch.id)
        .order_by(col(BatchApproval.id))
    ).all()
    return BatchView(
        batch=batch,
        approvers=[u.full_name for _, u in approvals],
        approved_by_me=any(a.user_id == user.id for a, _ in approvals),
    )


def instructions(session: Session, batch: PaymentBatch) -> list[PaymentInstruction]:
    return list(
        session.exec(
            select(PaymentInstruction)
            .where(PaymentInstruction.batch_id == batch.id)
            .order_by(col(PaymentInstruction.id))
        ).all()
    )


def batch_file(session: Session, files: FileStore, batch: PaymentBatch) -> bytes | None:
    """The file exactly as written (and, once released, as the bank got it)."""
    document = session.get(Document, batch.document_id) if batch.document_id else None
    return files.get(document.storage_key) if document else None


def audit_file_download(session: Session, *, batch: PaymentBatch, user: StaffUser) -> None:
    """A payment file holds every payee's account: who took a copy is on record."""
    audit_subject(
        session,
        action="payment_file_downloaded",
        subject_type=SubjectType.PAYMENT_BATCH,
        subject_id=batch.id or 0,
        actor_id=user.id,
        organisation_code=user.organisation_code,
        sha256=batch.sha256,
    )
    session.commit()


def request_payment_run(session: Session, *, codes: list[str], user: StaffUser) -> str:
    """Promises a payment run for the user's programmes; the worker opens a batch for each with unpaid payments."""
    key = f"payment-run-{uuid.uuid4()}"
    session.add(
        OutboxMessage(topic=START_PAYMENT_RUN, key=key, payload={"programme_codes": codes, "requested_by": user.id})
    )
    session.commit()
    return key


def import_bank_report(
    session: Session, files: FileStore, *, filename: str, data: bytes, imported_by: int | None
) -> BankReportImport:
    """Reads the file at once (a bad one is refused with the reason), keeps it, and promises to apply it."""
    try:
        report = read_bank_report(data)
    except BankReportUnreadable as unreadable:
        raise ReportRefused(N_("The file is not a bank report this service reads"), str(unreadable)) from None
    digest = hashlib.sha256(data).hexdigest()
    if session.exec(select(BankReportImport).where(BankReportImport.sha256 == digest)).first() is not None:
        raise ReportRefused(N_("This file has already been imported: nothing in it is applied twice."))
    key = files.put(data)
    document = Document(
        kind=DocumentKind.BANK_REPORT,
        version=report.message_id[:40],
        language="fi",
        content_type="application/xml",
        size=len(data),
        sha256=digest,
        storage_key=key,
    )
    session.add(document)
    session.flush()
    imported = BankReportImport(
        sha256=digest,
        kind=report.kind,
        message_id=report.message_id[:35],
        filename=filename[:200],
        document_id=document.id or 0,
        imported_by=imported_by,
    )
    session.add(imported)
    session.flush()
    session.add(
        OutboxMessage(topic=START_BANK_REPORT, key=f"bank-report-{imported.id}", payload={"report_id": imported.id})
    )
    audit_subject(
        session,
        action="bank_report_imported",
        subject_type=SubjectType.BANK_REPORT,
        subject_id=imported.id or 0,
        actor_id=imported_by,
        kind=str(report.kind),
        lines=len(report.lines),
        filename=filename[:200],
    )
    session.commit()
    return imported


def bank_reports(session: Session, user: StaffUser, limit: int = 20) -> list[BankReportImport]:
    """Reports imported by finance of the user's organisation, or from the command line."""
    own = select(User.id).where(User.organisation_code == user.organisation_code)
    return list(
        session.exec(
            select(BankReportImport)
            .where(col(BankReportImport.imported_by).is_(None) | col(BankReportImport.imported_by).in_(own))
            .order_by(col(BankReportImport.id).desc())
            .limit(limit)
        ).all()
    )


def account_approvals(session: Session, codes: list[str]) -> list[AccountApproval]:
    """Changed accounts a handler has checked, waiting for a second person's approval."""
    tasks = session.exec(
        select(Task)
        .where(
            Task.kind == TaskKind.ACCOUNT_APPROVAL,
            col(Task.status).in_(ACTIVE_STATUSES),
            col(Task.programme_code).in_(codes),
        )
        .order_by(col(Task.arrived_at))
    ).all()
    found = []
    for task in tasks:
        application = session.get(Application, task.application_id)
        payment = session.exec(select(Payment).where(Payment.application_id == task.application_id)).first()
        change = (
            session.exec(
                select(AccountChange)
                .where(AccountChange.payment_id == payment.id, AccountChange.status == AccountChangeStatus.CHECKED)
                .order_by(col(AccountChange.seq).desc())
            ).first()
            if payment
            else None
        )
        if application is None or change is None:
            continue
        checker = session.get(User, change.checked_by) if change.checked_by else None
        found.append(
            AccountApproval(
                task=task,
                application=application,
                change=change,
                old=bank_account(change.old_iban),
                new=bank_account(change.iban),
                checked_by=checker.full_name if checker else "",
            )
        )
    return found


async def approve_batch(gateway: TemporalGateway, *, batch: PaymentBatch, user: StaffUser) -> int:
    approvals: int = await send_update(
        gateway, batch_workflow_id(batch.id or 0), PaymentBatchWorkflow.approve, ApproveBatchInput(actor=actor_of(user))
    )
    return approvals


async def refuse_batch(gateway: TemporalGateway, *, batch: PaymentBatch, user: StaffUser, reason: str) -> None:
    if not reason.strip():
        raise ActionRefused(N_("Say why the batch is refused."))
    argument = RefuseBatchInput(actor=actor_of(user), reason=reason.strip())
    await send_update(gateway, batch_workflow_id(batch.id or 0), PaymentBatchWorkflow.refuse, argument)


async def second_check(gateway: TemporalGateway, *, task: Task, user: StaffUser, accept: bool, note: str) -> None:
    """The second person's approval (or refusal) of a changed account, sent to the payment's workflow."""
    argument = CheckAccountInput(task_key=task.key, actor=actor_of(user), accept=accept, note=note.strip())
    await send_update(gateway, task.workflow_id, GrantPaymentWorkflow.approve_account, argument)

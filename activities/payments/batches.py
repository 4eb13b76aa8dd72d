"""Payment batches: claim the unpaid payments of a programme, write and validate the pain.001 file, record the
approvals, release the file to the bank.

Every step is idempotent. The batch row, its message id and its instructions are saved before the file is
made, and the file is made from them alone, so a worker that dies after writing the file and before
recording it writes the same bytes again (same ids, same sum) and the store keeps them once.
"""

from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, func, select
from temporalio import activity

from activities.payments.bank import BankConnection
from core.clock import helsinki_today
from core.db import Database
from core.storage import FileStore
from models.audit import audit_subject
from models.documents import Document, DocumentKind
from models.grants.applications import Application, add_timeline_event
from models.grants.programme import Programme
from models.payments.banking_days import next_banking_day
from models.payments.batches import BatchApproval, PaymentBatch, PaymentBatchStatus, PaymentInstruction
from models.payments.payloads import (
    BatchFile,
    CancelBatchInput,
    OpenBatchesInput,
    OpenedBatches,
    PaymentBatchRef,
    RecordApprovalInput,
    Released,
)
from models.payments.payments import Payment, PaymentStatus
from models.payments.sepa import CreditTransferFile, Debtor, InvalidPaymentFile, Transfer, credit_transfer_xml
from models.subjects import SubjectType
from models.types import utcnow

APPROVALS_NEEDED = 2


class PaymentBatchActivities:
    def __init__(
        self,
        db: Database,
        store: FileStore,
        programmes: dict[str, Programme],
        bank: BankConnection,
        *,
        debtor: Debtor,
        schema: str,
    ) -> None:
        self._db, self._store, self._programmes, self._bank = db, store, programmes, bank
        self._debtor, self._schema = debtor, schema

    @activity.defn(name="open_payment_batches")
    def open_batches(self, request: OpenBatchesInput) -> OpenedBatches:
        """A batch per programme with unpaid payments; a retried run finds the batches it opened."""
        codes = request.programme_codes if request.programme_codes is not None else sorted(self._programmes)
        opened = []
        for code in codes:
            with self._db.session() as session:
                batch = self._open(session, request, code)
                if batch is not None:
                    opened.append(batch.id or 0)
        return OpenedBatches(batch_ids=opened)

    def _open(self, session: Session, request: OpenBatchesInput, code: str) -> PaymentBatch | None:
        batch = session.exec(
            select(PaymentBatch).where(PaymentBatch.run_id == request.run_id, PaymentBatch.programme_code == code)
        ).first()
        if batch is None:
            if not self._unpaid(session, code):
                return None
            batch = PaymentBatch(
                programme_code=code,
                run_id=request.run_id,
                execution_date=next_banking_day(helsinki_today()),
                schema_version=self._schema,
                created_by=request.requested_by,
            )
            session.add(batch)
            session.flush()
            batch.msg_id = f"GRANTDESK-{batch.id:010d}"
        if batch.status == PaymentBatchStatus.PREPARING:
            self._claim(session, batch)
        session.commit()
        return batch if batch.payments else None

    def _claim(self, session: Session, batch: PaymentBatch) -> None:
        """One conditional UPDATE: two runs at the same moment never put a payment in two batches."""
        session.execute(
            update(Payment)
            .where(
                col(Payment.programme_code) == batch.programme_code,
                col(Payment.status) == PaymentStatus.UNPAID,
                col(Payment.batch_id).is_(None),
            )
            .values(batch_id=batch.id, status=PaymentStatus.IN_BATCH)
            .execution_options(synchronize_session=False)
        )
        programme = self._programmes[batch.programme_code]
        listed = set(
            session.exec(select(PaymentInstruction.payment_id).where(PaymentInstruction.batch_id == batch.id)).all()
        )
        claimed = session.exec(select(Payment).where(Payment.batch_id == batch.id).order_by(col(Payment.id))).all()
        for payment in claimed:
            if payment.id in listed:
                continue
            application = session.get(Application, payment.application_id)
            language = application.language if application else "fi"
            session.add(
                PaymentInstruction(
                    batch_id=batch.id or 0,
                    payment_id=payment.id or 0,
                    end_to_end_id=payment.reference,
                    creditor_name=payment.creditor_name,
                    iban=payment.iban,
                    bic=payment.bic,
                    amount=payment.amount,
                    remittance=f"{programme.title_in(language)} {payment.reference}"[:140],
                )
            )
        session.flush()
        batch.payments, batch.total = self._totals(session, batch)
        if batch.payments == 0:
            batch.status = PaymentBatchStatus.EMPTY
        session.add(batch)

    @activity.defn(name="write_payment_file")
    def write_file(self, ref: PaymentBatchRef) -> BatchFile:
        """The pain.001 file, validated against its XSD and archived; a retry writes the very same bytes."""
        with self._db.session() as session:
            batch = self._batch(session, ref.batch_id)
            if batch.status != PaymentBatchStatus.PREPARING:
                return BatchFile(batch_id=ref.batch_id, sha256=batch.sha256)
            try:
                xml = credit_transfer_xml(self._file_of(session, batch))
            except InvalidPaymentFile as invalid:
                activity.logger.error("payment batch %s: %s", batch.id, invalid)
                return BatchFile(batch_id=ref.batch_id, invalid=str(invalid)[:500])
            key = self._store.put(xml)
            document = Document(
                kind=DocumentKind.PAYMENT_FILE,
                version=batch.msg_id,
                programme_code=batch.programme_code,
                language="fi",
                content_type="application/xml",
                size=len(xml),
                sha256=key,
                storage_key=key,
            )
            session.add(document)
            session.flush()
            batch.document_id, batch.sha256, batch.status = document.id, key, PaymentBatchStatus.AWAITING_APPROVAL
            session.add(batch)
            self._audit(session, batch, "payment_file_written", None, sha256=key, total=str(batch.total))
            session.commit()
            return BatchFile(batch_id=ref.batch_id, sha256=key)

    def _file_of(self, session: Session, batch: PaymentBatch) -> CreditTransferFile:
        instructions = session.exec(
            select(PaymentInstruction)
            .where(PaymentInstruction.batch_id == batch.id)
            .order_by(col(PaymentInstruction.id))
        ).all()
        return CreditTransferFile(
            msg_id=batch.msg_id,
            created_at=batch.created_at,
            execution_date=batch.execution_date,
            debtor=self._debtor,
            schema=batch.schema_version,
            transfers=tuple(
                Transfer(
                    end_to_end_id=i.end_to_end_id,
                    creditor_name=i.creditor_name,
                    iban=i.iban,
                    bic=i.bic,
                    amount=i.amount,
                    remittance=i.remittance,
                )
                for i in instructions
            ),
        )

    @activity.defn(name="record_batch_approval")
    def record_approval(self, request: RecordApprovalInput) -> int:
        """One approval per person (the key refuses a second); returns how many people have approved."""
        with self._db.session() as session:
            batch = self._batch(session, request.batch_id)
            exists = session.exec(
                select(BatchApproval).where(
                    BatchApproval.batch_id == batch.id, BatchApproval.user_id == request.actor.user_id
                )
            ).first()
            if exists is None:
                session.add(
                    BatchApproval(batch_id=batch.id or 0, user_id=request.actor.user_id, sha256=batch.sha256 or "")
                )
                self._audit(session, batch, "payment_batch_approved", request.actor.user_id, sha256=batch.sha256)
                session.commit()
            return self._approvals(session, batch)

    @activity.defn(name="release_payment_batch")
    def release(self, ref: PaymentBatchRef) -> Released:
        """To the bank, once: the approved file exactly as written; its payments are then on their way."""
        with self._db.session() as session:
            batch = self._batch(session, ref.batch_id)
            if batch.status == PaymentBatchStatus.RELEASED:
                return Released(batch_id=ref.batch_id, released=True)
            if (
                batch.status != PaymentBatchStatus.AWAITING_APPROVAL
                or self._approvals(session, batch) < APPROVALS_NEEDED
            ):
                return Released(batch_id=ref.batch_id, released=False, refused="not approved by two people")
            if batch.execution_date < helsinki_today():
                return Released(
                    batch_id=ref.batch_id, released=False, refused=f"its execution date {batch.execution_date} passed"
                )
            document = session.get(Document, batch.document_id)
            assert document is not None
            content = self._store.get(document.storage_key)
            self._bank.deliver(f"{batch.msg_id}.xml", content)
            batch.status, batch.released_at = PaymentBatchStatus.RELEASED, utcnow()
            session.add(batch)
            for payment in self._payments(session, batch, PaymentStatus.IN_BATCH):
                payment.status = PaymentStatus.SENT
                session.add(payment)
                add_timeline_event(session, payment.application_id, f"payment_sent:{batch.id}", "payment_sent")
            self._audit(session, batch, "payment_batch_released", None, sha256=batch.sha256)
            session.commit()
            return Released(batch_id=ref.batch_id, released=True)

    @activity.defn(name="cancel_payment_batch")
    def cancel(self, request: CancelBatchInput) -> None:
        """Refused or unusable: the batch is closed and its payments wait for the next one."""
        with self._db.session() as session:
            batch = self._batch(session, request.batch_id)
            if batch.status in (PaymentBatchStatus.CANCELLED, PaymentBatchStatus.EMPTY):
                return
            if batch.status == PaymentBatchStatus.RELEASED:
                raise ValueError(f"payment batch {batch.id} was released to the bank: it cannot be cancelled")
            batch.status, batch.cancelled_reason = PaymentBatchStatus.CANCELLED, request.reason[:500]
            session.add(batch)
            for payment in self._payments(session, batch, PaymentStatus.IN_BATCH):
                payment.status, payment.batch_id = PaymentStatus.UNPAID, None
                session.add(payment)
            self._audit(session, batch, "payment_batch_cancelled", request.actor_id, reason=request.reason[:500])
            session.commit()

    @staticmethod
    def _unpaid(session: Session, code: str) -> bool:
        return (
            session.exec(
                select(Payment.id).where(
                    Payment.programme_code == code,
                    Payment.status == PaymentStatus.UNPAID,
                    col(Payment.batch_id).is_(None),
                )
            ).first()
            is not None
        )

    @staticmethod
    def _totals(session: Session, batch: PaymentBatch) -> tuple[int, Decimal]:
        instructions = session.exec(select(PaymentInstruction).where(PaymentInstruction.batch_id == batch.id)).all()
        return len(instructions), sum((i.amount for i in instructions), Decimal("0.00"))

    @staticmethod
    def _approvals(session: Session, batch: PaymentBatch) -> int:
        count = session.exec(select(func.count()).select_from(BatchApproval).where(BatchApproval.batch_id == batch.id))
        return int(count.one())

    @staticmethod
    def _payments(session: Session, batch: PaymentBatch, status: PaymentStatus) -> list[Payment]:
        return list(session.exec(select(Payment).where(Payment.batch_id == batch.id, Payment.status == status)).all())

    @staticmethod
    def _batch(session: Session, batch_id: int) -> PaymentBatch:
        batch = session.get(PaymentBatch, batch_id)
        if batch is None:
            raise ValueError(f"payment batch {batch_id} does not exist")
        return batch

    @staticmethod
    def _audit(session: Session, batch: PaymentBatch, action: str, actor_id: int | None, **detail: Any) -> None:
        audit_subject(
            session,
            action=action,
            subject_type=SubjectType.PAYMENT_BATCH,
            subject_id=batch.id or 0,
            actor_id=actor_id,
            programme=batch.programme_code,
            **detail,
        )

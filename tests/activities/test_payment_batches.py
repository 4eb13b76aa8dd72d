"""Payment batches on both databases: a payment in exactly one batch, one payment per decision, the file
written again after a crash is the same file with the same ids, two approvals, release once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from activities.payments.bank import FileAlreadyDelivered, OutgoingFolder
from activities.payments.batches import PaymentBatchActivities
from core.db import Database
from core.storage import LocalFileStore
from models.actors import Actor
from models.documents import Document, DocumentKind
from models.grants.decisions import Decision, Proposal
from models.grants.programme import Programme
from models.payments.batches import PaymentBatch, PaymentBatchStatus, PaymentInstruction
from models.payments.payloads import CancelBatchInput, OpenBatchesInput, PaymentBatchRef, RecordApprovalInput
from models.payments.payments import Payment, PaymentStatus
from models.payments.sepa import Debtor
from models.staff import Role
from tests.factories import PERSONAL_IDS
from tests.workflow_helpers import accept, seed_staff

DEBTOR = Debtor(name="Espoon kaupunki", iban="FI2112345600000785", bic="NDEAFIHH")
PAYMENTS = 5


def approved_payments(db: Database, programme: Programme, handler: int, decider: int, count: int = PAYMENTS) -> None:
    """Decided grants with their payments waiting for a batch (as GrantPaymentWorkflow makes them)."""
    for n in range(count):
        application_id = accept(db, programme, applicant__personal_id=PERSONAL_IDS[n % len(PERSONAL_IDS)])
        with db.session() as session:
            proposal = Proposal(
                application_id=application_id, seq=1, outcome="approve", amount=programme.amount, reasons=[],
                justification="-", proposer_id=handler,
            )  # fmt: skip
            session.add(proposal)
            session.flush()
            decision = Decision(
                application_id=application_id, programme_code=programme.code, year=2020, seq=n + 1,
                number=f"ESP 2020/{n + 1:06d}", outcome="approve", amount=programme.amount, reasons=[],
                justification="-", proposal_id=proposal.id or 0, presenter_id=handler, decider_id=decider,
            )  # fmt: skip
            session.add(decision)
            session.flush()
            session.add(
                Payment(
                    decision_id=decision.id or 0, application_id=application_id, programme_code=programme.code,
                    reference=decision.number, amount=programme.amount, creditor_name=f"Toiminimi {n}",
                    iban="FI4950009420028730", workflow_id=f"grant-{application_id}/payment",
                )
            )  # fmt: skip
            session.commit()


@pytest.fixture
def activities(db: Database, programmes: dict[str, Programme], tmp_path: Path) -> PaymentBatchActivities:
    return PaymentBatchActivities(
        db,
        LocalFileStore(tmp_path / "documents"),
        programmes,
        OutgoingFolder(tmp_path / "outgoing"),
        debtor=DEBTOR,
        schema="pain.001.001.09",
    )


@pytest.fixture
def staff(db: Database, programme: Programme) -> dict[str, Actor]:
    actors = seed_staff(db)
    approved_payments(db, programme, actors["handler"].user_id, actors["decider"].user_id)
    return actors


def finance(user_id: int) -> Actor:
    return Actor(user_id=user_id, name=f"F{user_id}", organisation_code="E", roles=[Role.FINANCE])


def test_two_runs_at_the_same_moment_never_put_a_payment_in_two_batches(
    db: Database, activities: PaymentBatchActivities, staff: dict[str, Actor]
) -> None:
    start = threading.Barrier(4)

    def run(n: int) -> list[int]:
        start.wait()
        return activities.open_batches(OpenBatchesInput(run_id=f"run-{n}")).batch_ids

    with ThreadPoolExecutor(max_workers=4) as pool:
        by_run = list(pool.map(run, range(4)))
    opened = [batch for batches in by_run for batch in batches]

    with db.session() as session:
        payments = session.exec(select(Payment)).all()
        listed = session.exec(select(PaymentInstruction)).all()
        assert all(p.status == PaymentStatus.IN_BATCH and p.batch_id in opened for p in payments)
        assert sorted(i.payment_id for i in listed) == sorted(p.id or 0 for p in payments)  # each in exactly one batch
        batches = session.exec(select(PaymentBatch).where(col(PaymentBatch.id).in_(opened))).all()
        assert sum(b.payments for b in batches) == PAYMENTS
        assert sum((b.total for b in batches), Decimal(0)) == Decimal("10000.00")
    # a retried run finds the batches it opened before, and opens no other
    assert [activities.open_batches(OpenBatchesInput(run_id=f"run-{n}")).batch_ids for n in range(4)] == by_run


def test_a_second_payment_for_the_same_decision_is_refused_by_the_database(
    db: Database, staff: dict[str, Actor]
) -> None:
    with db.session() as session:
        first = session.exec(select(Payment)).first()
        assert first is not None
        fields = first.model_dump(exclude={"id", "reference"})
        session.add(Payment(**fields, reference="ESP 2020/999999"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_a_worker_dying_after_the_file_was_written_writes_the_same_file_with_the_same_ids(
    db: Database, activities: PaymentBatchActivities, staff: dict[str, Actor], tmp_path: Path
) -> None:
    [batch_id] = activities.open_batches(OpenBatchesInput(run_id="run")).batch_ids
    ref = PaymentBatchRef(batch_id=batch_id)
    store = activities._store
    written: list[bytes] = []
    real_put = store.put

    def put_then_die(data: bytes) -> str:
        written.append(data)
        real_put(data)
        raise SystemExit("worker killed after the file was written, before the batch was recorded")

    with mock.patch.object(store, "put", side_effect=put_then_die), pytest.raises(SystemExit):
        activities.write_file(ref)
    with db.session() as session:
        batch = session.get(PaymentBatch, batch_id)
        assert batch is not None and batch.status == PaymentBatchStatus.PREPARING and batch.document_id is None

    retried = activities.write_file(ref)  # the retry after the restart

    assert retried.sha256 is not None and retried.invalid is None
    with db.session() as session:
        batch = session.get(PaymentBatch, batch_id)
        assert batch is not None
        files = session.exec(select(Document).where(Document.kind == DocumentKind.PAYMENT_FILE)).all()
        assert len(files) == 1 and files[0].sha256 == retried.sha256
        assert len(session.exec(select(PaymentBatch)).all()) == 1
        assert (batch.status, batch.sha256) == (PaymentBatchStatus.AWAITING_APPROVAL, retried.sha256)
    assert store.get(retried.sha256) == written[0]  # byte for byte the file the dead worker wrote
    assert b"<MsgId>GRANTDESK-" in written[0]
    assert activities.write_file(ref).sha256 == retried.sha256  # and again: nothing new


def test_two_different_people_approve_before_the_file_goes_to_the_bank_once(
    db: Database, activities: PaymentBatchActivities, staff: dict[str, Actor], tmp_path: Path
) -> None:
    [batch_id] = activities.open_batches(OpenBatchesInput(run_id="run")).batch_ids
    ref = PaymentBatchRef(batch_id=batch_id)
    sha = activities.write_file(ref).sha256
    one, two = staff["handler"].user_id, staff["decider"].user_id  # any staff rows will do as approvers

    assert activities.release(ref).released is False  # nobody approved yet
    assert activities.record_approval(RecordApprovalInput(batch_id=batch_id, actor=finance(one))) == 1
    assert activities.record_approval(RecordApprovalInput(batch_id=batch_id, actor=finance(one))) == 1  # again: same
    assert activities.release(ref).released is False
    assert activities.record_approval(RecordApprovalInput(batch_id=batch_id, actor=finance(two))) == 2
    with mock.patch("activities.payments.batches.helsinki_today", return_value=date(2020, 6, 1)):
        assert activities.release(ref).released is True
        assert activities.release(ref).released is True  # a retry delivers nothing new

    with db.session() as session:
        batch = session.get(PaymentBatch, batch_id)
        assert batch is not None and batch.status == PaymentBatchStatus.RELEASED
        assert {p.status for p in session.exec(select(Payment)).all()} == {PaymentStatus.SENT}
        msg_id = batch.msg_id
    delivered = (tmp_path / "outgoing" / f"{msg_id}.xml").read_bytes()
    assert activities._store.get(sha or "") == delivered
    with pytest.raises(FileAlreadyDelivered):
        OutgoingFolder(tmp_path / "outgoing").deliver(f"{msg_id}.xml", delivered + b" ")
    with pytest.raises(ValueError, match="released"):
        activities.cancel(CancelBatchInput(batch_id=batch_id, reason="too late"))


def test_a_batch_whose_execution_date_passed_is_not_released_and_a_cancelled_one_frees_its_payments(
    db: Database, activities: PaymentBatchActivities, staff: dict[str, Actor]
) -> None:
    [batch_id] = activities.open_batches(OpenBatchesInput(run_id="run")).batch_ids
    ref = PaymentBatchRef(batch_id=batch_id)
    activities.write_file(ref)
    for user in (staff["handler"], staff["decider"]):
        activities.record_approval(RecordApprovalInput(batch_id=batch_id, actor=finance(user.user_id)))

    with mock.patch("activities.payments.batches.helsinki_today", return_value=date(2099, 1, 1)):
        refused = activities.release(ref)
    activities.cancel(CancelBatchInput(batch_id=batch_id, reason=f"not released: {refused.refused}"))

    assert refused.released is False and "execution date" in (refused.refused or "")
    with db.session() as session:
        assert {(p.status, p.batch_id) for p in session.exec(select(Payment)).all()} == {(PaymentStatus.UNPAID, None)}
    [again] = activities.open_batches(OpenBatchesInput(run_id="next run")).batch_ids
    assert again != batch_id

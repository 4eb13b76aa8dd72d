"""Two print batches asked for at the same moment never take the same letter, and none takes more than a batch's
size: the post room asks for as many batches as the letters need (SQLite and PostgreSQL)."""

import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from activities.serving.print_batch import PrintBatchActivities
from core.db import Database
from core.storage import LocalFileStore
from models.grants.decisions import Decision, Proposal
from models.grants.programme import Programme
from models.outbox import START_PRINT_BATCH, OutboxMessage
from models.serving.payloads import PrintBatchRef
from models.serving.print_batches import PrintBatch
from models.types import utcnow
from tests.factories import PERSONAL_IDS
from tests.support import SCRATCH
from tests.workflow_helpers import accept, seed_staff
from web.services import print_batch as print_batch_service
from web.services.auth import load_staff_user

LETTERS = 6


def letters_waiting(db: Database, programme: Programme, handler: int, decider: int) -> None:
    """Decided applications whose letters wait for the post room."""
    for n in range(LETTERS):
        application_id = accept(db, programme, applicant__personal_id=PERSONAL_IDS[n % len(PERSONAL_IDS)])
        with db.session() as session:
            proposal = Proposal(
                application_id=application_id,
                seq=1,
                outcome="reject",
                amount=Decimal("0.00"),
                reasons=["LATE"],
                justification="-",
                proposer_id=handler,
            )
            session.add(proposal)
            session.flush()
            session.add(
                Decision(
                    application_id=application_id,
                    programme_code=programme.code,
                    year=2020,
                    seq=n + 1,
                    number=f"T 2020/{n + 1:06d}",
                    outcome="reject",
                    amount=Decimal("0.00"),
                    reasons=["LATE"],
                    justification="-",
                    proposal_id=proposal.id or 0,
                    presenter_id=handler,
                    decider_id=decider,
                    channel="letter",
                )
            )
            session.commit()


def batches_asked_for(db: Database, programme: Programme, count: int) -> list[PrintBatchRef]:
    """`LETTERS` letters waiting, and `count` batches made for them (not yet claimed)."""
    staff = seed_staff(db)
    letters_waiting(db, programme, staff["handler"].user_id, staff["decider"].user_id)
    with db.session() as session:
        batches = [
            PrintBatch(programme_code=programme.code, made_on=date(2020, 6, 1), created_by=staff["handler"].user_id)
            for _ in range(count)
        ]
        session.add_all(batches)
        session.commit()
        return [PrintBatchRef(print_batch_id=b.id or 0) for b in batches]


def test_concurrent_batches_split_the_letters_between_them(
    db: Database, programme: Programme, programmes: dict[str, Programme]
) -> None:
    refs = batches_asked_for(db, programme, 4)
    # Claiming renders nothing: the pool is never started.
    activities = PrintBatchActivities(db, LocalFileStore(SCRATCH / "claims"), programmes, ProcessPoolExecutor(1))
    start = threading.Barrier(len(refs))

    def claim(ref: PrintBatchRef) -> int:
        start.wait()
        return activities.claim_letters(ref).letters

    with ThreadPoolExecutor(max_workers=len(refs)) as pool:
        claimed = list(pool.map(claim, refs))

    assert sum(claimed) == LETTERS  # every letter in exactly one batch
    with db.session() as session:
        decisions = session.exec(select(Decision)).all()
        assert all(d.print_batch_id is not None for d in decisions)
        # a retried claim takes the same letters again, and nothing new
        again = [activities.claim_letters(ref).letters for ref in refs]
    assert again == claimed


def test_a_batch_takes_at_most_its_size_oldest_first_and_a_retry_no_more(
    db: Database, programme: Programme, programmes: dict[str, Programme]
) -> None:
    refs = batches_asked_for(db, programme, 2)
    activities = PrintBatchActivities(
        db, LocalFileStore(SCRATCH / "claims"), programmes, ProcessPoolExecutor(1), letters_per_batch=4
    )

    claimed = [activities.claim_letters(ref).letters for ref in refs]
    retried = activities.claim_letters(refs[0]).letters

    assert claimed == [4, LETTERS - 4]
    assert retried == 4
    with db.session() as session:
        decisions = session.exec(select(Decision).order_by(col(Decision.id))).all()
    assert [d.print_batch_id for d in decisions] == [refs[0].print_batch_id] * 4 + [refs[1].print_batch_id] * 2


def test_the_post_room_asks_for_as_many_batches_as_the_waiting_letters_need(
    db: Database, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(print_batch_service, "LETTERS_PER_BATCH", 4)
    staff = seed_staff(db)
    letters_waiting(db, programme, staff["handler"].user_id, staff["decider"].user_id)
    with db.session() as session:
        coordinator = load_staff_user(session, staff["handler"].user_id)
        assert coordinator is not None
        batches = print_batch_service.request_print_batches(
            session, programme_codes=[programme.code], user=coordinator, now=utcnow()
        )
        starts = session.exec(select(OutboxMessage).where(OutboxMessage.topic == START_PRINT_BATCH)).all()
        waiting = print_batch_service.pending_letter_count(session, [programme.code])

    assert len(batches) == 2  # 6 letters, 4 to a batch
    assert sorted(m.key for m in starts) == sorted(f"print-batch-{b.id}" for b in batches)
    assert waiting == LETTERS  # claimed by the batches' workflows, not by the request

"""Two print batches asked for at the same moment never take the same letter (SQLite and PostgreSQL)."""

import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from decimal import Decimal

from sqlmodel import select

from activities.serving.print_batch import PrintBatchActivities
from core.db import Database
from core.storage import LocalFileStore
from models.grants.decisions import Decision, Proposal
from models.grants.programme import Programme
from models.serving.payloads import PrintBatchRef
from models.serving.print_batches import PrintBatch
from tests.factories import PERSONAL_IDS
from tests.support import SCRATCH
from tests.workflow_helpers import accept, seed_staff

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


def test_concurrent_batches_split_the_letters_between_them(
    db: Database, programme: Programme, programmes: dict[str, Programme]
) -> None:
    staff = seed_staff(db)
    letters_waiting(db, programme, staff["handler"].user_id, staff["decider"].user_id)
    with db.session() as session:
        batches = [
            PrintBatch(programme_code=programme.code, made_on=date(2020, 6, 1), created_by=staff["handler"].user_id)
            for _ in range(4)
        ]
        session.add_all(batches)
        session.commit()
        refs = [PrintBatchRef(print_batch_id=b.id or 0) for b in batches]
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

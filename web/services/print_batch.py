"""The post room's print batch, asked for on the coordination page and made by PrintBatchWorkflow on the worker.

One batch per programme, so a batch belongs to the organisations processing that programme and to
nobody else (web/scope.py). The request writes the batch row and the outbox promise to start its
workflow in one transaction; the letters are claimed, rendered and dated by the workflow.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from core.clock import helsinki_today
from models.grants.decisions import Decision
from models.outbox import START_PRINT_BATCH, OutboxMessage
from models.serving.print_batches import PrintBatch
from models.time_limits import Channel
from web.services.auth import StaffUser


def pending_letters(session: Session, programme_codes: list[str]) -> list[Decision]:
    """Letters waiting for the post room and not yet taken by a batch."""
    return list(
        session.exec(
            select(Decision)
            .where(
                Decision.channel == Channel.LETTER,
                col(Decision.sent_at).is_(None),
                col(Decision.print_batch_id).is_(None),
                col(Decision.programme_code).in_(programme_codes),
            )
            .order_by(col(Decision.id))
        ).all()
    )


def request_print_batches(
    session: Session, *, programme_codes: list[str], user: StaffUser, now: datetime
) -> list[PrintBatch]:
    """A batch for each programme with letters waiting, posted today; the worker makes them."""
    batches = []
    for code in programme_codes:
        if not pending_letters(session, [code]):
            continue
        batch = PrintBatch(programme_code=code, posted_on=helsinki_today(now), created_by=user.id)
        session.add(batch)
        session.flush()
        session.add(
            OutboxMessage(topic=START_PRINT_BATCH, key=f"print-batch-{batch.id}", payload={"print_batch_id": batch.id})
        )
        batches.append(batch)
    session.commit()
    return batches


def print_batches(session: Session, programme_codes: list[str], limit: int = 20) -> list[PrintBatch]:
    """The latest batches of the given programmes (the caller's scope)."""
    return list(
        session.exec(
            select(PrintBatch)
            .where(col(PrintBatch.programme_code).in_(programme_codes))
            .order_by(col(PrintBatch.id).desc())
            .limit(limit)
        ).all()
    )

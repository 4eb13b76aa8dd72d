"""The post room's print batch, asked for on the coordination page and made by PrintBatchWorkflow on the worker.

A batch holds one programme's letters, so it belongs to the organisations processing that programme and
to nobody else (web/scope.py), and at most `LETTERS_PER_BATCH` of them: a campaign's thousands of letters
become several batches. The request writes the batch row and the outbox promise to start its
workflow in one transaction; the letters are claimed and printed by the workflow, undated. Once the
letters have left, the post room confirms the day (`confirm_posting`): the workflow dates them.
"""

from datetime import date, datetime
from math import ceil

from sqlmodel import Session, col, func, select

from core.clock import helsinki_today
from core.i18n import N_
from core.temporal import TemporalGateway
from models.grants.decisions import Decision
from models.outbox import START_PRINT_BATCH, OutboxMessage
from models.serving.payloads import ConfirmPostingInput
from models.serving.print_batches import LETTERS_PER_BATCH, PrintBatch, PrintBatchStatus, waiting_for_the_post_room
from web.services.auth import StaffUser
from web.services.processing import ActionRefused, actor_of, send_update
from workflows.serving.print_batch import PrintBatchWorkflow


def pending_letter_count(session: Session, programme_codes: list[str]) -> int:
    """Letters waiting for the post room and not yet taken by a batch."""
    waiting = select(func.count()).select_from(Decision).where(*waiting_for_the_post_room(programme_codes))
    return int(session.exec(waiting).one())


def request_print_batches(
    session: Session, *, programme_codes: list[str], user: StaffUser, now: datetime
) -> list[PrintBatch]:
    """For each programme with letters waiting, as many batches as its letters need (`LETTERS_PER_BATCH` each),
    made today; the worker prints them."""
    batches = []
    for code in programme_codes:
        for _ in range(ceil(pending_letter_count(session, [code]) / LETTERS_PER_BATCH)):
            batch = PrintBatch(programme_code=code, made_on=helsinki_today(now), created_by=user.id)
            session.add(batch)
            session.flush()
            session.add(
                OutboxMessage(
                    topic=START_PRINT_BATCH, key=f"print-batch-{batch.id}", payload={"print_batch_id": batch.id}
                )
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


def print_batch_workflow_id(batch: PrintBatch) -> str:
    return f"print-batch-{batch.id}"


def check_posting_day(batch: PrintBatch, value: str, now: datetime) -> date:
    """The day the letters left, as the post room enters it: not before the batch was made, not in the future."""
    try:
        posted_on = date.fromisoformat(value)
    except ValueError:
        raise ActionRefused(N_("Enter the day the letters left, for example 2020-06-01.")) from None
    if posted_on < batch.made_on:
        raise ActionRefused(N_("The letters cannot have left before the batch was made."))
    if posted_on > helsinki_today(now):
        raise ActionRefused(N_("The posting day cannot be in the future."))
    return posted_on


async def confirm_posting(gateway: TemporalGateway, *, batch: PrintBatch, posted_on: date, user: StaffUser) -> None:
    """Tells the batch's workflow the day its letters left; the workflow dates them and serves the decisions."""
    if batch.status == PrintBatchStatus.POSTED:
        raise ActionRefused(N_("The posting of this batch has already been confirmed."))
    if batch.status != PrintBatchStatus.PRINTED:
        raise ActionRefused(N_("Only a printed batch waiting to be posted can be confirmed."))
    await send_update(
        gateway,
        print_batch_workflow_id(batch),
        PrintBatchWorkflow.confirm_posted,
        ConfirmPostingInput(actor=actor_of(user), posted_on=posted_on),
    )

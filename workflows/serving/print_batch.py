"""The post room's print batch for one programme (id `print-batch-<id>`), started from the coordination page.

Claims the letters waiting for post and prints them undated in one PDF. The post room then confirms
the day the letters actually left (`confirm_posted`, a separate step: a batch printed on Saturday may
leave on Monday); only then are the letters dated, and each decision's serving workflow is told that
day, from which the rectification period counts. A letter that could not be made is set aside and
its serving workflow told why, so a handler can act on it.
"""

import asyncio
from dataclasses import dataclass
from datetime import date

from temporalio import workflow
from temporalio.exceptions import ApplicationError, FailureError

from workflows.options import DATABASE, RENDERING
from workflows.serving.decision import ServeDecisionWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.serving.print_batch import PrintBatchActivities
    from core.clock import helsinki_today
    from core.i18n import N_
    from models.serving.payloads import (
        ClaimedLetters,
        ConfirmPostingInput,
        LetterHeld,
        Posted,
        PrintBatchDone,
        PrintBatchRef,
        RecordPostingInput,
    )
    from models.staff import Role

POSTING_CONFIRMED = "posting-confirmed-by-the-post-room"


@dataclass
class BatchState:
    batch_id: int
    made_on: date | None = None
    printed: bool = False
    posting: ConfirmPostingInput | None = None


@workflow.defn
class PrintBatchWorkflow:
    @workflow.init
    def __init__(self, ref: PrintBatchRef) -> None:
        self._state = BatchState(batch_id=ref.print_batch_id)
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, ref: PrintBatchRef) -> PrintBatchDone:
        claimed = await workflow.execute_activity_method(PrintBatchActivities.claim_letters, ref, **DATABASE)
        await self._tell_held(ref, claimed)
        if claimed.letters == 0:
            return PrintBatchDone(letters=0, document_id=None, posted_on=claimed.posted_on)
        # Batches made before postings were confirmed were dated when made (`posted_on`): they go on as then.
        if claimed.posted_on is None and workflow.patched(POSTING_CONFIRMED):
            self._state.made_on = claimed.made_on
            await workflow.execute_activity_method(PrintBatchActivities.render_print_batch, ref, **RENDERING)
            self._state.printed = True
            await workflow.wait_condition(lambda: self._state.posting is not None)
            posting = self._state.posting
            assert posting is not None
            done = await workflow.execute_activity_method(
                PrintBatchActivities.record_posting,
                RecordPostingInput(
                    print_batch_id=ref.print_batch_id, posted_on=posting.posted_on, confirmed_by=posting.actor.user_id
                ),
                **RENDERING,
            )
        else:
            done = await workflow.execute_activity_method(PrintBatchActivities.render_print_batch, ref, **RENDERING)
        assert done.posted_on is not None
        await self._tell_posted(ref, claimed, done.posted_on)
        return done

    async def _tell_posted(self, ref: PrintBatchRef, claimed: ClaimedLetters, posted_on: date) -> None:
        posted = Posted(print_batch_id=ref.print_batch_id, posted_on=posted_on)
        for serving in claimed.serving_workflow_ids:
            try:
                await workflow.get_external_workflow_handle(serving).signal(ServeDecisionWorkflow.posted, posted)
            except FailureError as gone:
                # Decided before serving was its own workflow: nobody waits, the letter is dated all the same.
                workflow.logger.info("print batch %s: %s not told (%s)", ref.print_batch_id, serving, gone)

    async def _tell_held(self, ref: PrintBatchRef, claimed: ClaimedLetters) -> None:
        for letter in claimed.held:
            held = LetterHeld(print_batch_id=ref.print_batch_id, reason=letter.reason)
            try:
                await workflow.get_external_workflow_handle(letter.serving_workflow_id).signal(
                    ServeDecisionWorkflow.letter_held, held
                )
            except FailureError as gone:
                workflow.logger.warning(
                    "print batch %s: %s not told of its held letter (%s)",
                    ref.print_batch_id,
                    letter.serving_workflow_id,
                    gone,
                )

    @workflow.update
    async def confirm_posted(self, request: ConfirmPostingInput) -> None:
        """Recorded at once (the coordination page shows the day when it reloads); the letters are dated after."""
        async with self._lock:
            try:
                self._check_posting(request)
            except ValueError as refused:
                raise ApplicationError(str(refused), type="ActionRefused", non_retryable=True) from None
            await workflow.execute_activity_method(
                PrintBatchActivities.mark_posting,
                RecordPostingInput(
                    print_batch_id=self._state.batch_id, posted_on=request.posted_on, confirmed_by=request.actor.user_id
                ),
                **DATABASE,
            )
            self._state.posting = request

    @confirm_posted.validator
    def _validate_posting(self, request: ConfirmPostingInput) -> None:
        if self._lock.locked():
            raise ValueError(N_("Another action on this batch is in progress; try again in a moment."))
        self._check_posting(request)

    def _check_posting(self, request: ConfirmPostingInput) -> None:
        s = self._state
        if Role.COORDINATOR not in request.actor.roles:
            raise ValueError(N_("This needs the coordinator role."))
        if not s.printed:
            raise ValueError(N_("The batch is still being printed; reload the page in a moment."))
        if s.posting is not None:
            raise ValueError(N_("The posting of this batch has already been confirmed."))
        if s.made_on is not None and request.posted_on < s.made_on:
            raise ValueError(N_("The letters cannot have left before the batch was made."))
        if request.posted_on > helsinki_today(workflow.now()):
            raise ValueError(N_("The posting day cannot be in the future."))

"""The post room's print batch for one programme (id `print-batch-<id>`), started from the coordination page.

Claims the letters waiting for post, renders and archives them on the worker, then tells each
decision's serving workflow that its letter went out on the batch's day.
"""

from temporalio import workflow
from temporalio.exceptions import FailureError

from workflows.options import DATABASE, RENDERING
from workflows.serving.decision import ServeDecisionWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.serving.print_batch import PrintBatchActivities
    from models.serving.payloads import Posted, PrintBatchDone, PrintBatchRef


@workflow.defn
class PrintBatchWorkflow:
    @workflow.run
    async def run(self, ref: PrintBatchRef) -> PrintBatchDone:
        claimed = await workflow.execute_activity_method(PrintBatchActivities.claim_letters, ref, **DATABASE)
        if claimed.letters == 0:
            return PrintBatchDone(letters=0, document_id=None, posted_on=claimed.posted_on)
        done = await workflow.execute_activity_method(PrintBatchActivities.render_print_batch, ref, **RENDERING)
        posted = Posted(print_batch_id=ref.print_batch_id, posted_on=done.posted_on)
        for serving in claimed.serving_workflow_ids:
            try:
                await workflow.get_external_workflow_handle(serving).signal(ServeDecisionWorkflow.posted, posted)
            except FailureError as gone:
                # Decided before serving was its own workflow: nobody waits, the letter is dated all the same.
                workflow.logger.info("print batch %s: %s not told (%s)", ref.print_batch_id, serving, gone)
        return done

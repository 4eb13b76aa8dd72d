"""A payment run (the daily Temporal Schedule, the finance page, or `grantdesk payments batch`): a batch for
each programme with unpaid payments, each then approved and released by its own `PaymentBatchWorkflow`.

The batches are opened here, in one activity keyed by this run's id, so a retried run opens no second
batch; each batch's workflow (id `payment-batch-<batch id>`) outlives the run, which ends at once.
"""

from temporalio import workflow

from workflows.options import DATABASE
from workflows.payments.payment_batch import PaymentBatchWorkflow

with workflow.unsafe.imports_passed_through():
    from activities.payments.batches import PaymentBatchActivities
    from models.payments.payloads import OpenBatchesInput, OpenedBatches, PaymentBatchRef, PaymentRunInput


def batch_workflow_id(batch_id: int) -> str:
    return f"payment-batch-{batch_id}"


@workflow.defn
class PaymentRunWorkflow:
    @workflow.run
    async def run(self, request: PaymentRunInput) -> OpenedBatches:
        opened = await workflow.execute_activity_method(
            PaymentBatchActivities.open_batches,
            OpenBatchesInput(
                run_id=workflow.info().workflow_id,
                programme_codes=request.programme_codes,
                requested_by=request.requested_by,
            ),
            **DATABASE,
        )
        for batch_id in opened.batch_ids:
            await workflow.start_child_workflow(
                PaymentBatchWorkflow.run,
                PaymentBatchRef(batch_id=batch_id),
                id=batch_workflow_id(batch_id),
                # The batch waits days for its approvals; the run that opened it is long gone by then.
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            )
        return opened

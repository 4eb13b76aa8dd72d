"""Every task the grant workflow opens for the queue has a due date: preparation 14 days, a decision 7."""

import uuid

from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.grants.decisions import Outcome
from models.grants.payloads import GrantApplicationInput, ProposeInput
from tests.stand_ins import HANDLER, StandIns
from tests.workflow_helpers import wait_for_stage
from workflows.grants.application import DECISION_DUE_DAYS, HANDLING_DUE_DAYS, GrantApplicationWorkflow


async def test_the_handler_and_decider_tasks_have_due_dates(temporal_env: WorkflowEnvironment) -> None:
    stand_ins = StandIns()
    queue = f"due-{uuid.uuid4()}"
    async with Worker(
        temporal_env.client, task_queue=queue, workflows=[GrantApplicationWorkflow], activities=stand_ins.all()
    ):
        handle = await temporal_env.client.start_workflow(
            GrantApplicationWorkflow.run,
            GrantApplicationInput(application_id=1, programme_code="test"),
            id=f"grant-due-{uuid.uuid4()}",
            task_queue=queue,
        )
        await wait_for_stage(handle, "assessed")
        task_key = (await handle.query(GrantApplicationWorkflow.state)).task_key
        proposal = ProposeInput(task_key=task_key, actor=HANDLER, outcome=Outcome.APPROVE, justification="Fine.")
        await handle.execute_update(GrantApplicationWorkflow.propose, proposal)
        if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
            await handle.terminate(reason="test finished")

    due = {task.kind: task.due_in_days for task in stand_ins.tasks}
    assert due == {"handle": HANDLING_DUE_DAYS, "decide": DECISION_DUE_DAYS}
    assert (HANDLING_DUE_DAYS, DECISION_DUE_DAYS) == (14, 7)

"""The fast tier: GrantApplicationWorkflow with its activities replaced by name, for failures on demand.

The real activities cannot fail for good when a test wants them to (a bank refusing an account is
what payments will bring); these stand-ins can, and they hold no database, so each test takes
milliseconds. What matters here is the workflow: a failed action leaves the case as it was.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.actors import Actor
from models.grants.decisions import Outcome
from models.grants.payloads import (
    DecideInput,
    GrantApplicationInput,
    ProposeInput,
    Verdict,
    WithdrawInput,
)
from tests.stand_ins import DECIDER, HANDLER, StandIns
from tests.workflow_helpers import wait_for_stage
from workflows.grants.application import GrantApplicationWorkflow


@pytest.fixture
def stand_ins() -> StandIns:
    return StandIns()


@pytest.fixture
async def handle(temporal_env: WorkflowEnvironment, stand_ins: StandIns) -> AsyncIterator[WorkflowHandle]:
    queue = f"fast-{uuid.uuid4()}"
    async with Worker(
        temporal_env.client, task_queue=queue, workflows=[GrantApplicationWorkflow], activities=stand_ins.all()
    ):
        started = await temporal_env.client.start_workflow(
            GrantApplicationWorkflow.run,
            GrantApplicationInput(application_id=1, programme_code="test"),
            id=f"grant-fast-{uuid.uuid4()}",
            task_queue=queue,
        )
        await wait_for_stage(started, "assessed")
        yield started
        if (await started.describe()).status == WorkflowExecutionStatus.RUNNING:
            await started.terminate(reason="test finished")


async def state(handle: WorkflowHandle):
    return await handle.query(GrantApplicationWorkflow.state)


def proposal(task_key: str, actor: Actor = HANDLER) -> ProposeInput:
    return ProposeInput(task_key=task_key, actor=actor, outcome=Outcome.APPROVE, justification="Fine.")


async def test_a_failed_proposal_leaves_the_case_as_it_was(handle: WorkflowHandle, stand_ins: StandIns) -> None:
    before = await state(handle)
    assert before.stage == "assessed"
    stand_ins.fail.add("record_proposal")

    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(GrantApplicationWorkflow.propose, proposal(before.task_key))

    after = await state(handle)
    assert (after.stage, after.task_key, after.proposer_id) == ("assessed", before.task_key, None)
    # Not wedged: the next action is taken, and the failed one left a gap in the numbers, not a reuse.
    stand_ins.fail.clear()
    seq = await handle.execute_update(GrantApplicationWorkflow.propose, proposal(before.task_key))
    assert seq == 2
    assert (await state(handle)).stage == "in_decision"


async def test_after_a_failed_action_the_applicant_can_still_withdraw(
    handle: WorkflowHandle, stand_ins: StandIns
) -> None:
    task_key = (await state(handle)).task_key
    stand_ins.fail.add("open_task")  # fails half-way through the proposal, after it was recorded
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(GrantApplicationWorkflow.propose, proposal(task_key))
    stand_ins.fail.clear()

    await handle.execute_update(GrantApplicationWorkflow.withdraw, WithdrawInput(reason="Found other funding."))

    assert (await handle.result()).stage == "withdrawn"


async def test_a_failed_decision_keeps_the_proposal_waiting(handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await handle.execute_update(GrantApplicationWorkflow.propose, proposal((await state(handle)).task_key))
    waiting = await state(handle)
    stand_ins.fail.add("finalize_decision")
    decide = DecideInput(task_key=waiting.task_key, actor=DECIDER, verdict=Verdict.ACCEPT)

    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update(GrantApplicationWorkflow.decide, decide)

    assert await state(handle) == waiting
    stand_ins.fail.clear()
    assert await handle.execute_update(GrantApplicationWorkflow.decide, decide) == "T 2020/000001"


async def test_an_action_in_progress_holds_the_others_back(handle: WorkflowHandle, stand_ins: StandIns) -> None:
    task_key = (await state(handle)).task_key
    stand_ins.hold["record_proposal"] = asyncio.Event()
    running = await handle.start_update(
        GrantApplicationWorkflow.propose, proposal(task_key), wait_for_stage=WorkflowUpdateStage.ACCEPTED
    )

    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(GrantApplicationWorkflow.withdraw, WithdrawInput())
    assert "in progress" in str(refused.value.cause)

    stand_ins.hold["record_proposal"].set()
    assert await running.result() == 1
    assert (await state(handle)).stage == "in_decision"


async def test_the_second_of_two_racing_proposals_is_refused_inside_the_lock(
    handle: WorkflowHandle, stand_ins: StandIns
) -> None:
    """Both pass their validators before either holds the lock; the second re-checks and finds the task gone."""
    task_key = (await state(handle)).task_key
    first, second = await asyncio.gather(
        handle.start_update(
            GrantApplicationWorkflow.propose, proposal(task_key), wait_for_stage=WorkflowUpdateStage.ACCEPTED
        ),
        handle.start_update(
            GrantApplicationWorkflow.propose, proposal(task_key), wait_for_stage=WorkflowUpdateStage.ACCEPTED
        ),
        return_exceptions=True,
    )
    outcomes = []
    for started in (first, second):
        if isinstance(started, BaseException):
            outcomes.append("refused")  # its validator already saw the lock held
            continue
        try:
            await started.result()
            outcomes.append("done")
        except WorkflowUpdateFailedError:
            outcomes.append("refused")
    assert sorted(outcomes) == ["done", "refused"]
    assert stand_ins.calls.count("record_proposal") == 1

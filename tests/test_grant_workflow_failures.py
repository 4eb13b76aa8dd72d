"""The fast tier: GrantApplicationWorkflow with its activities replaced by name, for failures on demand.

The real activities cannot fail for good when a test wants them to (a bank refusing an account is
what payments will bring); these stand-ins can, and they hold no database, so each test takes
milliseconds. What matters here is the workflow: a failed action leaves the case as it was.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from temporalio import activity
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.decisions import Outcome
from models.payloads import (
    Actor,
    ApplicationRef,
    AssessApplicationInput,
    AssessmentOutcome,
    CloseTaskInput,
    DecideInput,
    DecisionOutcome,
    FinalizeDecisionInput,
    GrantApplicationInput,
    InfoRequestOpened,
    InfoRequestRef,
    OpenInfoRequestInput,
    OpenTaskInput,
    ProposeInput,
    RecordAnswerInput,
    RecordProposalInput,
    ReturnProposalInput,
    StageUpdateInput,
    Verdict,
    WithdrawInput,
)
from models.staff import Role
from tests.workflow_helpers import wait_for_stage
from workflows.grant_application import GrantApplicationWorkflow

HANDLER = Actor(user_id=1, name="Hanna", organisation_code="E", roles=[Role.HANDLER])
DECIDER = Actor(user_id=2, name="Tuula", organisation_code="E", roles=[Role.DECIDER])


class StandIns:
    """Every activity the grant workflow calls, under its real name; `fail` and `hold` steer them."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail: set[str] = set()  # these fail for good (non-retryable), as a bank's refusal would
        self.hold: dict[str, asyncio.Event] = {}  # these wait until the test lets them go on
        self.tasks: list[OpenTaskInput] = []

    async def _do(self, name: str) -> None:
        self.calls.append(name)
        if name in self.hold:
            await self.hold[name].wait()
        if name in self.fail:
            raise ApplicationError(f"{name} refused", type="Refused", non_retryable=True)

    @activity.defn(name="record_receipt")
    async def record_receipt(self, ref: ApplicationRef) -> None:
        await self._do("record_receipt")

    @activity.defn(name="assess_application")
    async def assess_application(self, request: AssessApplicationInput) -> AssessmentOutcome:
        await self._do("assess_application")
        return AssessmentOutcome(eligible=True, reasons=[], turnover_drop=Decimal("0.5"), rules_version="test")

    @activity.defn(name="open_task")
    async def open_task(self, request: OpenTaskInput) -> None:
        await self._do("open_task")
        self.tasks.append(request)

    @activity.defn(name="close_task")
    async def close_task(self, request: CloseTaskInput) -> None:
        await self._do("close_task")

    @activity.defn(name="update_stage")
    async def update_stage(self, request: StageUpdateInput) -> None:
        await self._do("update_stage")

    @activity.defn(name="record_proposal")
    async def record_proposal(self, request: RecordProposalInput) -> None:
        await self._do("record_proposal")

    @activity.defn(name="return_proposal")
    async def return_proposal(self, request: ReturnProposalInput) -> None:
        await self._do("return_proposal")

    @activity.defn(name="finalize_decision")
    async def finalize_decision(self, request: FinalizeDecisionInput) -> DecisionOutcome:
        await self._do("finalize_decision")
        return DecisionOutcome(number="T 2020/000001", outcome=Outcome.APPROVE, amount=Decimal("2000.00"), reasons=[])

    @activity.defn(name="open_info_request")
    async def open_info_request(self, request: OpenInfoRequestInput) -> InfoRequestOpened:
        await self._do("open_info_request")
        return InfoRequestOpened(deadline=datetime.now(UTC) + timedelta(days=14))

    @activity.defn(name="send_info_request")
    async def send_info_request(self, ref: InfoRequestRef) -> None:
        await self._do("send_info_request")

    @activity.defn(name="remind_info_request")
    async def remind(self, ref: InfoRequestRef) -> None:
        await self._do("remind_info_request")

    @activity.defn(name="expire_info_request")
    async def expire(self, ref: InfoRequestRef) -> None:
        await self._do("expire_info_request")

    @activity.defn(name="cancel_info_request")
    async def cancel(self, ref: InfoRequestRef) -> None:
        await self._do("cancel_info_request")

    @activity.defn(name="record_answer")
    async def record_answer(self, request: RecordAnswerInput) -> None:
        await self._do("record_answer")

    @activity.defn(name="choose_channel")
    async def choose_channel(self, ref: ApplicationRef) -> str:
        await self._do("choose_channel")
        return "email"

    @activity.defn(name="queue_for_post")
    async def queue_for_post(self, ref: ApplicationRef) -> None:
        await self._do("queue_for_post")

    @activity.defn(name="send_decision_email")
    async def send_decision_email(self, ref: ApplicationRef) -> None:
        await self._do("send_decision_email")

    def all(self) -> list:
        return [
            self.record_receipt,
            self.assess_application,
            self.open_task,
            self.close_task,
            self.update_stage,
            self.record_proposal,
            self.return_proposal,
            self.finalize_decision,
            self.open_info_request,
            self.send_info_request,
            self.remind,
            self.expire,
            self.cancel,
            self.record_answer,
            self.choose_channel,
            self.queue_for_post,
            self.send_decision_email,
        ]


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

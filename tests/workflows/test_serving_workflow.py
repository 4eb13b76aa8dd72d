"""ServeDecisionWorkflow with stand-in activities: a letter that cannot be made becomes a handler's task
naming what it lacks, whether it was to be e-mailed or posted, and the handler's choice serves it."""

import uuid
from collections.abc import AsyncIterator
from datetime import date

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from models.grants.payloads import RedeliverInput
from models.serving.payloads import LetterHeld, Posted, ServeDecisionInput
from models.time_limits import Channel
from tests.stand_ins import HANDLER, StandIns
from tests.workflow_helpers import until_accepted, until_called
from workflows.serving.decision import ServeDecisionWorkflow


@pytest.fixture
def stand_ins() -> StandIns:
    return StandIns()


@pytest.fixture
async def serving(temporal_env: WorkflowEnvironment, stand_ins: StandIns) -> AsyncIterator[WorkflowHandle]:
    queue = f"serving-{uuid.uuid4()}"
    async with Worker(
        temporal_env.client, task_queue=queue, workflows=[ServeDecisionWorkflow], activities=stand_ins.all()
    ):
        yield await temporal_env.client.start_workflow(
            ServeDecisionWorkflow.run,
            ServeDecisionInput(application_id=1, decision_number="T 2020/000001"),
            id=f"grant-{uuid.uuid4()}/serving",
            task_queue=queue,
        )


async def _redeliver(serving: WorkflowHandle, stand_ins: StandIns, channel: Channel) -> None:
    await stand_ins.called("open_task_deliver")
    task = stand_ins.tasks[-1]
    await until_accepted(
        lambda: serving.execute_update(
            ServeDecisionWorkflow.redeliver, RedeliverInput(task_key=task.key, actor=HANDLER, channel=channel)
        )
    )


async def test_an_email_whose_letter_lacks_a_fact_is_a_task_naming_it(
    serving: WorkflowHandle, stand_ins: StandIns
) -> None:
    stand_ins.fail_as["send_decision_email"] = ("MissingLetterFact", "the decider D's title in sv")

    await _redeliver(serving, stand_ins, Channel.EMAIL)
    stand_ins.fail_as.clear()

    served = await serving.result()
    [task] = [t for t in stand_ins.tasks if t.kind == "deliver"]
    assert (task.note, task.detail) == ("letter_incomplete", "the decider D's title in sv")
    assert served.channel == Channel.EMAIL
    assert stand_ins.calls.count("send_decision_email") == 2  # not retried for a day: retrying cannot supply it


async def test_a_letter_the_batch_set_aside_is_posted_by_a_later_batch(
    serving: WorkflowHandle, stand_ins: StandIns
) -> None:
    stand_ins.channel = "letter"
    await stand_ins.called("queue_for_post")
    await serving.signal(ServeDecisionWorkflow.letter_held, LetterHeld(print_batch_id=1, reason="no address"))

    await _redeliver(serving, stand_ins, Channel.LETTER)
    await until_called(stand_ins.calls, "queue_for_post", 2)
    await serving.signal(ServeDecisionWorkflow.posted, Posted(print_batch_id=2, posted_on=date(2020, 6, 1)))

    served = await serving.result()
    assert (served.channel, served.dispatched_on) == (Channel.LETTER, date(2020, 6, 1))
    assert [(t.note, t.detail) for t in stand_ins.tasks] == [("letter_incomplete", "no address")]

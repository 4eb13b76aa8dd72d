"""Records the grant workflow's histories that `tests/test_replay.py` replays: `python -m tests.histories.record`.

Each scenario drives one path a real case takes, with stand-in activities (replay needs only their
recorded results) on the time-skipping server. Record again only for a path that is new on purpose;
a change to an existing path must keep the recorded histories replaying (guard it with
`workflow.patched`), because cases started on the old code are still running in production.
"""

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core.temporal import binary, data_converter
from models.decisions import Outcome
from models.eligibility import ReasonCode
from models.payloads import (
    DecideInput,
    GrantApplicationInput,
    ProposeInput,
    RedeliverInput,
    RequestInfoInput,
    Verdict,
    WithdrawInput,
)
from models.time_limits import Channel
from tests.stand_ins import DECIDER, HANDLER, StandIns
from tests.support import TEST_PAYLOAD_KEY
from tests.workflow_helpers import wait_for_stage, wait_for_state
from workflows.grant_application import GrantApplicationWorkflow

HERE = Path(__file__).resolve().parent
Scenario = Callable[[WorkflowEnvironment, WorkflowHandle, StandIns], Awaitable[None]]


async def _task(handle: WorkflowHandle) -> str:
    key = (await handle.query(GrantApplicationWorkflow.state)).task_key
    assert key is not None
    return key


async def _propose(handle: WorkflowHandle, outcome: Outcome = Outcome.APPROVE) -> None:
    reasons = [ReasonCode.TURNOVER_DROP] if outcome == Outcome.REJECT else []
    await handle.execute_update(
        GrantApplicationWorkflow.propose,
        ProposeInput(
            task_key=await _task(handle),
            actor=HANDLER,
            outcome=outcome,
            reasons=reasons,
            justification="Recorded scenario.",
        ),
    )


async def _decide(handle: WorkflowHandle, verdict: Verdict = Verdict.ACCEPT) -> None:
    comment = "Check the account owner." if verdict == Verdict.RETURN else ""
    await handle.execute_update(
        GrantApplicationWorkflow.decide,
        DecideInput(task_key=await _task(handle), actor=DECIDER, verdict=verdict, comment=comment),
    )


async def approved(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await _propose(handle)
    await _decide(handle)


async def rejected_by_post(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    stand_ins.channel = "letter"
    await _propose(handle, Outcome.REJECT)
    await _decide(handle)


async def returned_then_approved(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await _propose(handle)
    await _decide(handle, Verdict.RETURN)
    await _propose(handle)
    await _decide(handle)


async def information_request_expired(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await handle.execute_update(
        GrantApplicationWorkflow.request_info,
        RequestInfoInput(task_key=await _task(handle), actor=HANDLER, message="The sales ledger, please."),
    )
    await env.sleep(timedelta(days=15))  # the reminder, then the deadline
    await wait_for_stage(handle, "assessed")
    await _propose(handle)
    await _decide(handle)


async def email_failed_then_posted(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    stand_ins.fail.add("send_decision_email")
    await _propose(handle)
    await _decide(handle)
    await wait_for_state(handle, lambda s: s.task_key is not None and "/deliver/" in s.task_key)
    await handle.execute_update(
        GrantApplicationWorkflow.redeliver,
        RedeliverInput(task_key=await _task(handle), actor=HANDLER, channel=Channel.LETTER),
    )


async def withdrawn(env: WorkflowEnvironment, handle: WorkflowHandle, stand_ins: StandIns) -> None:
    await handle.execute_update(GrantApplicationWorkflow.withdraw, WithdrawInput(reason="Recorded scenario."))


SCENARIOS: dict[str, Scenario] = {
    "approved": approved,
    "rejected_by_post": rejected_by_post,
    "returned_then_approved": returned_then_approved,
    "information_request_expired": information_request_expired,
    "email_failed_then_posted": email_failed_then_posted,
    "withdrawn": withdrawn,
}


async def record() -> None:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEY), test_server_existing_path=str(binary("temporal-test-server"))
    )
    try:
        for name, scenario in SCENARIOS.items():
            stand_ins = StandIns()
            queue = f"record-{uuid.uuid4()}"
            async with Worker(
                env.client, task_queue=queue, workflows=[GrantApplicationWorkflow], activities=stand_ins.all()
            ):
                handle = await env.client.start_workflow(
                    GrantApplicationWorkflow.run,
                    GrantApplicationInput(application_id=1, programme_code="recorded"),
                    id=f"grant-{name}",
                    task_queue=queue,
                )
                await wait_for_stage(handle, "assessed")
                await scenario(env, handle, stand_ins)
                await handle.result()
                history = await handle.fetch_history()
            (HERE / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
            print(f"recorded {name}: {len(history.events)} events")
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record())

"""Records the queued e-mail histories `tests/workflows/test_replay.py` replays:
`python -m tests.workflows.histories.record_mail`.

`SendEmailWorkflow` runs one activity; its histories are kept all the same, because a queued e-mail may sit in
its retries across a deploy (the mail server down for hours) and the new code must replay it. Two paths: sent at
the first try, and sent after the mail server refused twice (a retried activity). The histories go to
`mail/<VERSION>/`, recorded once per version like the grant family's.
"""

import asyncio
import uuid
from pathlib import Path

from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core.temporal import binary, data_converter
from models.notifications import QueuedEmailRef
from tests.support import TEST_PAYLOAD_KEY
from tests.workflows.histories.record import _keep
from workflows.notifications.send_email import SendEmailWorkflow

HERE = Path(__file__).resolve().parent / "mail"
VERSION = "v1"
SCENARIOS = {"mail-sent": 0, "mail-sent-after-refusals": 2}


class MailStandIn:
    """`send_queued_email` refusing as often as a scenario says before it sends."""

    def __init__(self, refusals: int) -> None:
        self.refusals = refusals

    @activity.defn(name="send_queued_email")
    async def send_queued_email(self, ref: QueuedEmailRef) -> None:
        if self.refusals > 0:
            self.refusals -= 1
            raise ApplicationError("421 service not available")


async def record() -> None:
    folder = HERE / VERSION
    if folder.exists():
        raise SystemExit(f"{folder} exists: histories of a version are recorded once (raise VERSION)")
    folder.mkdir(parents=True)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEY), test_server_existing_path=str(binary("temporal-test-server"))
    )
    try:
        for workflow_id, refusals in SCENARIOS.items():
            queue = f"record-{uuid.uuid4()}"
            stand_in = MailStandIn(refusals)
            async with Worker(
                env.client, task_queue=queue, workflows=[SendEmailWorkflow], activities=[stand_in.send_queued_email]
            ):
                await env.client.execute_workflow(
                    SendEmailWorkflow.run, QueuedEmailRef(key=workflow_id), id=workflow_id, task_queue=queue
                )
            await _keep(env, folder, [workflow_id])
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record())

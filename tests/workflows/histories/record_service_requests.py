"""Records the service request histories `tests/workflows/test_replay.py` replays:
`python -m tests.workflows.histories.record_service_requests`.

Unlike the grant family's recorder (stand-in activities), this one drives `ServiceRequestWorkflow` with its real
activities on a scratch SQLite database, as `tests/workflows/test_service_request_workflow.py` does, through
the paths a request takes: answered and rated; confirmed by e-mail, referred, closed and reopened; never
confirmed; escalated before anyone answered. The histories go to `service-requests/<VERSION>/`, recorded once
per version like the grant family's.
"""

import asyncio
import tempfile
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from core.db import Database
from core.migrate import upgrade
from core.temporal import binary, data_converter
from models.service_requests.payloads import (
    AcceptInput,
    CloseInput,
    CustomerReplyInput,
    FeedbackInput,
    ReferInput,
    ReplyInput,
    RequestRef,
)
from models.service_requests.requests import ClosingOutcome
from tests.service_desk import ServiceDesk, a_request, service_desk
from tests.support import TEST_PAYLOAD_KEY, make_settings
from tests.workflows.histories.record import _keep
from workflows.service_requests.service_request import ServiceRequestWorkflow

HERE = Path(__file__).resolve().parent / "service-requests"
VERSION = "v1"
SCENARIOS = ["service-request-1", "service-request-2", "service-request-3", "service-request-4"]


async def _accept(desk: ServiceDesk, request_id: int, who: str) -> None:
    task = await desk.task_of(request_id)
    handle = desk.client.get_workflow_handle(f"service-request-{request_id}")
    await handle.execute_update(ServiceRequestWorkflow.accept, AcceptInput(task_key=task.key, actor=desk.people[who]))


async def scenarios(env: WorkflowEnvironment, desk: ServiceDesk) -> None:
    people = desk.people
    # 1: answered, the customer writes back, closed and rated.
    first, handle = await desk.submit(a_request())
    await _accept(desk, first, "ye_handler")
    await handle.execute_update(ServiceRequestWorkflow.reply, ReplyInput(actor=people["ye_handler"], body="Hi"))
    await handle.execute_update(ServiceRequestWorkflow.customer_reply, CustomerReplyInput(body="Thanks", key="1"))
    closing = CloseInput(actor=people["ye_handler"], outcome=ClosingOutcome.ADVISED)
    await handle.execute_update(ServiceRequestWorkflow.close, closing)
    await handle.execute_update(ServiceRequestWorkflow.give_feedback, FeedbackInput(rating=5))
    await handle.result()

    # 2: confirmed by e-mail, referred with consent, closed, reopened by the customer, closed again; no feedback.
    second, handle = await desk.submit(a_request(package="competence", share_consent=True), signed_in=False)
    await desk.until(lambda: desk.mails_to("maija@example.fi"), "the confirmation mail")
    await handle.execute_update(ServiceRequestWorkflow.confirm, RequestRef(request_id=second))
    await _accept(desk, second, "o_handler")
    refer = ReferInput(actor=people["o_handler"], organisation_code="YE", reason="A business plan first.")
    await handle.execute_update(ServiceRequestWorkflow.refer, refer)
    await _accept(desk, second, "ye_handler")
    await handle.execute_update(ServiceRequestWorkflow.close, closing)
    await handle.execute_update(ServiceRequestWorkflow.customer_reply, CustomerReplyInput(body="Again", key="1"))
    await handle.execute_update(ServiceRequestWorkflow.close, closing)
    await handle.result()

    # 3: never confirmed.
    _third, handle = await desk.submit(a_request(email="never@example.fi"), signed_in=False)
    await handle.result()

    # 4: nobody answers: the reminder and both escalations, then a reply, closing and feedback.
    fourth, handle = await desk.submit(a_request())
    await desk.task_of(fourth)
    await env.sleep(timedelta(days=14))
    await _accept(desk, fourth, "ye_handler")
    await handle.execute_update(ServiceRequestWorkflow.reply, ReplyInput(actor=people["ye_handler"], body="Sorry"))
    await handle.execute_update(ServiceRequestWorkflow.close, closing)
    await handle.execute_update(ServiceRequestWorkflow.give_feedback, FeedbackInput(rating=2))
    await handle.result()


async def record() -> None:
    folder = HERE / VERSION
    if folder.exists():
        raise SystemExit(f"{folder} exists: histories of a version are recorded once (raise VERSION)")
    folder.mkdir(parents=True)
    scratch = Path(tempfile.mkdtemp(prefix="grantdesk-record-"))
    db_url = f"sqlite:///{scratch / 'record.db'}"
    upgrade(db_url)
    db = Database(db_url)
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEY), test_server_existing_path=str(binary("temporal-test-server"))
    )
    try:
        async with service_desk(env.client, db, make_settings(db), scratch / "mail") as desk:
            await scenarios(env, desk)
            await _keep(env, folder, SCENARIOS)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    asyncio.run(record())

"""Never lose an accepted application: the outbox starts the workflow once Temporal is back."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from core.db import Database
from core.temporal import TemporalGateway, connect
from models.grants.applications import AssessmentRecord
from models.grants.programme import Programme
from models.outbox import START_GRANT_WORKFLOW, OutboxMessage
from runtime.outbox_relay import OutboxRelay
from tests.factories import application
from tests.support import IN_2020_WINDOW, TEST_API_AUTHORIZATION, TEST_PAYLOAD_KEY, make_settings
from tests.temporal_server import DevServer
from tests.workflow_helpers import running_worker, wait_for_stage
from web.app import create_app

URL = "/api/v1/programmes/sole-entrepreneur-2020/applications"


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[DevServer]:
    server = DevServer(tmp_path)
    server.start()
    yield server
    server.stop()


async def wait_for_workflow(client: Client, workflow_id: str) -> WorkflowExecutionStatus:
    async with asyncio.timeout(30):
        while True:
            try:
                description = await client.get_workflow_handle(workflow_id).describe()
            except RPCError:
                await asyncio.sleep(0.2)
                continue
            assert description.status is not None
            return description.status


async def test_application_accepted_while_temporal_is_down_is_started_when_it_is_back(
    dev_server: DevServer, db: Database, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    settings = make_settings(db, temporal_address=dev_server.address, outbox_poll_seconds=0.2)
    app = create_app(settings, db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW)
    with TestClient(app, headers={"Authorization": TEST_API_AUTHORIZATION}) as web:
        dev_server.stop()
        response = web.post(URL, json=application())
        assert response.status_code == 201  # the receipt does not wait for Temporal

        await asyncio.sleep(1.0)  # a few relay rounds fail meanwhile
        with db.session() as session:
            pending = session.exec(select(OutboxMessage)).one()
        assert pending.dispatched_at is None
        assert pending.attempts >= 1
        assert pending.last_error

        dev_server.start()
        client = await connect(dev_server.address, "default", TEST_PAYLOAD_KEY)
        status = await wait_for_workflow(client, pending.key)

    assert status == WorkflowExecutionStatus.RUNNING  # started; no worker has picked it up yet
    with db.session() as session:
        assert session.exec(select(OutboxMessage)).one().dispatched_at is not None

    # A worker then takes it through the assessment into the handlers' queue.
    async with running_worker(client, db, programmes, tmp_path / "mail", task_queue=settings.task_queue):
        await wait_for_stage(client.get_workflow_handle(pending.key), "assessed")
    with db.session() as session:
        assert session.exec(select(AssessmentRecord)).one().eligible is True
    await client.get_workflow_handle(pending.key).terminate("test over")


def accept_one_without_relaying(
    dev_server: DevServer, db: Database, programmes: dict[str, Programme]
) -> tuple[TemporalGateway, OutboxRelay]:
    """One accepted application whose outbox row waits; the relay is the test's to run."""
    settings = make_settings(db, temporal_address=dev_server.address)
    app = create_app(settings, db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False)
    with TestClient(app, headers={"Authorization": TEST_API_AUTHORIZATION}) as web:
        assert web.post(URL, json=application()).status_code == 201
    gateway = TemporalGateway(dev_server.address, "default", TEST_PAYLOAD_KEY)
    return gateway, OutboxRelay(db, gateway.client, settings.task_queue)


async def test_relaying_twice_starts_one_workflow(
    dev_server: DevServer, db: Database, programmes: dict[str, Programme]
) -> None:
    gateway, relay = accept_one_without_relaying(dev_server, db, programmes)

    assert await relay.run_once() == 1
    # The row is marked only after the start; a crash in between means a second start, which must be harmless.
    with db.session() as session:
        row = session.exec(select(OutboxMessage)).one()
        row.dispatched_at = None
        session.add(row)
        session.commit()
    assert await relay.run_once() == 1

    client = await gateway.client()
    executions = [e async for e in client.list_workflows(f"WorkflowId = '{row.key}'")]
    assert len(executions) == 1


async def test_a_row_that_can_never_start_does_not_hold_back_the_ones_after_it(
    dev_server: DevServer, db: Database, programmes: dict[str, Programme]
) -> None:
    with db.session() as session:
        session.add(OutboxMessage(topic=START_GRANT_WORKFLOW, key="grant-broken", payload={"application_id": "x"}))
        session.commit()
    _, relay = accept_one_without_relaying(dev_server, db, programmes)

    assert await relay.run_once() == 1

    with db.session() as session:
        broken, accepted = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert broken.dispatched_at is None and broken.attempts == 1
    assert broken.last_error is not None and "ValidationError" in broken.last_error
    assert accepted.dispatched_at is not None

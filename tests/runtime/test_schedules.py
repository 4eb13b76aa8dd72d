"""The daily payment run is a Temporal Schedule on the real dev server: made when a worker starts, moved when
PAYMENT_RUN_TIME changes, removed when it is empty; when it fires, a batch is opened for the unpaid payments."""

import asyncio
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.client import ScheduleRange
from temporalio.service import RPCError

from core.db import Database
from core.temporal import connect
from models.grants.programme import Programme
from models.payments.batches import PaymentBatch
from runtime.schedules import PAYMENT_RUN_SCHEDULE, ensure_schedules
from runtime.worker import build_worker
from tests.activities.test_payment_batches import approved_payments
from tests.support import TEST_PAYLOAD_KEY, make_settings
from tests.temporal_server import DevServer
from tests.workflow_helpers import seed_staff


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[DevServer]:
    server = DevServer(tmp_path)
    server.start()
    yield server
    server.stop()


async def test_the_payment_run_is_scheduled_daily_and_opens_a_batch_when_it_fires(
    dev_server: DevServer, sqlite_db: Database, programme: Programme, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    client = await connect(dev_server.address, "default", TEST_PAYLOAD_KEY)
    settings = make_settings(
        sqlite_db,
        temporal_address=dev_server.address,
        task_queue=f"schedule-{uuid.uuid4()}",
        payment_run_time="14:30",
        documents_dir=tmp_path / "documents",
        bank_outgoing_dir=tmp_path / "bank",
    )
    handle = client.get_schedule_handle(PAYMENT_RUN_SCHEDULE)

    await ensure_schedules(client, settings)
    await ensure_schedules(client, settings)  # a second worker start changes nothing
    [calendar] = (await handle.describe()).schedule.spec.calendars
    assert (list(calendar.hour), list(calendar.minute)) == ([ScheduleRange(14, 14)], [ScheduleRange(30, 30)])
    assert list(calendar.day_of_week) == [ScheduleRange(1, 5)]  # banking days
    assert (await handle.describe()).schedule.spec.time_zone_name == "Europe/Helsinki"

    moved = settings.model_copy(update={"payment_run_time": "09:05"})
    await ensure_schedules(client, moved)
    [calendar] = (await handle.describe()).schedule.spec.calendars
    assert (list(calendar.hour), list(calendar.minute)) == ([ScheduleRange(9, 9)], [ScheduleRange(5, 5)])

    staff = seed_staff(sqlite_db)
    approved_payments(sqlite_db, programme, staff["handler"].user_id, staff["decider"].user_id, count=2)
    with ThreadPoolExecutor(max_workers=4) as executor:
        worker = build_worker(client, settings=settings, db=sqlite_db, programmes=programmes, executor=executor)
        async with worker:
            await handle.trigger()
            batch = await _batch_opened(sqlite_db)
    assert (batch.payments, batch.created_by) == (2, None)  # by the schedule, not by a person

    await ensure_schedules(client, settings.model_copy(update={"payment_run_time": ""}))
    with pytest.raises(RPCError):
        await handle.describe()


async def _batch_opened(db: Database) -> PaymentBatch:
    for _ in range(300):
        with db.session() as session:
            batch = session.exec(select(PaymentBatch)).first()
        if batch is not None and batch.status == "awaiting_approval":
            return batch
        await asyncio.sleep(0.1)
    raise AssertionError("the scheduled run opened no batch")

"""A trade register that does not answer never stops a case: the assessment is retried, and when the register
stays down the case goes on to a handler, whose task says to check the register by hand."""

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from core.db import Database
from core.trade_register import RegisterEntry, RegisterUnavailable
from core.trade_register.local import LocalTradeRegister
from models.grants.applications import AssessmentRecord
from models.grants.programme import Programme
from tests.workflow_helpers import accept, current_task, running_worker, seed_staff, start, wait_for_stage

PROGRAMME = "sole-entrepreneur-2020"


class FlakyRegister:
    """The demo register behind a connection that fails the first `failures` questions."""

    def __init__(self, db: Database, failures: int) -> None:
        self._register = LocalTradeRegister(db)
        self.failures = failures
        self.asked = 0

    def lookup(self, business_id: str) -> RegisterEntry | None:
        self.asked += 1
        if self.asked <= self.failures:
            raise RegisterUnavailable("trade register answered 503")
        return self._register.lookup(business_id)


@pytest.fixture(autouse=True)
def demo_register(sqlite_db: Database) -> None:
    seed_staff(sqlite_db)  # and the demo register


async def assessed_with(
    register: FlakyRegister, env: WorkflowEnvironment, db: Database, programmes: dict[str, Programme], tmp_path: Path
) -> int:
    """A case through its assessment with this register; its application id."""
    async with running_worker(env.client, db, programmes, tmp_path / "mail", register=register) as queue:
        # 0737546-2 is a demo business registered in Helsinki: the register's answer decides.
        application_id = accept(db, programmes[PROGRAMME], business__business_id="0737546-2")
        handle = await start(env.client, queue, application_id, PROGRAMME)
        await env.sleep(timedelta(hours=1))  # the pauses between tries pass
        await wait_for_stage(handle, "assessed")
    return application_id


async def test_a_register_down_for_a_while_is_asked_again(
    own_temporal_env: WorkflowEnvironment, sqlite_db: Database, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    register = FlakyRegister(sqlite_db, failures=3)
    application_id = await assessed_with(register, own_temporal_env, sqlite_db, programmes, tmp_path)

    assert register.asked == 4
    with sqlite_db.session() as session:
        record = session.exec(select(AssessmentRecord)).one()
    assert record.inputs["register_checked"] is True
    assert record.reasons == ["WRONG_MUNICIPALITY"]
    assert current_task(sqlite_db, application_id).note is None


async def test_a_register_that_stays_down_leaves_the_check_to_a_handler(
    own_temporal_env: WorkflowEnvironment, sqlite_db: Database, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    register = FlakyRegister(sqlite_db, failures=1000)
    application_id = await assessed_with(register, own_temporal_env, sqlite_db, programmes, tmp_path)

    assert register.asked == 7  # a try, and one after each pause; then no more
    with sqlite_db.session() as session:
        record = session.exec(select(AssessmentRecord)).one()
    # Assessed on the declarations (Espoo), marked as such; the handler's task says to check by hand.
    assert record.inputs["register_checked"] is False
    assert record.eligible is True
    task = current_task(sqlite_db, application_id)
    assert (task.kind, task.note) == ("handle", "register_check_failed")


class LostOnce(FlakyRegister):
    """The first question never comes back, as if the worker asking it had died: the activity times out."""

    def __init__(self, db: Database) -> None:
        super().__init__(db, failures=0)
        self.released = threading.Event()

    def lookup(self, business_id: str) -> RegisterEntry | None:
        self.asked += 1
        if self.asked == 1:
            self.released.wait(timeout=30)
        return self._register.lookup(business_id)


async def test_an_assessment_lost_with_its_worker_is_tried_again_at_once(
    own_temporal_env: WorkflowEnvironment, sqlite_db: Database, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    register = LostOnce(sqlite_db)
    env, db = own_temporal_env, sqlite_db
    async with running_worker(env.client, db, programmes, tmp_path / "mail", register=register) as queue:
        application_id = accept(db, programmes[PROGRAMME], business__business_id="0737546-2")
        handle = await start(env.client, queue, application_id, PROGRAMME)
        try:
            await wait_for_stage(handle, "assessed")
            history = await handle.fetch_history()
        finally:
            register.released.set()  # the lost try's thread ends, so the worker can stop
    assert register.asked == 2
    kinds = [event.event_type for event in history.events]
    timed_out = kinds.index(EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT)
    # No pause meant for a register that is down: the next event the workflow asks for is the activity again.
    assert EventType.EVENT_TYPE_TIMER_STARTED not in kinds[timed_out:]
    with sqlite_db.session() as session:
        assert session.exec(select(AssessmentRecord)).one().inputs["register_checked"] is True

"""AppealWindowWorkflow on a time-skipping server of its own: the decision turns final only after the end of the
later of the two last days (Helsinki), and a worker restarted meanwhile neither restarts nor loses the timer."""

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from functools import partial

from sqlmodel import select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.appeals.window import AppealWindowActivities
from core.clock import end_of_day, helsinki_today
from core.db import Database
from models.appeals.payloads import Window, WindowInput
from models.grants.decisions import Decision
from models.grants.programme import Programme
from models.time_limits import MEMBERS_DEEMED_DAYS, is_working_day, members_last_day, rectification_last_day
from tests.stand_ins import StandIns
from tests.workflow_helpers import decided_rejection
from workflows.appeals.window import AppealWindowWorkflow


async def start(env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    return await env.client.start_workflow(
        AppealWindowWorkflow.run,
        WindowInput(application_id=1, decision_number="T 2020/000001"),
        id=f"grant-{uuid.uuid4()}/appeal-window",
        task_queue=queue,
    )


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    await env.sleep(moment - await env.get_current_time())


async def timer_started(handle: WorkflowHandle) -> None:
    """Until the workflow waits on its timer: a worker stopped before that would leave a task nobody takes."""
    for _ in range(200):
        events = [event async for event in handle.fetch_history_events()]
        if any(event.HasField("timer_started_event_attributes") for event in events):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the window's timer never started")


def windows_from(now: datetime, party_days: int, members_days: int) -> Window:
    today = helsinki_today(now)
    return Window(
        party_last_day=today + timedelta(days=party_days), members_last_day=today + timedelta(days=members_days)
    )


async def test_final_from_the_day_after_the_members_window_when_it_closes_later(
    own_temporal_env: WorkflowEnvironment,
) -> None:
    stand_ins, queue = StandIns(), f"window-{uuid.uuid4()}"
    stand_ins.window = windows_from(await own_temporal_env.get_current_time(), party_days=17, members_days=21)
    closes = end_of_day(stand_ins.window.members_last_day)
    async with Worker(
        own_temporal_env.client, task_queue=queue, workflows=[AppealWindowWorkflow], activities=stand_ins.all()
    ):
        handle = await start(own_temporal_env, queue)
        await stand_ins.called("open_appeal_window")

        await skip_to(own_temporal_env, end_of_day(stand_ins.window.party_last_day) + timedelta(hours=1))
        assert "record_final" not in stand_ins.calls  # the party's window is over, the members' is not
        await skip_to(own_temporal_env, closes - timedelta(minutes=1))
        assert "record_final" not in stand_ins.calls  # the last day lasts until midnight in Helsinki

        await skip_to(own_temporal_env, closes + timedelta(minutes=1))
        result = await handle.result()

    assert result.final_on == stand_ins.window.members_last_day + timedelta(days=1)
    assert stand_ins.final_on == result.final_on
    assert stand_ins.calls.count("record_final") == 1


async def test_a_worker_restarted_in_the_window_keeps_its_timer(own_temporal_env: WorkflowEnvironment) -> None:
    stand_ins, queue = StandIns(), f"window-{uuid.uuid4()}"
    stand_ins.window = windows_from(await own_temporal_env.get_current_time(), party_days=14, members_days=3)
    # No workflow cache: the test server would hold the timer's task for the stopped worker's sticky queue.
    worker = partial(
        Worker,
        own_temporal_env.client,
        task_queue=queue,
        workflows=[AppealWindowWorkflow],
        activities=stand_ins.all(),
        max_cached_workflows=0,
    )
    async with worker():
        handle = await start(own_temporal_env, queue)
        await timer_started(handle)
    # No worker for the days in between (the timer is the server's, not the worker's): skipped to the day
    # after the members' window, with the party's still open.
    await skip_to(own_temporal_env, end_of_day(stand_ins.window.members_last_day) + timedelta(days=1))

    closes = end_of_day(stand_ins.window.party_last_day)
    async with worker():
        await skip_to(own_temporal_env, closes - timedelta(minutes=1))
        assert "record_final" not in stand_ins.calls  # the restart neither fired nor restarted the timer
        result = await handle.result()

    assert result.final_on == stand_ins.window.party_last_day + timedelta(days=1)
    assert await own_temporal_env.get_current_time() >= closes
    assert stand_ins.calls.count("open_appeal_window") == 1  # not opened again after the restart
    assert stand_ins.calls.count("record_final") == 1


def weekday_holiday_after(day: date) -> date:
    """The first public holiday after `day` that falls on a weekday (New Year's Day, Epiphany, Good Friday…)."""
    day += timedelta(days=1)
    while is_working_day(day) or day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def test_unrequested_final_the_day_after_the_last_day_moved_off_a_holiday(
    own_temporal_env: WorkflowEnvironment, sqlite_db: Database, programmes: dict[str, Programme], programme: Programme
) -> None:
    """Real activities on a real database: the members' 14th day is a public holiday, so their last day is the
    next working day, and the decision is final only from the day after that."""
    today = helsinki_today(await own_temporal_env.get_current_time())
    holiday = weekday_holiday_after(today + timedelta(days=30))
    published_on = holiday - timedelta(days=MEMBERS_DEEMED_DAYS + programme.appeal_days)
    received_on = published_on + timedelta(days=programme.deemed_received_days.email)
    party_last_day = rectification_last_day(received_on, programme)
    members_last = members_last_day(published_on, programme)
    assert members_last > holiday and members_last > party_last_day  # the holiday moves the later window
    number = f"{programme.decision_prefix} {published_on.year}/000001"
    decided_rejection(
        sqlite_db, programme, number=number, published_on=published_on, deemed_received_on=received_on,
        last_day=party_last_day,
    )  # fmt: skip
    activities = AppealWindowActivities(sqlite_db, programmes)
    queue = f"window-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=2) as executor:
        async with Worker(
            own_temporal_env.client,
            task_queue=queue,
            workflows=[AppealWindowWorkflow],
            activities=[activities.open_window, activities.record_final],
            activity_executor=executor,
        ):
            handle = await own_temporal_env.client.start_workflow(
                AppealWindowWorkflow.run,
                WindowInput(application_id=1, decision_number=number),
                id=f"grant-{uuid.uuid4()}/appeal-window",
                task_queue=queue,
            )
            await skip_to(own_temporal_env, end_of_day(holiday) + timedelta(hours=1))
            assert final_on_record(sqlite_db) is None  # the 14th day has passed, but it was a holiday
            await skip_to(own_temporal_env, end_of_day(members_last) - timedelta(minutes=1))
            assert final_on_record(sqlite_db) is None  # the moved last day lasts until midnight in Helsinki
            await skip_to(own_temporal_env, end_of_day(members_last) + timedelta(minutes=1))
            result = await handle.result()

    assert result.final_on == members_last + timedelta(days=1) == final_on_record(sqlite_db)


def final_on_record(db: Database) -> date | None:
    with db.session() as session:
        return session.exec(select(Decision)).one().final_on

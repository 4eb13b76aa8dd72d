"""The database connection dropped in the middle of an activity's transaction (PostgreSQL ends the session, as a
failover or a restarted server does): the activity fails, Temporal tries it again on a new connection, and the
case goes on with nothing lost and nothing done twice."""

from pathlib import Path

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlmodel import select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from core.db import Database
from models.grants.decisions import BudgetLedger, Decision
from models.grants.payloads import DecideInput, ProposeInput, Verdict
from models.grants.programme import Programme
from tests.support import POSTGRES_URL
from tests.workflow_helpers import accept, current_task, running_worker, seed_staff, start, wait_for_stage
from workflows.grants.application import GrantApplicationWorkflow

PROGRAMME = "sole-entrepreneur-2020"


def _drop_the_connection_at_the_first(statement_start: str, db: Database) -> list[int]:
    """Ends the server session under the first statement that starts so, just before it runs; the ids ended."""
    dropped: list[int] = []
    plain_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")

    def drop(conn: Connection, _cursor: object, statement: str, *_: object) -> None:
        if dropped or not statement.startswith(statement_start):
            return
        pid = conn.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
        with psycopg.connect(plain_url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", (pid,))
        dropped.append(pid)

    event.listen(db.engine, "before_cursor_execute", drop)
    return dropped


async def _attempts_of(handle: WorkflowHandle, activity_type: str) -> list[int]:
    """The attempt that completed each run of the activity (the history keeps only the last try's start)."""
    scheduled, attempts = set(), []
    async for e in handle.fetch_history_events():
        if e.HasField("activity_task_scheduled_event_attributes"):
            if e.activity_task_scheduled_event_attributes.activity_type.name == activity_type:
                scheduled.add(e.event_id)
        elif e.HasField("activity_task_started_event_attributes"):
            if e.activity_task_started_event_attributes.scheduled_event_id in scheduled:
                attempts.append(e.activity_task_started_event_attributes.attempt)
    return attempts


async def test_a_decision_whose_connection_drops_mid_transaction_is_made_once(
    own_temporal_env: WorkflowEnvironment, pg_db: Database, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    staff = seed_staff(pg_db)
    programme = programmes[PROGRAMME]
    application_id = accept(pg_db, programme)
    dropped = _drop_the_connection_at_the_first("INSERT INTO decision ", pg_db)

    async with running_worker(own_temporal_env.client, pg_db, programmes, tmp_path / "mail") as queue:
        handle = await start(own_temporal_env.client, queue, application_id, PROGRAMME)
        await wait_for_stage(handle, "assessed")
        propose = ProposeInput(task_key=current_task(pg_db, application_id).key, actor=staff["handler"],
                               outcome="approve", justification="Meets every condition.")  # fmt: skip
        await handle.execute_update(GrantApplicationWorkflow.propose, propose)
        decide = DecideInput(
            task_key=current_task(pg_db, application_id).key, actor=staff["decider"], verdict=Verdict.ACCEPT
        )
        number = await handle.execute_update(GrantApplicationWorkflow.decide, decide)
        attempts = await _attempts_of(handle, "finalize_decision")

    assert dropped, "the connection was never dropped: the test proved nothing"
    assert attempts == [2]  # the first try failed with its connection, the second made the decision
    with pg_db.session() as session:
        decisions = session.exec(select(Decision).where(Decision.application_id == application_id)).all()
        ledger = session.get(BudgetLedger, PROGRAMME)
    assert [d.number for d in decisions] == [number]
    assert number.endswith("000001")  # the failed try used no number
    assert ledger is not None and ledger.reserved == programme.amount  # reserved once

"""Serving decisions by e-mail through a real SMTP server (aiosmtpd): content, retries, and no duplicates."""

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from sqlmodel import select
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from core.clock import helsinki_today
from core.db import Database
from core.mail import SmtpMailer
from models.actors import Actor
from models.grants.decisions import Decision
from models.grants.payloads import DecideInput, ProposeInput, RedeliverInput, Verdict
from models.grants.programme import Programme
from models.tasks import Task
from models.time_limits import Channel
from tests.desk import wait_until
from tests.mail_server import SmtpServer
from tests.workflow_helpers import (
    accept,
    current_task,
    current_task_or_none,
    running_worker,
    seed_staff,
    start,
    wait_for_stage,
)
from workflows.grants.application import GrantApplicationWorkflow
from workflows.serving.decision import ServeDecisionWorkflow


@pytest.fixture
def temporal_env(own_temporal_env: WorkflowEnvironment) -> WorkflowEnvironment:
    """These tests skip hours and days: each runs on a time-skipping server of its own."""
    return own_temporal_env


@pytest.fixture
def staff(sqlite_db: Database) -> dict[str, Actor]:
    return seed_staff(sqlite_db)


@pytest.fixture
async def queue(
    temporal_env: WorkflowEnvironment,
    sqlite_db: Database,
    programmes: dict[str, Programme],
    tmp_path: Path,
    staff: dict[str, Actor],
    smtp: SmtpServer,
) -> AsyncIterator[str]:
    mailer = SmtpMailer(host="127.0.0.1", port=smtp.port, sender="grants@espoo.example", timeout=5)
    async with running_worker(temporal_env.client, sqlite_db, programmes, tmp_path / "mail", mailer=mailer) as q:
        yield q


async def decide(
    env: WorkflowEnvironment, queue: str, db: Database, programme: Programme, staff: dict[str, Actor], **changes: object
):
    application_id = accept(db, programme, **changes)
    handle = await start(env.client, queue, application_id, programme.code)
    await wait_for_stage(handle, "assessed")
    proposal = ProposeInput(
        task_key=current_task(db, application_id).key,
        actor=staff["handler"],
        outcome="reject",
        reasons=["TURNOVER_DROP"],
        justification="Turnover fell 8.3%.",
    )
    await handle.execute_update(GrantApplicationWorkflow.propose, proposal)
    await handle.execute_update(
        GrantApplicationWorkflow.decide,
        DecideInput(task_key=current_task(db, application_id).key, actor=staff["decider"], verdict=Verdict.ACCEPT),
    )
    return application_id, handle


def decision_emails(smtp: SmtpServer) -> list[EmailMessage]:
    """Besides the decision, each application's receipt arrives too."""
    return [message for message in smtp.inbox.messages if message["Message-ID"].startswith("<decision.")]


def pdf_text(message: EmailMessage) -> str:
    [attachment] = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    data = attachment.get_content()
    return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


async def test_the_decision_arrives_with_its_letter(
    temporal_env: WorkflowEnvironment,
    queue: str,
    sqlite_db: Database,
    programme: Programme,
    staff: dict[str, Actor],
    smtp: SmtpServer,
) -> None:
    smtp.start()
    _, handle = await decide(temporal_env, queue, sqlite_db, programme, staff, turnover__crisis_eur="11000.00")
    await handle.result()

    [message] = decision_emails(smtp)
    with sqlite_db.session() as session:
        decision = session.exec(select(Decision)).one()
    assert message["To"] == "maija@example.com"
    assert message["Message-ID"].startswith(f"<decision.{decision.id}.")
    assert "ESP-2020-000001" in message["Subject"]  # the application reference
    text = pdf_text(message)
    assert decision.number in text
    assert decision.rectification_last_day is not None
    assert format_date(decision.rectification_last_day, "long", locale="fi_FI") in text
    # The day it was sent is a Helsinki day (at 00:30 Helsinki time the UTC date is still the day before).
    assert decision.deemed_received_on == helsinki_today(decision.sent_at) + timedelta(days=3)


async def test_smtp_down_for_a_while_then_up_delivers_exactly_once(
    temporal_env: WorkflowEnvironment,
    queue: str,
    sqlite_db: Database,
    programme: Programme,
    staff: dict[str, Actor],
    smtp: SmtpServer,
) -> None:
    _, handle = await decide(temporal_env, queue, sqlite_db, programme, staff, turnover__crisis_eur="11000.00")

    serving = temporal_env.client.get_workflow_handle(f"{handle.id}/serving")  # serving is its own workflow

    async def attempts() -> int:
        try:
            pending = (await serving.describe()).raw_description.pending_activities
        except RPCError:
            return 0  # not started yet
        return max((p.attempt for p in pending), default=0)

    while await attempts() < 2:  # the first sends failed: nothing listens yet
        await temporal_env.sleep(timedelta(seconds=40))
    smtp.start()
    await handle.result()  # time skips to the next retry

    assert len(decision_emails(smtp)) == 1
    assert len(smtp.inbox.messages) == 2  # and the receipt, sent once too
    with sqlite_db.session() as session:
        assert session.exec(select(Decision)).one().sent_at is not None


async def test_exhausted_retries_become_a_task_and_post_takes_over(
    temporal_env: WorkflowEnvironment,
    queue: str,
    sqlite_db: Database,
    programme: Programme,
    staff: dict[str, Actor],
    smtp: SmtpServer,
) -> None:
    application_id, handle = await decide(temporal_env, queue, sqlite_db, programme, staff)

    await temporal_env.sleep(timedelta(days=3))  # past every retry

    def deliver_task() -> Task | None:  # the retries are over; the task's activity may still be running
        task = current_task_or_none(sqlite_db, application_id)
        return task if task is not None and task.kind == "deliver" else None

    task = await asyncio.to_thread(wait_until, deliver_task)
    assert (task.kind, task.note, task.workflow_id) == ("deliver", "email_failed", f"{handle.id}/serving")
    serving = temporal_env.client.get_workflow_handle(task.workflow_id)
    await serving.execute_update(
        ServeDecisionWorkflow.redeliver,
        RedeliverInput(task_key=task.key, actor=staff["handler"], channel=Channel.LETTER),
    )

    def queued_for_post() -> Decision | None:
        with sqlite_db.session() as session:
            decision = session.exec(select(Decision)).one()
        return decision if decision.serving_workflow_id else None

    decision = await asyncio.to_thread(wait_until, queued_for_post)
    assert smtp.inbox.messages == []
    # The letter waits for the post room's batch; the serving workflow waits for the batch to say it went out.
    assert (decision.channel, decision.sent_at, decision.serving_workflow_id) == ("letter", None, task.workflow_id)
    assert (await serving.describe()).status == WorkflowExecutionStatus.RUNNING

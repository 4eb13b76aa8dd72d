"""Driving GrantApplicationWorkflow from tests: a worker with real activities, staff, and waiting on stages."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from sqlmodel import col, select
from sqlmodel.sql.expression import SelectOfScalar
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from core.db import Database
from core.mail import FileMailer, Mailer
from core.settings import Settings
from core.trade_register import TradeRegister
from models.actors import Actor
from models.grants.application_form import ApplicationForm
from models.grants.decisions import Decision, Proposal
from models.grants.payloads import GrantApplicationInput, ProcessingState
from models.grants.programme import Programme
from models.serving.payloads import Served
from models.staff import Role
from models.tasks import ACTIVE_STATUSES, Task
from runtime.seed import create_user, seed_reference_data
from runtime.worker import build_worker
from tests.factories import application
from tests.support import IN_2020_WINDOW, TEST_SECRET, make_settings
from web.services.intake import submit_application
from workflows.grants.application import GrantApplicationWorkflow
from workflows.serving.decision import ServeDecisionWorkflow

STAFF = {
    "handler": ("hanna@e.example", "E", [Role.HANDLER]),
    "handler2": ("olli@o.example", "O", [Role.HANDLER]),
    "decider": ("tuula@e.example", "E", [Role.DECIDER]),
    # Holds both roles: may prepare or decide, never both on one application.
    "both": ("kaisa@e.example", "E", [Role.HANDLER, Role.DECIDER]),
}


# Decision letters name the presenter's and the decider's office in the applicant's language.
TITLES = {"fi": "yritysneuvoja", "sv": "företagsrådgivare", "en": "business adviser"}


def seed_staff(db: Database) -> dict[str, Actor]:
    actors = {}
    with db.session() as session:
        seed_reference_data(session)
        for key, (email, org, roles) in STAFF.items():
            user = create_user(
                session,
                email=email,
                full_name=key.title(),
                organisation=org,
                roles=roles,
                password="workflow-test-password",
                titles=TITLES,
            )
            actors[key] = Actor(
                user_id=user.id or 0, name=key.title(), organisation_code=org, roles=[str(r) for r in roles]
            )
    return actors


@asynccontextmanager
async def running_worker(
    client: Client,
    db: Database,
    programmes: dict[str, Programme],
    mail_dir: Path,
    task_queue: str | None = None,
    mailer: Mailer | None = None,
    register: TradeRegister | None = None,
) -> AsyncIterator[str]:
    task_queue = task_queue or f"grants-{uuid.uuid4()}"
    settings: Settings = make_settings(db, documents_dir=mail_dir.parent / "documents")
    with ThreadPoolExecutor(max_workers=8) as executor:
        worker = build_worker(
            client,
            settings=settings,
            db=db,
            programmes=programmes,
            executor=executor,
            mailer=mailer or FileMailer(mail_dir, settings.mail_from),
            task_queue=task_queue,
            register=register,
        )
        async with worker:
            try:
                yield task_queue
            finally:
                await _terminate_leftovers(client, task_queue)


# Handles started per task queue. A test that fails half-way leaves its workflow running with an
# activity in flight; on the shared time-skipping server that would hold the clock for later tests.
_started: dict[str, list[WorkflowHandle]] = {}


async def _terminate_leftovers(client: Client, task_queue: str) -> None:
    for handle in _started.pop(task_queue, []):
        await _terminate_with_children(client, handle)


async def _terminate_with_children(client: Client, handle: WorkflowHandle) -> None:
    """The test server does not apply the parent close policy: a child left running (an appeal window's
    timer) would fire in a later test with no worker to take it, and hold the skipped clock for good."""
    children = [
        event.start_child_workflow_execution_initiated_event_attributes.workflow_id
        async for event in handle.fetch_history_events()
        if event.HasField("start_child_workflow_execution_initiated_event_attributes")
    ]
    if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
        await handle.terminate(reason="test finished")
    for child in children:
        await _terminate_with_children(client, client.get_workflow_handle(child))


def accept(db: Database, programme: Programme, **changes: object) -> int:
    with db.session() as session:
        receipt = submit_application(
            session,
            programme=programme,
            form=ApplicationForm.model_validate(application(**changes)),
            submitted_at=IN_2020_WINDOW,
            secret=TEST_SECRET,
        )
    return receipt.application_id


def decided_rejection(
    db: Database,
    programme: Programme,
    *,
    number: str,
    published_on: date,
    deemed_received_on: date,
    last_day: date,
) -> int:
    """A rejection decided, published and served as the dates say, without running its workflows: its id."""
    staff = seed_staff(db)
    application_id = accept(db, programme)
    with db.session() as session:
        proposal = Proposal(
            application_id=application_id, seq=1, outcome="reject", amount=Decimal(0), reasons=["TURNOVER_DROP"],
            justification="-", proposer_id=staff["handler"].user_id,
        )  # fmt: skip
        session.add(proposal)
        session.flush()
        session.add(
            Decision(
                application_id=application_id, programme_code=programme.code, year=published_on.year, seq=1,
                number=number, outcome="reject", amount=Decimal(0), reasons=["TURNOVER_DROP"], justification="-",
                proposal_id=proposal.id or 0, presenter_id=staff["handler"].user_id,
                decider_id=staff["decider"].user_id, published_on=published_on,
                deemed_received_on=deemed_received_on, rectification_last_day=last_day,
            )
        )  # fmt: skip
        session.commit()
    return application_id


async def start(client: Client, task_queue: str, application_id: int, programme_code: str) -> WorkflowHandle:
    handle = await client.start_workflow(
        GrantApplicationWorkflow.run,
        GrantApplicationInput(application_id=application_id, programme_code=programme_code),
        # Unique per test: each test's database numbers its applications from 1 again.
        id=f"grant-{application_id}-{task_queue[-8:]}",
        task_queue=task_queue,
    )
    _started.setdefault(task_queue, []).append(handle)
    return handle


async def wait_for_state(
    handle: WorkflowHandle, done: Callable[[ProcessingState], bool], seconds: float = 20
) -> ProcessingState:
    async with asyncio.timeout(seconds):
        while True:
            state = await handle.query(GrantApplicationWorkflow.state)
            if done(state):
                return state
            await asyncio.sleep(0.05)


async def wait_for_stage(handle: WorkflowHandle, stage: str) -> ProcessingState:
    return await wait_for_state(handle, lambda s: s.stage == stage)


def _active_task(application_id: int) -> SelectOfScalar[Task]:
    return select(Task).where(Task.application_id == application_id, col(Task.status).in_(ACTIVE_STATUSES))


def current_task_or_none(db: Database, application_id: int) -> Task | None:
    with db.session() as session:
        return session.exec(_active_task(application_id)).first()


def current_task(db: Database, application_id: int) -> Task:
    with db.session() as session:
        return session.exec(_active_task(application_id)).one()


def read_mails(directory: Path, *, receipts: bool = False) -> list[EmailMessage]:
    """The .eml files the file mailer wrote, parsed (bodies are quoted-printable on disk).

    Every application's receipt is left out unless `receipts` asks for them.
    """
    parsed = []
    for path in sorted(directory.glob("*.eml")):
        if path.name.startswith("receipt.") and not receipts:
            continue
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        assert isinstance(message, EmailMessage)
        parsed.append(message)
    return parsed


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def until_accepted(update: Callable[[], Awaitable[object]], tries: int = 100) -> None:
    """An update whose validator refuses until the workflow has reached the point it waits at: ask again shortly
    (the activity a test saw called has not yet returned to the workflow)."""
    for _ in range(tries):
        try:
            await update()
            return
        except WorkflowUpdateFailedError:
            await asyncio.sleep(0.05)
    raise AssertionError("the update was never accepted")


async def until_called(stand_ins_calls: list[str], name: str, times: int, tries: int = 200) -> None:
    """Waits until an activity has been called `times` times."""
    for _ in range(tries):
        if stand_ins_calls.count(name) >= times:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{name} was not called {times} times")


async def served(client: Client, handle: WorkflowHandle) -> Served:
    """How the decision was served, from its serving workflow: an approved case goes on to its payment, so the
    grant workflow's own result comes only once the bank has paid."""
    serving = client.get_workflow_handle_for(ServeDecisionWorkflow.run, f"{handle.id}/serving")
    for _ in range(200):
        try:
            result: Served = await serving.result()
            return result
        except RPCError as missing:  # the grant workflow has not started it yet
            if missing.status != RPCStatusCode.NOT_FOUND:
                raise
            await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} never served its decision")

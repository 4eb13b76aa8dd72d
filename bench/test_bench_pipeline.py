"""Pipeline: grant workflows from intake to the handlers' queue (their three activities: the receipt e-mail, the
assessment with the register, the task) per second, against a bare workflow of three no-op activities on the same
Temporal dev server, with one worker process's worth of activity threads."""

import asyncio
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from temporalio.worker import Worker

from bench.results import Figure, Results
from bench.workflows.bare import ThreeNoOpsWorkflow, nothing
from core.db import Database
from core.mail import FileMailer
from core.migrate import upgrade
from core.settings import PROJECT_ROOT
from core.temporal import connect
from models.grants.application_form import NewApplication
from models.grants.applications import Application, Stage
from models.grants.payloads import GrantApplicationInput
from models.grants.programme import load_programmes
from runtime.seed import seed_reference_data
from runtime.worker import build_worker
from tests.factories import PERSONAL_IDS, application
from tests.support import IN_2020_WINDOW, TEST_PAYLOAD_KEY, TEST_SECRET, make_settings
from tests.temporal_server import DevServer
from web.services.intake import submit_application
from workflows.grants.application import GrantApplicationWorkflow

pytestmark = pytest.mark.slow
CASES = 200
STARTING = 20  # starts in flight at once (the dev server limits concurrent polls and requests)


async def _start_all(start: object, count: int) -> None:
    gate = asyncio.Semaphore(STARTING)

    async def one(n: int) -> None:
        async with gate:
            await start(n)  # type: ignore[operator]

    await asyncio.gather(*(one(n) for n in range(count)))


def _in_queue(db: Database) -> int:
    with db.session() as session:
        return session.exec(
            select(func.count()).select_from(Application).where(col(Application.status) == Stage.ASSESSED)
        ).one()


async def _pipeline(tmp_path: Path, address: str) -> tuple[float, float]:
    url = f"sqlite:///{tmp_path / 'pipeline.db'}"
    upgrade(url)
    db = Database(url)
    programmes = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)
    programme = programmes["sole-entrepreneur-2020"]
    with db.session() as session:
        seed_reference_data(session)
        ids = []
        for n in range(CASES):
            form = NewApplication.model_validate(
                application(applicant__personal_id=PERSONAL_IDS[n % len(PERSONAL_IDS)])
            )
            receipt = submit_application(
                session, programme=programme, form=form, submitted_at=IN_2020_WINDOW, secret=TEST_SECRET
            )
            ids.append(receipt.application_id)
    client = await connect(address, "default", TEST_PAYLOAD_KEY)
    settings = make_settings(db, documents_dir=tmp_path / "documents", mail_dir=tmp_path / "mail")

    bare_queue = f"bare-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=20) as executor:
        async with Worker(
            client, task_queue=bare_queue, workflows=[ThreeNoOpsWorkflow], activities=[nothing],
            activity_executor=executor,
        ):  # fmt: skip
            started = time.perf_counter()

            async def bare(n: int) -> None:
                await client.start_workflow(ThreeNoOpsWorkflow.run, n, id=f"bare-{n}", task_queue=bare_queue)

            await _start_all(bare, CASES)
            for n in range(CASES):
                await client.get_workflow_handle(f"bare-{n}").result()
            bare_seconds = time.perf_counter() - started

        grants_queue = f"grants-{uuid.uuid4()}"
        worker = build_worker(
            client, settings=settings, db=db, programmes=programmes, executor=executor, task_queue=grants_queue,
            mailer=FileMailer(tmp_path / "mail", settings.mail_from),
        )  # fmt: skip
        async with worker:
            started = time.perf_counter()

            async def grant(n: int) -> None:
                await client.start_workflow(
                    GrantApplicationWorkflow.run,
                    GrantApplicationInput(application_id=ids[n], programme_code=programme.code),
                    id=f"grant-{ids[n]}",
                    task_queue=grants_queue,
                )

            await _start_all(grant, CASES)
            while _in_queue(db) < CASES:  # noqa: ASYNC110 (the database is polled: nothing else says so)
                await asyncio.sleep(0.05)
            grant_seconds = time.perf_counter() - started
            for n in range(CASES):
                await client.get_workflow_handle(f"grant-{ids[n]}").terminate("benchmark over")
    db.dispose()
    return CASES / grant_seconds, CASES / bare_seconds


def test_pipeline_to_the_queue_against_a_bare_three_activity_workflow(tmp_path: Path, results: Results) -> None:
    server = DevServer(tmp_path)
    server.start()
    try:
        measured, bare = asyncio.run(_pipeline(tmp_path, server.address))
    finally:
        server.stop()
    ratio = measured / bare
    results.add(
        Figure(
            name=f"pipeline: {CASES} grant workflows to the queue",
            measured={"workflows_per_second": round(measured, 1), "activities_per_second": round(3 * measured, 1)},
            baseline={"workflows_per_second": round(bare, 1), "activities_per_second": round(3 * bare, 1)},
            ratio=ratio,
            target="≥ 0.5× the bare workflow's activities per second",
            met=ratio >= 0.5,
            note=f"{ratio:.2f} of 0.5",
        )
    )

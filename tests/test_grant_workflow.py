"""GrantApplicationWorkflow on the time-skipping test server, with the real activities and database."""

import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.assessment import AssessmentActivities
from activities.registry import LocalTradeRegister
from core.db import Database
from core.seed import seed_reference_data
from core.temporal import ENCRYPTED_ENCODING
from core.worker import build_worker
from models.application_form import ApplicationForm
from models.grants import Application, ApplicationStatus, AssessmentRecord, TimelineEvent
from models.payloads import AssessApplicationInput, GrantApplicationInput
from models.programme import Programme
from tests.conftest import IN_2020_WINDOW, TEST_SECRET
from tests.factories import PERSONAL_IDS, application
from web.services.intake import submit_application
from workflows.grant_application import GrantApplicationWorkflow


@pytest.fixture
async def worker_queue(
    temporal_env: WorkflowEnvironment, sqlite_db: Database, programmes: dict[str, Programme]
) -> AsyncIterator[str]:
    with sqlite_db.session() as session:
        seed_reference_data(session)
    task_queue = f"grants-{uuid.uuid4()}"
    with ThreadPoolExecutor(max_workers=4) as executor:
        worker = build_worker(
            temporal_env.client, task_queue=task_queue, db=sqlite_db, programmes=programmes, executor=executor
        )
        async with worker:
            yield task_queue


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


async def start(client: Client, task_queue: str, application_id: int) -> WorkflowHandle:
    return await client.start_workflow(
        GrantApplicationWorkflow.run,
        GrantApplicationInput(application_id=application_id, programme_code="sole-entrepreneur-2020"),
        id=f"grant-{application_id}",
        task_queue=task_queue,
    )


async def test_receipt_and_assessment_are_recorded(
    temporal_env: WorkflowEnvironment, worker_queue: str, sqlite_db: Database, programme: Programme
) -> None:
    application_id = accept(sqlite_db, programme)

    result = await (await start(temporal_env.client, worker_queue, application_id)).result()

    assert result.status == "assessed"
    assert result.assessment is not None
    assert result.assessment.eligible is True
    assert result.assessment.turnover_drop == "0.7814"
    with sqlite_db.session() as session:
        record = session.exec(select(AssessmentRecord)).one()
        kinds = [e.kind for e in session.exec(select(TimelineEvent)).all()]
    assert record.rules_version == "espoo-2020-05-26"
    # Reproducible: the stored inputs hold the application and what the register said.
    assert record.inputs["application"]["submitted_at"].startswith("2020-05-02")
    assert record.inputs["registry"]["home_municipality"] == "Espoo"
    assert record.inputs["registry"]["prior_applications"] == 0
    assert kinds == ["workflow_started", "assessed"]


async def test_register_facts_override_the_declaration(
    temporal_env: WorkflowEnvironment, worker_queue: str, sqlite_db: Database, programme: Programme
) -> None:
    # 0737546-2 is registered in Helsinki (seeded demo business), whatever the applicant says.
    application_id = accept(sqlite_db, programme, business__business_id="0737546-2")

    result = await (await start(temporal_env.client, worker_queue, application_id)).result()

    assert result.assessment is not None
    assert result.assessment.reasons == ["WRONG_MUNICIPALITY"]
    with sqlite_db.session() as session:
        record = session.exec(select(AssessmentRecord)).one()
    fields = {d["field"]: d for d in record.result["discrepancies"]}
    assert fields["business.home_municipality"]["registry"] == "Helsinki"


async def test_second_application_by_the_same_person_is_a_duplicate(
    temporal_env: WorkflowEnvironment, worker_queue: str, sqlite_db: Database, programme: Programme
) -> None:
    first = accept(sqlite_db, programme)
    second = accept(sqlite_db, programme, business__business_id=None, business__company_form="light")
    other_person = accept(sqlite_db, programme, applicant__personal_id=PERSONAL_IDS[1])

    handles = [await start(temporal_env.client, worker_queue, i) for i in (first, second, other_person)]
    results = [await handle.result() for handle in handles]

    assert [r.assessment.reasons for r in results if r.assessment] == [[], ["DUPLICATE"], []]


async def test_assessment_activity_is_idempotent(
    temporal_env: WorkflowEnvironment, worker_queue: str, sqlite_db: Database, programme: Programme
) -> None:
    application_id = accept(sqlite_db, programme)
    await (await start(temporal_env.client, worker_queue, application_id)).result()
    activities = AssessmentActivities(sqlite_db, LocalTradeRegister(sqlite_db), {programme.code: programme})
    again = activities.assess_application(AssessApplicationInput(application_id=application_id, round=1))

    assert again.eligible is True
    with sqlite_db.session() as session:
        assert len(session.exec(select(AssessmentRecord)).all()) == 1
        assert session.exec(select(TimelineEvent).where(TimelineEvent.kind == "assessed")).one()
        assert session.get(Application, application_id).status == ApplicationStatus.ASSESSED  # type: ignore[union-attr]


async def test_payloads_in_history_are_encrypted(
    temporal_env: WorkflowEnvironment, worker_queue: str, sqlite_db: Database, programme: Programme
) -> None:
    application_id = accept(sqlite_db, programme)
    handle = await start(temporal_env.client, worker_queue, application_id)
    await handle.result()

    history = await handle.fetch_history()
    raw = history.to_json()
    payloads = [
        p
        for event in history.events
        if event.HasField("activity_task_completed_event_attributes")
        for p in event.activity_task_completed_event_attributes.result.payloads
    ]
    assert payloads
    assert all(p.metadata["encoding"] == ENCRYPTED_ENCODING for p in payloads)
    assert "espoo-2020-05-26" not in raw  # the rules version is inside the encrypted result

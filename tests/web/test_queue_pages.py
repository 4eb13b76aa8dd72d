"""The queue comes a hundred tasks at a time, oldest first, with the filters kept from page to page."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import insert

from core.db import Database
from models.grants.applications import Application, Stage
from models.staff import Role
from models.subjects import SubjectType
from models.tasks import Task, TaskKind, TaskStatus
from runtime.seed import create_user, seed_reference_data
from tests.factories import application
from tests.web_helpers import sign_in

TASKS = 130
START = datetime(2020, 5, 2, 7, tzinfo=UTC)


def _queue(db: Database) -> None:
    with db.session() as session:
        seed_reference_data(session)
        create_user(
            session, email="hanna@e.example", full_name="Hanna", organisation="E", roles=[Role.HANDLER],
            password="queue-test-password",
        )  # fmt: skip
        session.execute(
            insert(Application),
            [
                {
                    "id": n, "reference": f"ESP-2020-{n:06d}", "programme_code": "sole-entrepreneur-2020",
                    "status": Stage.ASSESSED, "submitted_at": START + timedelta(minutes=n), "language": "fi",
                    "applicant_name": f"Hakija {n}", "email": f"h{n}@example.fi", "business_name": f"Yritys {n}",
                    "person_digest": f"{n:064d}", "form": application(), "form_digest": "x",
                }
                for n in range(1, TASKS + 1)
            ],
        )  # fmt: skip
        session.execute(
            insert(Task),
            [
                {
                    "key": f"grant-{n}/handle/1", "workflow_id": f"grant-{n}",
                    "subject_type": SubjectType.GRANT_APPLICATION, "subject_id": n, "application_id": n,
                    "programme_code": "sole-entrepreneur-2020", "kind": TaskKind.HANDLE, "role": Role.HANDLER,
                    "status": TaskStatus.OPEN, "arrived_at": START + timedelta(minutes=n), "created_at": START,
                }
                for n in range(1, TASKS + 1)
            ],
        )  # fmt: skip
        session.commit()


def test_the_queue_pages_through_its_tasks_oldest_first(client: TestClient, db: Database) -> None:
    _queue(db)
    assert sign_in(client, "hanna@e.example", "queue-test-password").status_code == 303
    first = client.get("/staff/queue?lang=en&status=open").text
    assert "ESP-2020-000001" in first and "ESP-2020-000100" in first and "ESP-2020-000101" not in first
    assert "Tasks 1–100 in order of arrival." in first and "Previous 100" not in first
    assert 'href="/staff/queue?status=open&amp;page=2"' in first  # the filter goes along
    second = client.get("/staff/queue?lang=en&status=open&page=2").text
    assert "ESP-2020-000101" in second and "ESP-2020-000130" in second and "ESP-2020-000100" not in second
    assert "Tasks 101–130 in order of arrival." in second and "Next 100" not in second
    assert client.get("/staff/queue?page=0").status_code == 422

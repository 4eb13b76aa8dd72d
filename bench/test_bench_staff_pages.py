"""Staff queue, search and coordination pages with 50,000 applications in the database: p95 latency, against the
same app's health check (the framework's floor) measured in the same run."""

import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from bench.results import Figure, Results
from core.db import Database
from core.migrate import upgrade
from core.settings import PROJECT_ROOT
from models.grants.applications import Application, Stage
from models.grants.programme import load_programmes
from models.staff import Role
from models.subjects import SubjectType
from models.tasks import Task, TaskKind, TaskStatus
from runtime.seed import create_user, seed_reference_data
from tests.factories import application
from tests.support import IN_2020_WINDOW, make_settings
from tests.web_helpers import csrf_from, sign_in
from web.app import create_app

pytestmark = pytest.mark.slow
APPLICATIONS, WITH_TASKS, REQUESTS = 50_000, 5_000, 40
PROGRAMME = "sole-entrepreneur-2020"
STAGES = [Stage.ASSESSED, Stage.WAITING_FOR_APPLICANT, Stage.IN_DECISION, Stage.APPROVED, Stage.REJECTED, Stage.PAID]
SURNAMES = ["Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Mäkelä", "Hämäläinen", "Laine", "Heikkinen", "Koskinen"]


def _fill(db: Database) -> None:
    rng = random.Random(2020)  # noqa: S311 (test data, not secrets)
    form = application()
    start = datetime(2020, 5, 2, 7, tzinfo=UTC)
    rows = []
    for n in range(1, APPLICATIONS + 1):
        surname = rng.choice(SURNAMES)
        rows.append(
            {
                "id": n,
                "reference": f"ESP-2020-{n:06d}",
                "programme_code": PROGRAMME,
                "status": rng.choice(STAGES) if n > WITH_TASKS else Stage.ASSESSED,
                "submitted_at": start + timedelta(seconds=37 * n),
                "language": rng.choice(["fi", "fi", "fi", "sv", "en"]),
                "applicant_name": f"{rng.choice(['Maija', 'Matti', 'Anna', 'Pekka'])} {surname}",
                "email": f"yrittaja{n}@example.fi",
                "business_id": "0112038-9",
                "business_name": f"Toiminimi {surname} {n}",
                "person_digest": f"{n:064d}",
                "form": form,
                "form_digest": "x",
            }
        )
    tasks = [
        {
            "key": f"grant-{n}/handle/1",
            "workflow_id": f"grant-{n}",
            "subject_type": SubjectType.GRANT_APPLICATION,
            "subject_id": n,
            "application_id": n,
            "programme_code": PROGRAMME,
            "kind": TaskKind.HANDLE,
            "role": Role.HANDLER,
            "status": TaskStatus.OPEN,
            "arrived_at": start + timedelta(seconds=37 * n),
            "created_at": start,
        }
        for n in range(1, WITH_TASKS + 1)
    ]
    with db.session() as session:
        session.execute(insert(Application), rows)
        session.execute(insert(Task), tasks)
        session.commit()


def _p95(client: TestClient, call: object) -> float:
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = call()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.text[:300]
    timings.sort()
    return timings[int(0.95 * len(timings)) - 1]


def test_staff_pages_at_fifty_thousand_applications(tmp_path: Path, results: Results) -> None:
    url = f"sqlite:///{tmp_path / 'staff.db'}"
    upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_reference_data(session)
        create_user(
            session,
            email="coordinator@e.example",
            full_name="Kaisa",
            organisation="E",
            roles=[Role.COORDINATOR, Role.HANDLER],
            password="bench-password",  # noqa: S106 (a throwaway account in a scratch database)
        )
    _fill(db)
    programmes = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)
    app = create_app(make_settings(db), db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False)
    with TestClient(app) as client:
        assert sign_in(client, "coordinator@e.example", "bench-password").status_code == 303
        token = csrf_from(client.get("/staff/search").text)
        baseline = _p95(client, lambda: client.get("/healthz"))
        pages = {
            "queue": lambda: client.get("/staff/queue"),
            "queue, my organisation's unassigned": lambda: client.get("/staff/queue?assignee=none&status=open"),
            "search by name": lambda: client.post("/staff/search", data={"q": "Mäkelä", "csrf_token": token}),
            "search by reference": lambda: client.post(
                "/staff/search", data={"q": "ESP-2020-041234", "csrf_token": token}
            ),
            "coordination": lambda: client.get("/staff/coordination"),
            "applications": lambda: client.get("/staff"),
        }
        measured = {name: _p95(client, call) for name, call in pages.items()}
    db.dispose()
    worst = max(measured.values())
    slow = [name for name, p95 in measured.items() if p95 >= 0.150]
    results.add(
        Figure(
            name=f"staff pages, p95 at {APPLICATIONS:,} applications",
            measured={name: f"{p95 * 1000:.0f} ms" for name, p95 in measured.items()},
            baseline={"health check": f"{baseline * 1000:.1f} ms"},
            ratio=worst / baseline,
            target="p95 < 150 ms on every page (ratio: the slowest page over the health check; lower is better)",
            met=not slow,
            note=f"over 150 ms: {', '.join(slow)}" if slow else "",
        )
    )

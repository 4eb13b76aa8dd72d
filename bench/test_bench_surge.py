"""Intake surge: accepted submissions per second and p50/p99 under 50 concurrent clients on loopback, against a
bare FastAPI endpoint that validates the same body with the same form model and inserts one row (SQLite, WAL)."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from bench.apps import __name__ as APPS
from bench.load import LoadResult, post_concurrently
from bench.results import Figure, Results
from bench.servers import uvicorn_process
from core.db import Database
from core.migrate import upgrade
from models.grants.applications import Application
from models.outbox import OutboxMessage
from runtime.seed import seed_reference_data
from tests.factories import application
from tests.support import TEST_API_AUTHORIZATION, TEST_PAYLOAD_KEY, TEST_SECRET, TEST_SETTINGS_API_CLIENTS

pytestmark = pytest.mark.slow
TOTAL, CLIENTS = 1000, 50
GRANTS = "/api/v1/programmes/sole-entrepreneur-2020/applications"


def test_intake_surge_against_a_bare_endpoint(tmp_path: Path, results: Results) -> None:
    url = f"sqlite:///{tmp_path / 'grantdesk.db'}"
    upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_reference_data(session)
    env = {
        "ENVIRONMENT": "test",
        "DATABASE_URL": url,
        "SECRET_KEY": TEST_SECRET,
        "PAYLOAD_KEY": TEST_PAYLOAD_KEY,
        "API_CLIENTS": TEST_SETTINGS_API_CLIENTS,
        "PUBLIC_POST_LIMIT": "",  # one client address sending everything
        "TEMPORAL_ADDRESS": "127.0.0.1:1",
        "BARE_DATABASE": str(tmp_path / "bare.db"),
    }
    body = application()
    headers = {"Authorization": TEST_API_AUTHORIZATION}

    def run(base: str) -> LoadResult:
        def request(n: int) -> dict[str, object]:
            return {"json": body, "headers": headers}

        asyncio.run(post_concurrently(base, request, total=50, clients=5))  # warm-up
        return asyncio.run(post_concurrently(base, request, total=TOTAL, clients=CLIENTS))

    with uvicorn_process(f"{APPS}:bare_app", env) as bare_url:
        bare = run(f"{bare_url}/applications")
    with uvicorn_process(f"{APPS}:grantdesk_app", env) as app_url:
        measured = run(f"{app_url}{GRANTS}")

    with db.session() as session:
        stored = session.exec(select(func.count()).select_from(Application)).one()
        promised = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    db.dispose()
    assert measured.accepted == TOTAL and bare.accepted == TOTAL
    assert stored == promised == TOTAL + 50  # none lost, every one with its workflow promised (warm-up included)

    ratio = measured.per_second / bare.per_second
    met = measured.per_second >= 200 and measured.p99 < 0.250 and ratio >= 0.5
    note = f"{measured.per_second:.0f}/s of 200, p99 {measured.p99 * 1000:.0f} ms of 250, {ratio:.2f} of 0.5× bare"
    results.add(
        Figure(
            name=f"intake surge ({CLIENTS} clients, {TOTAL} posts, SQLite)",
            measured=measured.summary(),
            baseline=bare.summary(),
            ratio=ratio,
            target="≥ 200/s, p99 < 250 ms, ≥ 0.5× bare",
            met=met,
            note=note,
        )
    )

"""The whole system in one test: web app, outbox relay, a worker thread and a fresh Temporal test server."""

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from google.protobuf.duration_pb2 import Duration
from sqlmodel import select
from temporalio.api.testservice.v1 import SleepRequest

from core.db import Database
from core.settings import Settings
from core.temporal import connect
from models.actors import Actor
from models.grants.programme import Programme
from models.staff import Role
from models.tasks import Task
from runtime.seed import create_user
from tests.background_worker import worker_thread
from tests.factories import application
from tests.support import IN_2020_WINDOW, TEST_API_AUTHORIZATION, TEST_PAYLOAD_KEY, make_settings
from tests.web_helpers import sign_in
from tests.workflow_helpers import STAFF, TITLES, seed_staff
from web.app import create_app

PASSWORD = "workflow-test-password"
API = "/api/v1/programmes/sole-entrepreneur-2020/applications"
EXTRA_STAFF = {
    "coordinator": ("kaija@e.example", "E", [Role.COORDINATOR, Role.HANDLER]),
    "te": ("teppo@te.example", "TE", [Role.HANDLER]),
    # Coordinates for the TE Office, which does not process the grant: sees none of its cases.
    "te_coordinator": ("tiina@te.example", "TE", [Role.COORDINATOR]),
    "finance": ("fiia@e.example", "E", [Role.FINANCE]),
    "finance2": ("fredrik@e.example", "E", [Role.FINANCE]),
    "admin": ("akseli@e.example", "E", [Role.ADMIN]),
    "legal": ("lauri@e.example", "E", [Role.LEGAL]),
}


@dataclass
class DeskClock:
    """The web app's clock: a fixed moment that a test may move on (the workflows keep real time)."""

    now: datetime = IN_2020_WINDOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Desk:
    client: TestClient
    db: Database
    staff: dict[str, Actor]
    emails: dict[str, str]
    settings: Settings
    clock: DeskClock

    def sign_in_as(self, who: str) -> None:
        self.client.cookies.clear()
        assert sign_in(self.client, self.emails[who], PASSWORD).status_code == 303

    def apply(self, **changes: object) -> dict[str, str]:
        response = self.client.post(API, json=application(**changes))
        assert response.status_code == 201, response.text
        return dict(response.json())

    def skip_days(self, days: int) -> None:
        """Moves the test server's clock on, and the web app's with it: the workflows' timers that fall due
        meanwhile fire, as they would over those days."""

        async def sleep() -> None:
            client = await connect(self.settings.temporal_address, "default", TEST_PAYLOAD_KEY)
            duration = Duration(seconds=days * 86400)
            await client.test_service.unlock_time_skipping_with_sleep(SleepRequest(duration=duration))

        asyncio.run(sleep())
        self.clock.now += timedelta(days=days)

    def tasks(self) -> list[Task]:
        with self.db.session() as session:
            return list(session.exec(select(Task).order_by(Task.id)).all())  # type: ignore[arg-type]


@contextmanager
def open_desk(
    temporal_address: str, sqlite_db: Database, programmes: dict[str, Programme], tmp_path: Path
) -> Iterator[Desk]:
    staff = seed_staff(sqlite_db)
    emails = {key: email for key, (email, _, _) in STAFF.items()}
    with sqlite_db.session() as session:
        for key, (email, org, roles) in EXTRA_STAFF.items():
            user = create_user(
                session,
                email=email,
                full_name=key.title(),
                organisation=org,
                roles=roles,
                password=PASSWORD,
                titles=TITLES,
            )
            staff[key] = Actor(
                user_id=user.id or 0, name=key.title(), organisation_code=org, roles=[str(r) for r in roles]
            )
            emails[key] = email
    settings = make_settings(
        sqlite_db,
        temporal_address=temporal_address,
        task_queue=f"desk-{uuid.uuid4()}",
        outbox_poll_seconds=0.1,
        documents_dir=tmp_path / "documents",
        mail_dir=tmp_path / "mail",
        bank_outgoing_dir=tmp_path / "bank",
    )
    with worker_thread(settings, sqlite_db, programmes, tmp_path / "mail"):
        clock = DeskClock()
        app = create_app(settings, db=sqlite_db, programmes=programmes, clock=clock)
        # English pages, so the tests can read the validators' messages as written.
        with TestClient(app, headers={"Accept-Language": "en", "Authorization": TEST_API_AUTHORIZATION}) as client:
            yield Desk(client=client, db=sqlite_db, staff=staff, emails=emails, settings=settings, clock=clock)


def wait_until(check, seconds: float = 15):
    """Polls `check` until it returns something truthy (the workflow works on another thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the workflow")

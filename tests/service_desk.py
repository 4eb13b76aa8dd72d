"""Driving ServiceRequestWorkflow from tests: real activities on the test's database, mail to files, and the
network's people."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowHandle
from temporalio.worker import Worker

from activities.tasks import TaskActivities
from core.db import Database
from core.mail import FileMailer
from core.settings import Settings
from models.actors import Actor
from models.identification import Assurance, IdentifiedPerson
from models.service_requests.form import ServiceRequestForm
from models.service_requests.payloads import ServiceRequestInput
from models.staff import Role
from models.tasks import ACTIVE_STATUSES, Task
from runtime.seed import create_user, seed_reference_data
from runtime.worker import service_request_activities
from tests.support import TEST_SECRET
from web.services.service_requests.intake import submit_service_request
from workflows.service_requests.service_request import ServiceRequestWorkflow

T = TypeVar("T")

# The network's people in these tests: (organisation, roles).
PEOPLE = {
    "ye_handler": ("YE", [Role.HANDLER]),
    "ye_handler2": ("YE", [Role.HANDLER]),
    "ye_coordinator": ("YE", [Role.COORDINATOR]),
    "o_handler": ("O", [Role.HANDLER]),
    "o_coordinator": ("O", [Role.COORDINATOR]),
    "e_coordinator": ("E", [Role.COORDINATOR]),
    "ey_handler": ("EY", [Role.HANDLER]),
}

CUSTOMER = IdentifiedPerson(
    personal_id="010170-901K",
    name="Maija Meikäläinen",
    assurance=Assurance.SUBSTANTIAL,
    authn_context="http://ftn.ficora.fi/2017/loa2",
    authenticated_at=datetime(2026, 1, 1, tzinfo=UTC),
    provider="https://idp.test",
)


def a_request(**changes: Any) -> ServiceRequestForm:
    values: dict[str, Any] = {
        "package": "start",
        "stage": "planning",
        "customer_group": "would_be",
        "description": "I plan to open a bakery in Espoo and need help with the business plan.",
        "name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "language": "en",
        "share_consent": False,
    }
    return ServiceRequestForm.model_validate(values | changes)


@dataclass
class ServiceDesk:
    client: Client
    db: Database
    queue: str
    mail_dir: Path
    people: dict[str, Actor]

    async def submit(self, form: ServiceRequestForm, *, signed_in: bool = True) -> tuple[int, WorkflowHandle]:
        now = await self.now()
        with self.db.session() as session:
            receipt = submit_service_request(
                session,
                form=form,
                received_at=now,
                secret=TEST_SECRET,
                channel="api",
                identified=CUSTOMER if signed_in else None,
            )
        handle = await self.client.start_workflow(
            ServiceRequestWorkflow.run,
            ServiceRequestInput(request_id=receipt.request_id),
            id=f"service-request-{receipt.request_id}",
            task_queue=self.queue,
        )
        return receipt.request_id, handle

    async def now(self) -> datetime:
        # The workflow's clock: the time-skipping server's, which the tests move.
        return datetime.now(UTC)

    def read(self, query: Callable[[Session], T]) -> T:
        with self.db.session() as session:
            return query(session)

    def active_task(self, request_id: int) -> Task | None:
        return self.read(
            lambda s: s.exec(
                select(Task).where(
                    Task.subject_type == "service_request",
                    Task.subject_id == request_id,
                    col(Task.status).in_(ACTIVE_STATUSES),
                )
            ).first()
        )

    async def until(self, check: Callable[[], T | None], what: str, tries: int = 300) -> T:
        for _ in range(tries):
            found = check()
            if found:
                return found
            await asyncio.sleep(0.02)
        raise AssertionError(f"never happened: {what}")

    async def task_of(self, request_id: int) -> Task:
        return await self.until(lambda: self.active_task(request_id), f"a task for request {request_id}")

    def mails(self) -> list[EmailMessage]:
        parser = BytesParser(policy=policy.default)
        return [
            parser.parsebytes(path.read_bytes())
            for path in sorted(self.mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        ]

    def mails_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.mails() if m["To"] == address]


def seed_people(db: Database) -> dict[str, Actor]:
    actors = {}
    with db.session() as session:
        seed_reference_data(session)
        for key, (organisation, roles) in PEOPLE.items():
            user = create_user(
                session,
                email=f"{key}@example.org",
                full_name=key.replace("_", " ").title(),
                organisation=organisation,
                roles=roles,
                password="service-desk-test-password",
            )
            user.language = "en"  # the tests read the staff's e-mails as written
            session.add(user)
            session.commit()
            actors[key] = Actor(
                user_id=user.id or 0, name=user.full_name, organisation_code=organisation, roles=list(roles)
            )
    return actors


@asynccontextmanager
async def service_desk(client: Client, db: Database, settings: Settings, mail_dir: Path) -> AsyncIterator[ServiceDesk]:
    people = seed_people(db)
    queue = f"service-{uuid.uuid4()}"
    mailer = FileMailer(mail_dir, settings.mail_from)
    with ThreadPoolExecutor(max_workers=4) as executor:
        async with Worker(
            client,
            task_queue=queue,
            workflows=[ServiceRequestWorkflow],
            activities=[*service_request_activities(db, mailer, settings), TaskActivities(db).close_task],
            activity_executor=executor,
        ):
            yield ServiceDesk(client=client, db=db, queue=queue, mail_dir=mail_dir, people=people)

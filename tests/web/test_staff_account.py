"""One's own account: a temporary password is changed before anything else, and assignment e-mails on request."""

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from core.db import Database
from models.audit import AuditEvent
from models.grants.applications import Application
from models.grants.programme import Programme
from models.notifications import EmailLog
from models.staff import Role, User
from models.subjects import SubjectType
from models.tasks import Task, TaskKind, TaskStatus
from runtime.seed import create_user, seed_reference_data
from tests.web_helpers import csrf_from, sign_in
from tests.workflow_helpers import accept
from web.services import staff_users

PASSWORD = "account-test-password"
NEW_PASSWORD = "my very own password 2020"


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    with db.session() as session:
        seed_reference_data(session)
        found = {}
        for key, email, roles in (
            ("coordinator", "kaisa@e.example", [Role.COORDINATOR, Role.HANDLER]),
            ("handler", "hanna@e.example", [Role.HANDLER]),
        ):
            user = create_user(
                session, email=email, full_name=key.title(), organisation="E", roles=roles, password=PASSWORD
            )
            found[key] = user.id or 0
    return found


def post(client: TestClient, url: str, data: dict[str, Any]) -> Any:
    token = csrf_from(client.get("/staff/password").text)
    return client.post(url, data={"csrf_token": token, **data}, follow_redirects=False)


def test_a_temporary_password_must_be_changed_before_any_other_page(client: TestClient, db: Database) -> None:
    with db.session() as session:
        seed_reference_data(session)
        member = staff_users.NewMember(email="eka@e.example", full_name="Eka Admin", roles=["admin"], language="en")
        user, temporary = staff_users.create_with_temporary_password(
            session, organisation_code="E", member=member, operator=staff_users.Operator.cli()
        )

    assert sign_in(client, "eka@e.example", temporary).status_code == 303  # sign-in itself is as always
    for page in ("/staff", "/staff/queue", "/staff/users", "/staff/account"):
        response = client.get(page, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/staff/password"), page
    form = client.get("/staff/password?lang=en")
    assert form.status_code == 200
    assert "You signed in with a temporary password" in form.text
    assert client.post("/codec/decode", json={"payloads": []}, headers={"X-Namespace": "default"}).status_code == 403

    changed = post(client, "/staff/password", {"current": temporary, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})

    assert changed.status_code == 303
    assert client.get("/staff/users").status_code == 200
    assert "temporary password" not in client.get("/staff/password").text
    with db.session() as session:
        stored = session.get(User, user.id)
        assert stored is not None and not stored.must_change_password


def test_signing_out_works_with_a_temporary_password(client: TestClient, db: Database) -> None:
    with db.session() as session:
        seed_reference_data(session)
        member = staff_users.NewMember(email="eka@e.example", full_name="Eka", roles=["handler"])
        _user, temporary = staff_users.create_with_temporary_password(
            session, organisation_code="E", member=member, operator=staff_users.Operator.cli()
        )
    sign_in(client, "eka@e.example", temporary)

    assert post(client, "/staff/logout", {}).headers["location"] == "/staff/login"


def _task(db: Database, programme: Programme) -> tuple[int, str]:
    application_id = accept(db, programme)
    with db.session() as session:
        task = Task(
            key=f"grant-{application_id}/handle/1",
            workflow_id=f"grant-{application_id}",
            subject_type=SubjectType.GRANT_APPLICATION,
            subject_id=application_id,
            application_id=application_id,
            programme_code=programme.code,
            kind=TaskKind.HANDLE,
            role=Role.HANDLER,
            status=TaskStatus.OPEN,
            arrived_at=datetime(2020, 5, 2, tzinfo=UTC),
        )
        session.add(task)
        session.commit()
        application = session.get(Application, application_id)
        assert application is not None and application.reference
        return task.id or 0, application.reference


def assignment_mail(db: Database) -> list[EmailLog]:
    with db.session() as session:
        return list(
            session.exec(
                select(EmailLog).where(col(EmailLog.key).startswith("task-assigned:")).order_by(col(EmailLog.id))
            ).all()
        )


def test_an_assignment_is_e_mailed_only_to_someone_who_asked(
    client: TestClient, db: Database, people: dict[str, int], programme: Programme
) -> None:
    task_id, reference = _task(db, programme)
    handler = TestClient(client.app, headers={"Accept-Language": "en"})
    assert sign_in(handler, "hanna@e.example", PASSWORD).status_code == 303
    assert sign_in(client, "kaisa@e.example", PASSWORD).status_code == 303

    def give(to: int | str) -> None:
        response = post(client, "/staff/coordination/reassign", {"task_ids": [str(task_id)], "to_user": str(to)})
        assert response.status_code == 303

    give(people["handler"])
    assert assignment_mail(db) == []  # not asked for

    page = handler.get("/staff/account")
    assert 'name="notify_on_assignment"' in page.text
    saved = handler.post(
        "/staff/account",
        data={"csrf_token": csrf_from(page.text), "language": "en", "notify_on_assignment": "yes"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert "checked" in handler.get("/staff/account").text
    give("")  # back to the queue
    give(people["handler"])

    (mail,) = assignment_mail(db)
    assert mail.to_address == "hanna@e.example"
    assert (mail.subject_type, mail.subject_id, mail.application_id) == (
        SubjectType.STAFF_USER,
        people["handler"],
        None,
    )
    assert reference in mail.subject
    body = mail.body or ""
    assert f"http://testserver/staff/tasks/{task_id}" in body
    assert "preparation" in body and "Coordinator" in body
    # No personal data of the applicant: the factory's applicant, business and address are not in it.
    with db.session() as session:
        application = session.exec(select(Application)).one()
    for personal in (application.applicant_name, application.email, application.business_name):
        assert personal not in body and personal not in mail.subject

    give(people["handler"])  # a new assignment of the same task to the same person: a new message
    assert len(assignment_mail(db)) == 2
    give(people["coordinator"])  # to oneself: nobody else assigned it
    with db.session() as session:
        coordinator = session.get(User, people["coordinator"])
        assert coordinator is not None
        coordinator.notify_on_assignment = True
        session.add(coordinator)
        session.commit()
    give(people["coordinator"])
    assert len(assignment_mail(db)) == 2

    with db.session() as session:
        (event,) = session.exec(select(AuditEvent).where(AuditEvent.action == "account_preferences_changed")).all()
    assert (event.actor_id, event.subject_id, event.detail["notify_on_assignment"]) == (
        people["handler"],
        people["handler"],
        True,
    )


def test_the_account_page_refuses_an_unknown_language(client: TestClient, people: dict[str, int]) -> None:
    sign_in(client, "hanna@e.example", PASSWORD)
    response = post(client, "/staff/account", {"language": "de", "notify_on_assignment": "yes"})
    assert response.status_code == 422

"""Administrators manage their own organisation's staff accounts, and nobody else's.

Two organisations, each with an administrator and a handler: the City (E) and the TE Office (TE).
"""

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from core.db import Database
from core.settings import Settings
from models.audit import AuditEvent
from models.grants.programme import Programme
from models.notifications import EmailLog
from models.outbox import SEND_EMAIL, OutboxMessage
from models.staff import PasswordLink, Role, User, UserRole
from models.subjects import SubjectType
from runtime.seed import create_user, seed_reference_data
from tests.desk import Desk, wait_until
from tests.support import IN_2020_WINDOW
from tests.web_helpers import csrf_from, sign_in
from tests.workflow_helpers import body, read_mails
from web.app import create_app

PASSWORD = "administration-test-password"
NEW_PASSWORD = "a brand new password 2020"
PEOPLE = {
    "admin": ("aino@e.example", "E", [Role.ADMIN]),
    "handler": ("heikki@e.example", "E", [Role.HANDLER]),
    "te_admin": ("tero@te.example", "TE", [Role.ADMIN]),
    "te_handler": ("taina@te.example", "TE", [Role.HANDLER]),
}
LINK = re.compile(r"http://testserver(/staff/set-password/[A-Za-z0-9_-]+)")


class Clock:
    """The app's clock, moved by the test (links expire)."""

    def __init__(self) -> None:
        self.now = IN_2020_WINDOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    found = {}
    with db.session() as session:
        seed_reference_data(session)
        for key, (email, org, roles) in PEOPLE.items():
            user = create_user(
                session, email=email, full_name=key.title(), organisation=org, roles=roles, password=PASSWORD
            )
            found[key] = user.id or 0
    return found


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app_client(
    db: Database, settings: Settings, programmes: dict[str, Programme], clock: Clock
) -> Iterator[Callable[[], TestClient]]:
    """A factory of browsers on one app (one person each), in English."""
    app = create_app(settings, db=db, programmes=programmes, clock=clock, run_relay=False)
    clients: list[TestClient] = []

    def new() -> TestClient:
        client = TestClient(app, headers={"Accept-Language": "en"})
        client.__enter__()
        clients.append(client)
        return client

    yield new
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def admin(app_client: Callable[[], TestClient], ids: dict[str, int]) -> TestClient:
    client = app_client()
    assert sign_in(client, PEOPLE["admin"][0], PASSWORD).status_code == 303
    return client


def post(client: TestClient, url: str, data: dict[str, Any] | None = None) -> Any:
    token = csrf_from(client.get("/staff/account").text)
    return client.post(url, data={"csrf_token": token, **(data or {})}, follow_redirects=False)


def staff_mail(db: Database, to: str) -> list[EmailLog]:
    with db.session() as session:
        return list(
            session.exec(
                select(EmailLog)
                .where(EmailLog.to_address == to, EmailLog.subject_type == SubjectType.STAFF_USER)
                .order_by(col(EmailLog.id))
            ).all()
        )


def link_in(mail: EmailLog) -> str:
    match = LINK.search(mail.body or "")
    assert match, mail.body
    return match.group(1)


def account_events(db: Database, user_id: int) -> list[AuditEvent]:
    with db.session() as session:
        return list(
            session.exec(
                select(AuditEvent)
                .where(AuditEvent.subject_type == SubjectType.STAFF_USER, AuditEvent.subject_id == user_id)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def roles_of(db: Database, user_id: int) -> set[str]:
    with db.session() as session:
        return set(session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all())


def invite(admin: TestClient, email: str = "uusi@e.example", roles: tuple[str, ...] = ("handler",)) -> Any:
    return post(
        admin, "/staff/users", {"full_name": "Uusi Käsittelijä", "email": email, "roles": list(roles), "language": "sv"}
    )


def test_admin_lists_own_organisation_only_and_nav_links_it(admin: TestClient) -> None:
    page = admin.get("/staff/users")

    assert page.status_code == 200
    assert "heikki@e.example" in page.text and "aino@e.example" in page.text
    assert "te.example" not in page.text
    assert 'href="/staff/users"' in page.text


def test_an_admin_of_another_organisation_is_told_nothing_on_every_route(
    app_client: Callable[[], TestClient], db: Database, ids: dict[str, int]
) -> None:
    te_admin = app_client()
    assert sign_in(te_admin, PEOPLE["te_admin"][0], PASSWORD).status_code == 303
    target = ids["handler"]  # the City's handler

    assert "heikki@e.example" not in te_admin.get("/staff/users").text
    assert te_admin.get(f"/staff/users/{target}").status_code == 404
    assert post(te_admin, f"/staff/users/{target}/roles", {"roles": ["admin"]}).status_code == 404
    assert post(te_admin, f"/staff/users/{target}/deactivate").status_code == 404
    assert post(te_admin, f"/staff/users/{target}/reset").status_code == 404
    # Not even a way in through the form: the account is made in the admin's own organisation.
    created = post(
        te_admin,
        "/staff/users",
        {"full_name": "X", "email": "x@te.example", "roles": ["handler"], "language": "fi", "organisation_code": "E"},
    )
    assert created.status_code == 303

    assert roles_of(db, target) == {"handler"}
    with db.session() as session:
        handler = session.get(User, target)
        assert handler is not None and handler.is_active
        assert session.exec(select(PasswordLink).where(PasswordLink.user_id == target)).all() == []
        made = session.exec(select(User).where(User.email == "x@te.example")).one()
        assert made.organisation_code == "TE"
    assert account_events(db, target) == []
    assert staff_mail(db, "heikki@e.example") == []


def test_other_roles_may_not_administer(app_client: Callable[[], TestClient], ids: dict[str, int]) -> None:
    handler = app_client()
    assert sign_in(handler, PEOPLE["handler"][0], PASSWORD).status_code == 303

    assert handler.get("/staff/users").status_code == 403
    assert handler.get(f"/staff/users/{ids['handler']}").status_code == 403
    assert 'href="/staff/users"' not in handler.get("/staff").text


def test_invitation_e_mail_and_its_link_works_once(
    admin: TestClient, app_client: Callable[[], TestClient], db: Database, ids: dict[str, int]
) -> None:
    created = invite(admin)
    assert created.status_code == 303
    assert "invitation" in admin.get(created.headers["location"]).text

    with db.session() as session:
        user = session.exec(select(User).where(User.email == "uusi@e.example")).one()
        assert (user.organisation_code, user.language, user.is_active) == ("E", "sv", True)
        links = session.exec(select(PasswordLink).where(PasswordLink.user_id == user.id)).all()
        outbox = session.exec(select(OutboxMessage).where(OutboxMessage.topic == SEND_EMAIL)).all()
    (mail,) = staff_mail(db, "uusi@e.example")
    assert mail.subject_id == user.id and mail.application_id is None
    assert "City of Espoo" in mail.subject
    assert "Hej Uusi Käsittelijä" in (mail.body or "")  # the language chosen for the person
    assert outbox and any(o.payload == {"key": mail.key} for o in outbox)
    url = link_in(mail)
    # Only the digest is kept.
    assert [link.token_digest for link in links] != [url.rsplit("/", 1)[1]]
    assert len(links) == 1 and len(links[0].token_digest) == 64

    assert "invited, no password yet" in admin.get("/staff/users?lang=en").text
    invitee = app_client()
    form = invitee.get(url)
    assert form.status_code == 200 and "uusi@e.example" in form.text
    token = csrf_from(form.text)
    too_short = invitee.post(url, data={"csrf_token": token, "new": "short", "repeat": "short"})
    assert too_short.status_code == 422 and "at least 12" in too_short.text
    done = invitee.post(
        url, data={"csrf_token": token, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/staff/login"

    assert invitee.get(url).status_code == 404
    again = invitee.post(url, data={"csrf_token": token, "new": "another password!!", "repeat": "another password!!"})
    assert again.status_code == 404
    assert sign_in(invitee, "uusi@e.example", NEW_PASSWORD).status_code == 303
    assert invitee.get("/staff/queue").status_code == 200
    assert "invited, no password yet" not in admin.get("/staff/users?lang=en").text
    actions = [(e.action, e.actor_id, e.organisation_code) for e in account_events(db, user.id or 0)]
    assert actions == [("user_invited", ids["admin"], "E"), ("password_set_from_link", user.id, "E")]
    assert account_events(db, user.id or 0)[0].detail["roles"] == ["handler"]


def test_invitation_link_expires(
    admin: TestClient, app_client: Callable[[], TestClient], db: Database, clock: Clock
) -> None:
    invite(admin)
    url = link_in(staff_mail(db, "uusi@e.example")[0])
    invitee = app_client()

    clock.now = IN_2020_WINDOW + timedelta(hours=71)
    assert invitee.get(url).status_code == 200
    clock.now = IN_2020_WINDOW + timedelta(hours=72)
    expired = invitee.get(url)
    assert expired.status_code == 404
    assert "no longer works" in expired.text
    token = csrf_from(invitee.get("/staff/login").text)
    assert invitee.post(url, data={"csrf_token": token, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 404


def test_unknown_links_answer_404(app_client: Callable[[], TestClient], ids: dict[str, int]) -> None:
    anyone = app_client()
    assert anyone.get("/staff/set-password/" + "x" * 43).status_code == 404
    assert anyone.get("/staff/set-password/short").status_code == 404


def test_the_form_keeps_what_was_typed_and_names_the_field(admin: TestClient, db: Database) -> None:
    response = post(admin, "/staff/users", {"full_name": "Hanna", "email": "heikki@e.example", "language": "fi"})

    assert response.status_code == 422
    assert 'value="Hanna"' in response.text and 'value="heikki@e.example"' in response.text
    assert "already exists" in response.text
    assert "Choose at least one role." in response.text
    bad = post(admin, "/staff/users", {"full_name": "", "email": "not-an-address", "roles": ["handler"]})
    assert bad.status_code == 422 and "This field is required." in bad.text and "Enter an e-mail address" in bad.text
    with db.session() as session:
        assert session.exec(select(User).where(User.full_name == "Hanna")).first() is None


def test_reset_link_works_once_and_a_newer_one_replaces_it(
    admin: TestClient, app_client: Callable[[], TestClient], db: Database, ids: dict[str, int]
) -> None:
    handler = app_client()
    assert sign_in(handler, PEOPLE["handler"][0], PASSWORD).status_code == 303

    assert post(admin, f"/staff/users/{ids['handler']}/reset").status_code == 303
    assert post(admin, f"/staff/users/{ids['handler']}/reset").status_code == 303
    first, second = (link_in(m) for m in staff_mail(db, "heikki@e.example"))

    stranger = app_client()
    assert stranger.get(first).status_code == 404  # replaced by the newer one
    assert handler.get("/staff/queue").status_code == 200  # the old password and session work until then
    token = csrf_from(stranger.get(second).text)
    stranger.post(second, data={"csrf_token": token, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert stranger.get(second).status_code == 404  # used

    assert handler.get("/staff/queue", follow_redirects=False).status_code == 303  # sessions ended
    assert sign_in(app_client(), PEOPLE["handler"][0], PASSWORD).status_code == 401
    assert sign_in(app_client(), PEOPLE["handler"][0], NEW_PASSWORD).status_code == 303
    actions = [(e.action, e.actor_id) for e in account_events(db, ids["handler"])]
    assert actions == [
        ("password_reset_requested", ids["admin"]),
        ("password_reset_requested", ids["admin"]),
        ("password_set_from_link", ids["handler"]),
    ]


def test_roles_change_at_once_and_are_audited(
    admin: TestClient, app_client: Callable[[], TestClient], db: Database, ids: dict[str, int]
) -> None:
    handler = app_client()
    assert sign_in(handler, PEOPLE["handler"][0], PASSWORD).status_code == 303
    assert handler.get("/staff/coordination").status_code == 403

    changed = post(admin, f"/staff/users/{ids['handler']}/roles", {"roles": ["handler", "coordinator"]})

    assert changed.status_code == 303
    assert roles_of(db, ids["handler"]) == {"handler", "coordinator"}
    assert handler.get("/staff/coordination").status_code == 200
    (event,) = account_events(db, ids["handler"])
    assert (event.action, event.actor_id, event.organisation_code) == ("user_roles_changed", ids["admin"], "E")
    assert event.detail == {"via": "web", "before": ["handler"], "after": ["handler", "coordinator"]}
    refused = post(admin, f"/staff/users/{ids['handler']}/roles", {"roles": ["boss"]})
    assert refused.status_code == 422 and roles_of(db, ids["handler"]) == {"handler", "coordinator"}


def test_an_admin_cannot_lock_their_organisation_out(admin: TestClient, db: Database, ids: dict[str, int]) -> None:
    own = admin.get(f"/staff/users/{ids['admin']}")
    assert "You cannot remove your own administrator role" in own.text
    assert "You cannot deactivate your own account" in own.text

    refused = post(admin, f"/staff/users/{ids['admin']}/roles", {"roles": ["handler"]})
    assert refused.status_code == 422 and "You cannot remove your own administrator role." in refused.text
    assert post(admin, f"/staff/users/{ids['admin']}/deactivate").status_code == 422
    assert post(admin, f"/staff/users/{ids['admin']}/roles", {"roles": ["admin", "handler"]}).status_code == 303

    assert roles_of(db, ids["admin"]) == {"admin", "handler"}
    with db.session() as session:
        me = session.get(User, ids["admin"])
        assert me is not None and me.is_active


def test_deactivation_ends_every_session_and_every_link(
    admin: TestClient, app_client: Callable[[], TestClient], db: Database, ids: dict[str, int]
) -> None:
    handler = app_client()
    assert sign_in(handler, PEOPLE["handler"][0], PASSWORD).status_code == 303
    post(admin, f"/staff/users/{ids['handler']}/reset")
    link = link_in(staff_mail(db, "heikki@e.example")[0])

    assert post(admin, f"/staff/users/{ids['handler']}/deactivate").status_code == 303

    assert handler.get("/staff/queue", follow_redirects=False).status_code == 303
    assert sign_in(app_client(), PEOPLE["handler"][0], PASSWORD).status_code == 401
    assert app_client().get(link).status_code == 404
    assert "deactivated" in admin.get("/staff/users").text
    assert post(admin, f"/staff/users/{ids['handler']}/reset").status_code == 409
    actions = [(e.action, e.actor_id, e.organisation_code) for e in account_events(db, ids["handler"])]
    assert actions[-1] == ("user_deactivated", ids["admin"], "E")


def test_the_invitation_goes_out_through_the_worker_and_its_link_opens_the_account(desk: Desk) -> None:
    """End to end: the admin's form, the outbox relay, SendEmailWorkflow, the .eml, the link, the first sign-in."""
    with desk.db.session() as session:
        create_user(
            session, email="aino@e.example", full_name="Aino", organisation="E", roles=[Role.ADMIN], password=PASSWORD
        )
    assert sign_in(desk.client, "aino@e.example", PASSWORD).status_code == 303
    assert invite(desk.client, email="uusi@e.example").status_code == 303

    def invitation() -> str | None:
        for message in read_mails(desk.settings.mail_dir):
            if message["To"] == "uusi@e.example" and (match := LINK.search(body(message))):
                return match.group(1)
        return None

    url = wait_until(invitation)
    desk.client.cookies.clear()
    token = csrf_from(desk.client.get(url).text)
    desk.client.post(url, data={"csrf_token": token, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert sign_in(desk.client, "uusi@e.example", NEW_PASSWORD).status_code == 303
    with desk.db.session() as session:
        sent = session.exec(select(EmailLog).where(EmailLog.to_address == "uusi@e.example")).one()
    assert sent.sent_at is not None and sent.body is None  # the link does not outlive its delivery

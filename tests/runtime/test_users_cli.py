"""`grantdesk users`: the first administrator of a fresh installation, and accounts from scripts."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner

from core.db import Database
from core.settings import get_settings
from core.tokens import token_digest
from models.audit import AuditEvent
from models.notifications import EmailLog
from models.staff import PasswordLink, User, UserRole
from runtime.cli import app
from web.services.auth import password_hash

LINK = re.compile(r"http://grantdesk\.example/staff/set-password/([A-Za-z0-9_-]+)")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A migrated and seeded database with no staff (not dev: no demo accounts)."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("SECRET_KEY", "a-secret-key-for-the-cli-tests-0123456789")
    monkeypatch.setenv("PAYLOAD_KEY", "dGVzdC1wYXlsb2FkLWtleS0zMi1ieXRlcy1sb25nISE=")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://grantdesk.example")
    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert runner.invoke(app, ["seed"]).exit_code == 0
    db = Database(get_settings().database_url)
    yield db
    db.dispose()
    get_settings.cache_clear()


def users(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["users", *args])
    return result.exit_code, result.output


def account(db: Database, email: str) -> tuple[User, set[str], list[AuditEvent]]:
    with db.session() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        roles = set(session.exec(select(UserRole.role).where(UserRole.user_id == user.id)).all())
        events = list(
            session.exec(select(AuditEvent).where(AuditEvent.subject_id == user.id).order_by(col(AuditEvent.id))).all()
        )
    return user, roles, events


def test_the_first_admin_gets_a_temporary_password(database: Database) -> None:
    code, output = users(
        "create", "Eka@E.example", "--name", "Eka Admin", "--organisation", "E", "--role", "admin", "--role",
        "handler", "--temporary-password",
    )  # fmt: skip

    assert code == 0, output
    password = output.strip().rsplit(" ", 1)[1]
    user, roles, events = account(database, "eka@e.example")
    assert password_hash.verify(password, user.password_hash)
    assert user.must_change_password and user.organisation_code == "E"
    assert roles == {"admin", "handler"}
    assert [(e.action, e.actor_id, e.organisation_code, e.detail["via"]) for e in events] == [
        ("user_created", None, "E", "cli")
    ]


def test_create_prints_a_one_time_invitation_link_and_e_mails_it(database: Database) -> None:
    code, output = users("create", "uusi@e.example", "--name", "Uusi", "--organisation", "E", "--role", "handler")

    assert code == 0, output
    match = LINK.search(output)
    assert match, output
    user, _roles, events = account(database, "uusi@e.example")
    with database.session() as session:
        link = session.exec(select(PasswordLink).where(PasswordLink.user_id == user.id)).one()
        mail = session.exec(select(EmailLog).where(EmailLog.to_address == "uusi@e.example")).one()
    assert link.token_digest == token_digest(match.group(1))
    assert match.group(0) in (mail.body or "")
    assert not user.must_change_password
    assert [(e.action, e.actor_id, e.detail["via"]) for e in events] == [("user_invited", None, "cli")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organisation", "XX", "--role", "admin"], "unknown organisation 'XX'"),
        (["--organisation", "E", "--role", "boss"], "unknown role 'boss'"),
        (["--organisation", "E"], "Missing option '--role'"),
    ],
)
def test_create_refuses_bad_input_with_exit_2(database: Database, args: list[str], message: str) -> None:
    code, output = users("create", "x@e.example", "--name", "X", *args)

    assert code == 2
    assert message in output
    with database.session() as session:
        assert session.exec(select(User)).all() == []


def test_create_refuses_a_duplicate_or_malformed_e_mail(database: Database) -> None:
    assert users("create", "a@e.example", "--name", "A", "--organisation", "E", "--role", "admin")[0] == 0

    code, output = users("create", "A@e.example", "--name", "B", "--organisation", "TE", "--role", "admin")
    assert (code, "already exists" in output) == (2, True)
    code, output = users("create", "not-an-address", "--name", "B", "--organisation", "E", "--role", "admin")
    assert (code, "email" in output) == (2, True)


def test_set_roles_deactivate_and_reset(database: Database) -> None:
    users("create", "a@e.example", "--name", "A", "--organisation", "E", "--role", "handler")

    assert users("set-roles", "a@e.example", "--role", "decider", "--role", "handler") == (
        0,
        "a@e.example: handler, decider\n",
    )
    code, first = users("reset", "a@e.example")
    assert code == 0
    code, second = users("reset", "a@e.example")
    first_token, second_token = (LINK.search(out).group(1) for out in (first, second))  # type: ignore[union-attr]
    with database.session() as session:
        links = {link.token_digest: link for link in session.exec(select(PasswordLink)).all()}
    assert links[token_digest(first_token)].revoked_at is not None  # a new link ends the old one
    assert links[token_digest(second_token)].revoked_at is None

    assert users("deactivate", "a@e.example")[0] == 0
    user, roles, events = account(database, "a@e.example")
    assert not user.is_active and roles == {"handler", "decider"}
    assert [e.action for e in events] == [
        "user_invited",
        "user_roles_changed",
        "password_reset_requested",
        "password_reset_requested",
        "user_deactivated",
    ]
    assert all(e.actor_id is None and e.detail["via"] == "cli" for e in events)
    assert users("reset", "a@e.example")[0] == 2  # a deactivated account gets no link


def test_reset_with_a_temporary_password(database: Database) -> None:
    users("create", "a@e.example", "--name", "A", "--organisation", "E", "--role", "handler")

    code, output = users("reset", "a@e.example", "--temporary-password")

    assert code == 0
    user, _roles, events = account(database, "a@e.example")
    assert password_hash.verify(output.strip().rsplit(" ", 1)[1], user.password_hash)
    assert user.must_change_password and user.session_version == 1
    assert events[-1].action == "temporary_password_set"


@pytest.mark.parametrize("command", [["set-roles", "--role", "admin"], ["deactivate"], ["reset"]])
def test_an_unknown_account_is_exit_2(database: Database, command: list[str]) -> None:
    code, output = users(command[0], "nobody@e.example", *command[1:])
    assert code == 2
    assert "no staff account with the e-mail 'nobody@e.example'" in output


def test_set_titles_names_the_office_decision_letters_give_and_refuses_a_bad_phone(database: Database) -> None:
    users("create", "paatos@e.example", "--name", "Päivi Päättäjä", "--organisation", "E", "--role", "decider")

    code, output = users(
        "set-titles", "paatos@e.example", "--fi", "elinkeinojohtaja", "--sv", "näringslivsdirektör",
        "--phone", "+358 9 816 1234",
    )  # fmt: skip
    bad_code, bad_output = users("set-titles", "paatos@e.example", "--fi", "x", "--phone", "soita")
    missing_code, missing_output = users("set-titles", "nobody@e.example", "--fi", "x")

    assert code == 0, output
    assert "fi=elinkeinojohtaja, sv=näringslivsdirektör; phone +358 9 816 1234" in output
    assert (bad_code, missing_code) == (2, 2)
    assert "phone" in bad_output and "nobody@e.example" in missing_output
    user, _, events = account(database, "paatos@e.example")
    assert (user.titles, user.phone) == ({"fi": "elinkeinojohtaja", "sv": "näringslivsdirektör"}, "+358 9 816 1234")
    changed = [e for e in events if e.action == "account_letter_details_changed"]
    assert len(changed) == 1 and changed[0].actor_id is None and changed[0].detail["via"] == "cli"

"""Migration 0008 keeps existing staff accounts as they were: Finnish e-mails, no forced change, no assignment mail."""

from pathlib import Path

from alembic import command
from sqlalchemy import text

from core.db import Database
from core.migrate import alembic_config


def test_existing_accounts_get_the_defaults(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0007")
    engine = Database(url).engine
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO organisation (code, name, description) VALUES ('E', 'City', '')"))
        connection.execute(
            text(
                "INSERT INTO staff_user (id, email, full_name, organisation_code, password_hash, is_active,"
                " created_at) VALUES (1, 'a@e.example', 'A', 'E', 'h', 1, '2020-05-02 07:00:00')"
            )
        )
    engine.dispose()

    command.upgrade(alembic_config(url), "head")

    with Database(url).engine.connect() as connection:
        row = connection.execute(
            text("SELECT language, must_change_password, notify_on_assignment FROM staff_user")
        ).one()
        assert tuple(row) == ("fi", 0, 0)
        assert connection.execute(text("SELECT count(*) FROM passwordlink")).scalar() == 0
    command.downgrade(alembic_config(url), "0007")

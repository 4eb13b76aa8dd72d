"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

import models.tables  # noqa: F401
from core.db import Database
from core.migrate import alembic_config


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_0005_names_the_subject_and_workflow_of_existing_rows(tmp_path: Path) -> None:
    """A database from before the shared tables: its tasks, timeline, e-mails and audit keep their meaning."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0004")
    engine = Database(url).engine
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO application (id, reference, programme_code, status, submitted_at, language,"
                " applicant_name, email, business_name, person_digest, form, form_digest)"
                " VALUES (7, 'ESP-2020-000007', 'p', 'assessed', '2020-05-02 07:00:00', 'fi', 'A', 'a@example.com',"
                " 'B', 'd', '{}', 'f')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO task (key, application_id, programme_code, kind, role, status, arrived_at, created_at)"
                " VALUES ('grant-7/handle/1', 7, 'p', 'handle', 'handler', 'open', '2020-05-02 07:00:00',"
                " '2020-05-02 07:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO timelineevent (application_id, key, kind, at) VALUES (7, 'assessed:1', 'assessed',"
                " '2020-05-02 07:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO emaillog (key, application_id, to_address, subject, message_id)"
                " VALUES ('info_request:7:1', 7, 'a@example.com', 'S', '<m@grantdesk>')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO auditevent (at, action, application_id, detail)"
                " VALUES ('2020-05-02 07:00:00', 'x', 7, '{}')"
            )
        )
    engine.dispose()

    command.upgrade(alembic_config(url), "head")

    with Database(url).engine.connect() as connection:
        task = connection.execute(text("SELECT workflow_id, subject_type, subject_id FROM task")).one()
        assert tuple(task) == ("grant-7", "grant_application", 7)
        for table in ("timelineevent", "emaillog", "auditevent"):
            row = connection.execute(text(f"SELECT subject_type, subject_id FROM {table}")).one()  # noqa: S608
            assert tuple(row) == ("grant_application", 7), table

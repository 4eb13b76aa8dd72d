"""Migration 0012: decisions made before the public list count as published on the day they were made
(Helsinki), so their members' window and finality can be computed; nothing is final or superseded yet."""

from pathlib import Path

from alembic import command
from sqlalchemy import text

from core.db import Database
from core.migrate import alembic_config
from tests.core.test_migration_0011 import ROWS


def test_existing_decisions_are_published_on_their_helsinki_day(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0011")
    engine = Database(url).engine
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
        # Made at 22.30 UTC: already the next day in Helsinki.
        connection.execute(text("UPDATE decision SET decided_at = '2020-05-04 22:30:00'"))
    engine.dispose()

    command.upgrade(alembic_config(url), "head")

    engine = Database(url).engine
    with engine.begin() as connection:
        row = connection.execute(text("SELECT published_on, final_on, superseded_by_id FROM decision")).one()
    assert tuple(row) == ("2020-05-05", None, None)
    engine.dispose()

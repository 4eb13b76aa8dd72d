"""The `grantdesk` command's set-up steps: migrate and seed, on a fresh database."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from core.db import Database
from core.settings import get_settings
from models.staff import Organisation, User
from runtime.cli import app


@pytest.fixture
def fresh_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ENVIRONMENT", "dev")
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def test_migrate_then_seed_prints_demo_passwords_once(fresh_database: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0

    first = runner.invoke(app, ["seed"])
    second = runner.invoke(app, ["seed"])

    assert first.exit_code == second.exit_code == 0
    assert "handler@e.example" in first.output
    assert "handler@e.example" not in second.output  # printed once
    db = Database(fresh_database)
    with db.session() as session:
        codes = {o.code for o in session.exec(select(Organisation)).all()}
        users = session.exec(select(User)).all()
    db.dispose()
    assert codes == {"E", "EE", "YE", "EY", "CC", "O", "TE"}
    assert len(users) == 10

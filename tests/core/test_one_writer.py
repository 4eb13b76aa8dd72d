"""SQLite writers of a hot path queue on one lock per database in the process; PostgreSQL needs none."""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

from sqlalchemy import func
from sqlmodel import select

from core.db import Database, one_writer
from models.grants.application_form import NewApplication
from models.grants.applications import Application
from models.grants.programme import Programme
from tests.factories import application
from tests.support import IN_2020_WINDOW, TEST_SECRET
from web.services.intake import submit_application


def test_one_lock_per_sqlite_database_and_none_for_postgresql(sqlite_db: Database, pg_db: Database) -> None:
    with sqlite_db.session() as first, sqlite_db.session() as second:
        lock = one_writer(first)
        assert isinstance(lock, type(threading.Lock())) and one_writer(second) is lock
    with pg_db.session() as session:
        assert isinstance(one_writer(session), nullcontext)


def test_a_surge_of_writers_on_sqlite_all_get_through(sqlite_db: Database, programme: Programme) -> None:
    form = NewApplication.model_validate(application())

    def submit(_: int) -> str:
        with sqlite_db.session() as session:
            return submit_application(
                session, programme=programme, form=form, submitted_at=IN_2020_WINDOW, secret=TEST_SECRET
            ).reference

    with ThreadPoolExecutor(max_workers=16) as pool:
        references = list(pool.map(submit, range(64)))
    assert len(set(references)) == 64
    with sqlite_db.session() as session:
        assert session.exec(select(func.count()).select_from(Application)).one() == 64

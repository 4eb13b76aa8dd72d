"""Database engine and sessions. SQLite for the embedded default, PostgreSQL in production."""

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

# Every table on the metadata before the first session: foreign keys name tables by their names, and a
# process that imports only some models (a worker) must still resolve them.
import models.tables  # noqa: F401


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        on_disk = bool(path) and path != ":memory:"
        if on_disk:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # No pool: opening a SQLite file costs next to nothing, and with no pool to run dry the web app's event
        # loop never waits for a connection that only a request it is itself holding up would give back.
        pooling: dict[str, Any] = {"poolclass": NullPool} if on_disk else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pooling)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        return engine
    # Room for every request thread (40) and the async routes on the loop: a pool run dry would make the loop
    # wait for connections given back only when it runs on (sessions close at the end of a request).
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=50, pool_timeout=10)


class Database:
    """Owns the engine; handed to the web app and to activity classes."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_WRITERS_LOCK = threading.Lock()


def one_writer(session: Session) -> AbstractContextManager[object]:
    """Around a hot write path (intake): SQLite lets one transaction write at a time and makes the others sleep
    and retry, its busy handler backing off up to 100 ms a try, so under a surge the unlucky wait seconds. In a
    process, writers queue on a lock instead, in turn. PostgreSQL needs nothing of the kind."""
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return nullcontext()
    with _WRITERS_LOCK:
        return _SQLITE_WRITERS.setdefault(str(bind.engine.url), threading.Lock())

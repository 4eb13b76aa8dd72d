"""The web app's sessions under more concurrent requests than a default connection pool holds: an async route
that queries on the event loop must never wait for a connection that only the loop itself can give back (the
sessions of finished requests close when the loop runs on). A simulated campaign found this as a web process
that stopped answering after its first dozen sign-ins."""

import asyncio
import time
from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from sqlmodel import Session, text

from core.db import Database
from tests.live_server import serve

REQUESTS = 40  # of each kind at once: more than SQLAlchemy's default pool (5 + 10 overflow) and its threads


def _app(db: Database) -> FastAPI:
    app = FastAPI()

    def session() -> Iterator[Session]:
        with db.session() as s:
            yield s

    SessionDep = Annotated[Session, Depends(session)]

    @app.get("/slow")
    def slow(s: SessionDep) -> int:  # a request thread holding its connection a while
        value = s.execute(text("SELECT 1")).scalar_one()
        time.sleep(0.2)
        return int(value)

    @app.get("/on-the-loop")
    async def on_the_loop(s: SessionDep) -> int:  # a route that awaits something, querying on the loop
        await asyncio.sleep(0)
        return int(s.execute(text("SELECT 1")).scalar_one())

    return app


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
async def test_requests_on_the_loop_and_in_threads_all_answer_under_load(db: Database) -> None:
    with serve(_app(db), lifespan="off") as base:
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            paths = ["/slow", "/on-the-loop"] * REQUESTS
            answers = await asyncio.gather(*(client.get(path) for path in paths))
    assert [a.status_code for a in answers] == [200] * len(paths)

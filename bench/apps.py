"""The two web apps the intake surge compares, each served by uvicorn in a process of its own
(`uvicorn --factory bench.apps:grantdesk_app` / `bench.apps:bare_app`, settings from the environment).

The bare app is the limit of this machine for the same work without grantdesk: it validates the same body with
the project's own form model and inserts one row into SQLite (WAL), nothing else.
"""

import json
import os
import sqlite3
from typing import Any

from fastapi import FastAPI

from core.settings import PROJECT_ROOT, Settings
from models.grants.application_form import NewApplication
from models.grants.programme import load_programmes
from web.app import create_app


def grantdesk_app() -> FastAPI:
    """The real app on the environment's settings, without the outbox relay: what is measured is acceptance
    (validation, the application and its outbox row in one transaction, the receipt)."""
    settings = Settings()
    programmes = load_programmes(PROJECT_ROOT / "programmes", include_demo=False)
    return create_app(settings, programmes=programmes, run_relay=False)


def bare_app() -> FastAPI:
    """The simplest way to do the same work: one connection, the insert on the event loop (it takes well under a
    millisecond), no thread pool."""
    app = FastAPI()
    db = sqlite3.connect(os.environ["BARE_DATABASE"], check_same_thread=False, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("CREATE TABLE IF NOT EXISTS application (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")

    @app.post("/applications", status_code=201)
    async def accept(form: NewApplication) -> dict[str, Any]:
        row = (json.dumps(form.model_dump(mode="json")),)
        cursor = db.execute("INSERT INTO application (body) VALUES (?)", row)
        return {"reference": f"BARE-{cursor.lastrowid:06d}"}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app

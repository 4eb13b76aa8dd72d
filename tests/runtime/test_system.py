"""The processes `make run` starts (Temporal dev server, `grantdesk worker`, `grantdesk web`), end to end.

Each runs as its own process with only its own imports, as in production: an application sent to the
web app must reach the handlers' queue through the outbox, Temporal and the worker.
"""

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.migrate import upgrade
from runtime.devserver import wait_for_port
from tests.factories import application
from tests.support import TEST_API_AUTHORIZATION, TEST_PAYLOAD_KEY, TEST_SECRET, TEST_SETTINGS_API_CLIENTS
from tests.temporal_server import DevServer, free_port


@pytest.fixture
def system(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    server = DevServer(tmp_path)
    server.start()
    database = tmp_path / "grantdesk.db"
    upgrade(f"sqlite:///{database}")
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "LOAD_DEMO_PROGRAMMES": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "TEMPORAL_ADDRESS": server.address,
        "SECRET_KEY": TEST_SECRET,
        "PAYLOAD_KEY": TEST_PAYLOAD_KEY,
        "MAIL_DIR": str(tmp_path / "mail"),
        "OUTBOX_POLL_SECONDS": "0.2",
        "API_CLIENTS": TEST_SETTINGS_API_CLIENTS,
    }
    processes = [
        subprocess.Popen([sys.executable, "-m", "runtime", "worker"], env=env),
        subprocess.Popen([sys.executable, "-m", "runtime", "web", "--port", str(port)], env=env),
    ]
    try:
        wait_for_port("127.0.0.1", port, timeout=30)
        yield f"http://127.0.0.1:{port}", database
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        server.stop()


def test_an_application_reaches_the_handlers_queue(system: tuple[str, Path]) -> None:
    url, database = system
    response = httpx.post(
        f"{url}/api/v1/programmes/sole-entrepreneur-demo/applications",
        json=application(),
        headers={"Authorization": TEST_API_AUTHORIZATION},
    )
    assert response.status_code == 201, response.text

    deadline = time.monotonic() + 30
    tasks: list[tuple[str, str]] = []
    while time.monotonic() < deadline and not tasks:
        with sqlite3.connect(database) as connection:
            tasks = connection.execute("SELECT kind, status FROM task").fetchall()
        time.sleep(0.2)
    assert tasks == [("handle", "open")]
    status = httpx.get(response.json()["status_url"].replace("http://localhost:8000", url) + "?lang=en")
    assert "Waiting for processing" in status.text

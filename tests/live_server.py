"""The web app served by uvicorn in a thread, for tests that drive a real browser."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import uvicorn
from fastapi import FastAPI

from tests.temporal_server import free_port


@contextmanager
def serve(app: FastAPI, *, lifespan: Literal["on", "off"] = "on", port: int | None = None) -> Iterator[str]:
    """`lifespan="off"` for an app another client already started (its relay runs once); `port` when the
    address must be known before (the identification service and the site name each other)."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan=lifespan)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test web server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

"""A worker on its own thread and event loop, for tests whose web client blocks the test's own loop."""

import asyncio
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from core.db import Database
from core.mail import FileMailer
from core.settings import Settings
from core.temporal import connect
from models.grants.programme import Programme
from runtime.worker import build_worker


@contextmanager
def worker_thread(settings: Settings, db: Database, programmes: dict[str, Programme], mail_dir: Path) -> Iterator[None]:
    ready = threading.Event()
    failure: list[BaseException] = []
    loop_box: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    async def run() -> None:
        stop = asyncio.Event()
        loop_box.append((asyncio.get_running_loop(), stop))
        client = await connect(settings.temporal_address, settings.temporal_namespace, settings.payload_key)
        with ThreadPoolExecutor(max_workers=8) as executor:
            worker = build_worker(
                client,
                settings=settings,
                db=db,
                programmes=programmes,
                executor=executor,
                mailer=FileMailer(mail_dir, settings.mail_from),
            )
            async with worker:
                ready.set()
                await stop.wait()

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # reported to the test below
            failure.append(exc)
            ready.set()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    ready.wait(timeout=30)
    if failure:
        raise RuntimeError("the test worker did not start") from failure[0]
    try:
        yield
    finally:
        loop, stop = loop_box[0]
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=30)

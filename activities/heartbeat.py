"""Heartbeats while an activity waits on something slow (a mail server, the PDF pool).

With a heartbeat timeout, Temporal notices within seconds that the worker running an activity died,
instead of waiting out the whole start-to-close timeout before the retry.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

from temporalio import activity

BEAT_SECONDS = 2.0


@contextlib.asynccontextmanager
async def heartbeating(every: float = BEAT_SECONDS) -> AsyncIterator[None]:
    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    beats = asyncio.create_task(beat())
    try:
        yield
    finally:
        beats.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beats

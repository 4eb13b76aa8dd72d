"""Concurrent load from one process: `clients` connections posting as fast as each gets its answer."""

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp


@dataclass(frozen=True)
class LoadResult:
    sent: int
    accepted: int
    seconds: float
    latencies: list[float]  # seconds, of the accepted

    @property
    def per_second(self) -> float:
        return self.accepted / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    def summary(self) -> dict[str, float | int]:
        return {
            "sent": self.sent,
            "accepted": self.accepted,
            "per_second": round(self.per_second, 1),
            "p50_ms": round(self.p50 * 1000, 1),
            "p99_ms": round(self.p99 * 1000, 1),
        }


async def post_concurrently(
    url: str, request: Callable[[int], dict[str, Any]], *, total: int, clients: int, accepted_status: int = 201
) -> LoadResult:
    """`request(n)` gives the n-th post's `json` and `headers`."""
    counter = iter(range(total))
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as client:

        async def one_client() -> None:
            for n in counter:
                started = time.perf_counter()
                async with client.post(url, **request(n)) as response:
                    await response.read()
                    if response.status == accepted_status:
                        latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        seconds = time.perf_counter() - started
    return LoadResult(sent=total, accepted=len(latencies), seconds=seconds, latencies=latencies)

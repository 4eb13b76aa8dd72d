"""Timing as a ratio to a bare baseline run in the same process, so a slower machine changes nothing."""

import statistics
import time
from collections.abc import Callable


def per_call(fn: Callable[[], object], *, repeats: int = 5, number: int = 50) -> float:
    """Median seconds per call over `repeats` rounds of `number` calls."""
    fn()  # warm-up
    rounds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - start) / number)
    return statistics.median(rounds)


def report(name: str, measured: float, baseline: float) -> float:
    ratio = measured / baseline
    print(f"{name}: {measured * 1e3:.3f} ms vs baseline {baseline * 1e3:.3f} ms = {ratio:.1f}x")
    return ratio

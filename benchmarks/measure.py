"""Timing helpers shared by the benchmarks."""

import statistics
import time
from collections.abc import Callable, Iterable


def timed_ms(call: Callable[[object], object], arguments: Iterable) -> list[float]:
    """Milliseconds of each call, one per argument."""
    samples = []
    for argument in arguments:
        started = time.perf_counter()
        call(argument)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"

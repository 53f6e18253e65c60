"""Paired latency: two queries' requests alternated on one connection (A, B, A, B, …), so both
see the same moment of the machine; the ratio of their medians is what the ratio goals (a deep
page against the first page, a filtered list against the unfiltered one) count on. Measured one
after the other instead, a few seconds apart, their medians differ by up to 2x on a shared
machine for the same work."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from .client import RawClient

# (the query, the one it is compared with, the goal's ratio)
PAIRS = (
    ("deep-page", "flat-100", 1.5),
    ("flat-100-failed", "flat-100", 1.5),
)


@dataclass(frozen=True)
class Paired:
    name: str
    baseline: str
    p50_ms: float
    baseline_p50_ms: float
    requests: int  # of each
    goal: float

    @property
    def ratio(self) -> float:
        return self.p50_ms / self.baseline_p50_ms


async def alternate(
    port: int, prepared: bytes, baseline: bytes, count: int, seconds: float, warmup: int
) -> tuple[list[float], list[float]]:
    """Seconds per request of each, alternated on one keep-alive connection (after `warmup`
    pairs not counted), up to `count` pairs or `seconds`."""
    times: tuple[list[float], list[float]] = ([], [])
    async with RawClient(port) as client:
        for _ in range(warmup):
            await client.request(prepared)
            await client.request(baseline)
        deadline = time.perf_counter() + seconds
        while len(times[0]) < count and time.perf_counter() < deadline:
            for i, request in enumerate((prepared, baseline)):
                began = time.perf_counter()
                status, _ = await client.request(request)
                times[i].append(time.perf_counter() - began)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}")
    return times


def summarise(
    name: str, baseline: str, goal: float, times: tuple[list[float], list[float]]
) -> Paired:
    return Paired(
        name=name,
        baseline=baseline,
        p50_ms=statistics.median(times[0]) * 1000,
        baseline_p50_ms=statistics.median(times[1]) * 1000,
        requests=len(times[0]),
        goal=goal,
    )

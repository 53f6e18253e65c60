"""What one query's measurement holds: the one-client latency, the floor, and every measured
round of the concurrent phase, of which the median round stands for the query."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Round:
    """One measured round of the concurrent phase."""

    requests: int
    seconds: float
    # utime + stime of each server process over the round: the process started first, then its
    # descendants (uvicorn's workers under `--workers N`) in pid order.
    process_cpu_s: tuple[float, ...]
    client_cpu_s: float  # this process's CPU time over the round (the load client's cost)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_ms(self) -> float:
        """The server's CPU (all its processes) per request."""
        return sum(self.process_cpu_s) / max(self.requests, 1) * 1000

    @property
    def client_cpu_ms(self) -> float:
        return self.client_cpu_s / max(self.requests, 1) * 1000

    @property
    def cpu_split(self) -> str:
        """Each server process's share of the server's CPU in the round, e.g. `1%/52%/47%`."""
        total = sum(self.process_cpu_s)
        if total <= 0:
            return "-"
        return "/".join(f"{each / total:.0%}" for each in self.process_cpu_s)


@dataclass
class Result:
    name: str
    p50_ms: float
    p99_ms: float
    latency_requests: int
    floor_ms: float
    rss_mb: float
    same_as_floor: bool
    rounds: list[Round]  # in the order measured; at least one
    warmup_requests: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> Round:
        """The median round by req/s (of an even number, the lower of the two middle ones, so
        that it is a round that happened): the one the table and the goals use."""
        ordered = sorted(self.rounds, key=lambda r: r.rps)
        return ordered[(len(ordered) - 1) // 2]

    @property
    def median_index(self) -> int:
        """The median round's position in `rounds`."""
        median = self.median
        return next(i for i, r in enumerate(self.rounds) if r is median)

    @property
    def rps(self) -> float:
        return self.median.rps

    @property
    def concurrent_requests(self) -> int:
        return self.median.requests

    @property
    def cpu_ms(self) -> float:
        return self.median.cpu_ms

    @property
    def client_cpu_ms(self) -> float:
        return self.median.client_cpu_ms

    @property
    def cpu_ratio(self) -> float:
        return self.cpu_ms / self.floor_ms

    @property
    def p50_ratio(self) -> float:
        return self.p50_ms / self.floor_ms

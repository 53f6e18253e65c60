"""What one query's measurement holds."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Result:
    name: str
    p50_ms: float
    p99_ms: float
    latency_requests: int
    rps: float
    concurrent_requests: int
    cpu_ms: float
    floor_ms: float
    rss_mb: float
    same_as_floor: bool
    notes: list[str] = field(default_factory=list)

    @property
    def cpu_ratio(self) -> float:
        return self.cpu_ms / self.floor_ms

    @property
    def p50_ratio(self) -> float:
        return self.p50_ms / self.floor_ms

"""Run statistics across runs: what each aggregate means, exactly.

The definitions (the API's field descriptions and the README repeat them):

- **Outcomes.** A run *succeeded* when its status is SUCCEEDED or SUCCEEDED_WITH_WARNINGS and
  *failed* when it is FAILED or TIMED_OUT. It is *decided* when it succeeded, failed or
  PARTIALLY_SUCCEEDED. Active, CANCELLED, SKIPPED and UNKNOWN runs are undecided.
- **Rates.** successRate = succeeded / decided, failureRate = failed / decided; null when no run
  of the group is decided. A partial success counts in the denominator only, so the two rates may
  add up to less than 1.
- **Durations** are `durations/totalMs` and `durations/queueMs`; runs where it is null are left
  out of that summary (its `count` says how many took part); every figure is null when none did.
  min, max and the percentiles are in milliseconds; mean = sum / count.
- **Percentiles** are exact, by the nearest-rank method: the p-th percentile of n values sorted
  ascending is the value at rank ceil(p * n / 100), counted from 1. It is always an observed value.
- **MTTR** (mean time to recovery). For each process, its succeeded and failed runs among those
  the filter selects are ordered by their *outcome time* (endDateTime, else startDateTime, else
  createdDateTime; then id). A failure that follows a success, or opens the history, starts a
  streak; the next success ends it. The recovery time is the success's outcome time minus the
  outcome time of the streak's first failure. A recovery belongs to the group of the run that
  recovered. MTTR is the mean recovery time in milliseconds, null when there was none.
- **Time buckets** are UTC and start at the bucket's first instant: the hour, the day, the ISO
  week (Monday 00:00) or the calendar month of a run's *bucket time*, its startDateTime, else its
  createdDateTime (so every run falls in a bucket).
- **Groups** exist only for key values that have runs: a group is never empty, and groups are
  ordered by their keys (nulls first). A run with no blocking error has a null error category. The
  totals cover every run the filter selects, and are zero counts with null figures when it
  selects none.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, TypeVar

from gateway.domain.models import COUNTER_NAMES
from gateway.domain.run_errors import ErrorCategory
from gateway.domain.sources import Source, TriggerType
from gateway.domain.status import RunStatus

PERCENTILES: Final = (50, 90, 95, 99)
MAX_GROUPS: Final = 1_000
"""A report with more groups is refused (`LIMIT_EXCEEDED`, limit `groups`)."""
MAX_SCANNED_RUNS: Final = 2_000_000
"""A report over more runs than this is refused (`LIMIT_EXCEEDED`, limit `scannedRuns`)."""

SUCCESS_STATUSES: Final = frozenset({RunStatus.SUCCEEDED, RunStatus.SUCCEEDED_WITH_WARNINGS})
FAILURE_STATUSES: Final = frozenset({RunStatus.FAILED, RunStatus.TIMED_OUT})
DECIDED_STATUSES: Final = SUCCESS_STATUSES | FAILURE_STATUSES | {RunStatus.PARTIALLY_SUCCEEDED}


class RunGroupKey(enum.Enum):
    """What runs can be grouped by (time buckets come from the report's interval)."""

    SOURCE = "SOURCE"
    STATUS = "STATUS"
    PROCESS = "PROCESS"
    WORKSPACE = "WORKSPACE"
    TRIGGER_TYPE = "TRIGGER_TYPE"
    ERROR_CATEGORY = "ERROR_CATEGORY"


RUN_GROUP_KEY_DESCRIPTIONS: dict[RunGroupKey, str] = {
    RunGroupKey.SOURCE: "The platform (`source`).",
    RunGroupKey.STATUS: "The unified status (`status`).",
    RunGroupKey.PROCESS: "The process the runs are executions of.",
    RunGroupKey.WORKSPACE: "The workspace.",
    RunGroupKey.TRIGGER_TYPE: "Why the runs started (`trigger/type`).",
    RunGroupKey.ERROR_CATEGORY: "The blocking error's category; null for runs without one.",
}


class StatisticsSource(enum.Enum):
    """What a report was computed from."""

    RUNS = "RUNS"
    SUMMARIES = "SUMMARIES"


STATISTICS_SOURCE_DESCRIPTIONS: dict[StatisticsSource, str] = {
    StatisticsSource.RUNS: "The runs themselves, read one by one: every figure is exact.",
    StatisticsSource.SUMMARIES: "The summaries the store maintains on every write (counts and "
    "sums per key combination and per day, duration histograms per day): counts, rates, sums "
    "and means are exact; duration percentiles, min and max are approximate (`approximate`).",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportFields:
    """What a report's selection reads beyond counts, rates, sums and means."""

    duration_distribution: bool = True
    queue_distribution: bool = True
    starts: bool = True
    recoveries: bool = True
    statuses: bool = True
    """Counts by status, or what is counted from them (succeeded, failed, decided, the rates)."""
    durations: bool = True
    """Anything of `duration` or `queueTime` (their counts and means at least)."""
    sums: bool = True
    """The sums of the statistics counters."""


class TimeInterval(enum.Enum):
    """The width of a time bucket, in UTC."""

    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"


TIME_INTERVAL_DESCRIPTIONS: dict[TimeInterval, str] = {
    TimeInterval.HOUR: "One hour.",
    TimeInterval.DAY: "One day, from 00:00 UTC.",
    TimeInterval.WEEK: "One ISO week, from Monday 00:00 UTC.",
    TimeInterval.MONTH: "One calendar month, from the first day 00:00 UTC.",
}


def nearest_rank(ascending: Sequence[int], percentile: int) -> int | None:
    """The nearest-rank percentile of sorted values; None when there are none."""
    if not ascending:
        return None
    rank = (percentile * len(ascending) + 99) // 100  # ceil(p * n / 100), exactly
    return ascending[max(rank, 1) - 1]


def bucket_start(moment: datetime, interval: TimeInterval) -> datetime:
    """The first instant (UTC) of the bucket that holds `moment`."""
    t = moment.astimezone(UTC)
    if interval is TimeInterval.HOUR:
        return t.replace(minute=0, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval is TimeInterval.DAY:
        return day
    if interval is TimeInterval.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def bucket_end(start: datetime, interval: TimeInterval) -> datetime:
    """The first instant after the bucket that starts at `start`."""
    if interval is TimeInterval.HOUR:
        return start + timedelta(hours=1)
    if interval is TimeInterval.DAY:
        return start + timedelta(days=1)
    if interval is TimeInterval.WEEK:
        return start + timedelta(days=7)
    return (start + timedelta(days=32)).replace(day=1)


K = TypeVar("K", bound=Hashable)
Outcome = tuple[str, int, str, bool, K]
"""A decided run for MTTR: (process id, outcome time in µs, run id, failed, group key)."""


def recoveries(outcomes: Iterable[Outcome[K]]) -> dict[K, tuple[int, int]]:
    """Per group key, how many failure streaks a success ended and their total time (µs).

    Outcomes are ordered per process by (outcome time, run id); a failure opens a streak unless
    one is open, a success closes an open one and counts in its own group."""
    found: dict[K, tuple[int, int]] = {}
    process: str | None = None
    since: int | None = None
    for run_process, at, _, failed, key in sorted(outcomes, key=lambda o: (o[0], o[1], o[2])):
        if run_process != process:
            process, since = run_process, None
        if failed:
            since = at if since is None else since
        elif since is not None:
            count, total = found.get(key, (0, 0))
            found[key] = (count + 1, total + at - since)
            since = None
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class DurationSummary:
    """One duration over a group's runs, in milliseconds; figures are None when count is 0."""

    count: int = 0
    sum: int = 0
    min: int | None = None
    max: int | None = None
    p50: int | None = None
    p90: int | None = None
    p95: int | None = None
    p99: int | None = None

    @property
    def mean(self) -> float | None:
        return self.sum / self.count if self.count else None

    @classmethod
    def of(cls, ascending: Sequence[int]) -> DurationSummary:
        """The summary of values sorted ascending."""
        if not ascending:
            return cls()
        picked = {f"p{p}": nearest_rank(ascending, p) for p in PERCENTILES}
        return cls(
            count=len(ascending),
            sum=sum(ascending),
            min=ascending[0],
            max=ascending[-1],
            **picked,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RunAggregate:
    """The statistics of a set of runs (a group, the totals, a process's runs)."""

    count: int = 0
    by_status: tuple[tuple[RunStatus, int], ...] = ()
    duration: DurationSummary = DurationSummary()
    queue: DurationSummary = DurationSummary()
    sums: tuple[tuple[str, int], ...] = tuple((name, 0) for name in COUNTER_NAMES)
    recoveries: int = 0
    recovery_us: int = 0
    first_start: datetime | None = None
    last_start: datetime | None = None

    def count_of(self, statuses: frozenset[RunStatus]) -> int:
        return sum(n for status, n in self.by_status if status in statuses)

    @property
    def succeeded(self) -> int:
        return self.count_of(SUCCESS_STATUSES)

    @property
    def failed(self) -> int:
        return self.count_of(FAILURE_STATUSES)

    @property
    def decided(self) -> int:
        return self.count_of(DECIDED_STATUSES)

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.decided if self.decided else None

    @property
    def failure_rate(self) -> float | None:
        return self.failed / self.decided if self.decided else None

    @property
    def mttr_ms(self) -> float | None:
        return self.recovery_us / self.recoveries / 1000 if self.recoveries else None


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupKeyValues:
    """The key values of one group; None for keys not grouped by (or a null error category)."""

    source: Source | None = None
    status: RunStatus | None = None
    process_id: str | None = None
    workspace_id: str | None = None
    trigger_type: TriggerType | None = None
    error_category: ErrorCategory | None = None
    bucket_start: datetime | None = None
    bucket_end: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RunGroup:
    key: GroupKeyValues
    aggregate: RunAggregate


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStatisticsReport:
    """Totals over every selected run, and one group per key combination that has runs."""

    keys: tuple[RunGroupKey, ...]
    interval: TimeInterval | None
    totals: RunAggregate
    groups: tuple[RunGroup, ...]
    read_from: StatisticsSource = StatisticsSource.RUNS
    approximate: bool = False
    rows_read: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessHealth:
    """A process's newest run, newest successful run, and failures since (createdDateTime order)."""

    last_run_id: str | None = None
    last_successful_run_id: str | None = None
    consecutive_failures: int = 0

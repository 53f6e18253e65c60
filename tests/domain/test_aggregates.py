"""The definitions of run statistics across runs: percentiles, buckets, recoveries, rates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.domain.aggregates import (
    DurationSummary,
    RunAggregate,
    TimeInterval,
    bucket_end,
    bucket_start,
    nearest_rank,
    recoveries,
)
from gateway.domain.status import RunStatus


@pytest.mark.parametrize(
    ("values", "percentile", "expected"),
    [
        ([], 50, None),
        ([7], 1, 7),
        ([7], 99, 7),
        ([1, 2], 50, 1),  # rank ceil(1.0) = 1
        ([1, 2, 3], 50, 2),  # rank ceil(1.5) = 2
        ([1, 2, 3, 4], 50, 2),  # rank 2: nearest rank never interpolates
        (list(range(1, 101)), 90, 90),
        (list(range(1, 101)), 99, 99),
        (list(range(1, 102)), 99, 100),  # rank ceil(99.99) = 100
        ([5, 5, 5, 9], 95, 9),
    ],
)
def test_nearest_rank(values: list[int], percentile: int, expected: int | None) -> None:
    assert nearest_rank(values, percentile) == expected


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("moment", "interval", "start", "end"),
    [
        ("2026-11-01T10:59:59+00:00", TimeInterval.HOUR, "2026-11-01T10:00", "2026-11-01T11:00"),
        ("2026-11-01T00:30:00+02:00", TimeInterval.DAY, "2026-10-31T00:00", "2026-11-01T00:00"),
        ("2026-11-01T12:00:00+00:00", TimeInterval.WEEK, "2026-10-26T00:00", "2026-11-02T00:00"),
        ("2026-11-02T00:00:00+00:00", TimeInterval.WEEK, "2026-11-02T00:00", "2026-11-09T00:00"),
        ("2027-01-01T00:00:00+00:00", TimeInterval.WEEK, "2026-12-28T00:00", "2027-01-04T00:00"),
        ("2026-12-31T23:59:59+00:00", TimeInterval.MONTH, "2026-12-01T00:00", "2027-01-01T00:00"),
        ("2026-02-14T08:00:00+00:00", TimeInterval.MONTH, "2026-02-01T00:00", "2026-03-01T00:00"),
    ],
)
def test_buckets_are_utc_and_weeks_start_on_monday(
    moment: str, interval: TimeInterval, start: str, end: str
) -> None:
    first = bucket_start(_t(moment), interval)
    assert first == _t(start + "+00:00")
    assert bucket_end(first, interval) == _t(end + "+00:00")


def test_a_streak_recovers_once_from_its_first_failure() -> None:
    found = recoveries(
        [
            ("p", 30, "r3", False, "b"),  # ends the streak opened at 10
            ("p", 10, "r1", True, "a"),
            ("p", 20, "r2", True, "a"),
            ("p", 40, "r4", False, "b"),  # success after success: nothing
            ("p", 50, "r5", True, "a"),  # never recovered
            ("q", 5, "r6", False, "c"),
            ("q", 7, "r7", True, "c"),
            ("q", 7, "r8", False, "c"),  # same time: the id breaks the tie
        ]
    )
    assert found == {"b": (1, 20), "c": (1, 0)}


def test_rates_count_partial_successes_in_the_denominator_only() -> None:
    aggregate = RunAggregate(
        count=6,
        by_status=(
            (RunStatus.SUCCEEDED, 2),
            (RunStatus.PARTIALLY_SUCCEEDED, 1),
            (RunStatus.TIMED_OUT, 1),
            (RunStatus.CANCELLED, 1),
            (RunStatus.RUNNING, 1),
        ),
        recoveries=2,
        recovery_us=3_000,
    )
    assert (aggregate.succeeded, aggregate.failed, aggregate.decided) == (2, 1, 4)
    assert (aggregate.success_rate, aggregate.failure_rate) == (0.5, 0.25)
    assert aggregate.mttr_ms == 1.5
    assert RunAggregate().success_rate is None and RunAggregate().mttr_ms is None


def test_a_duration_summary_of_sorted_values() -> None:
    assert DurationSummary.of([]) == DurationSummary()
    summary = DurationSummary.of([1, 2, 3, 10])
    assert (summary.count, summary.min, summary.max, summary.mean) == (4, 1, 10, 4.0)
    assert (summary.p50, summary.p90, summary.p99) == (2, 10, 10)

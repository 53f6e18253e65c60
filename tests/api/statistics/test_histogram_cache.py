"""Percentiles per DAY (WEEK, MONTH) bucket from histograms the reader keeps merged per bucket
(`gateway/store/histogram_cache.py`, migration 0014), over GraphQL over HTTP: a report again
reads only the day rows, not the bins; after a write, only the bins of the days it touched; and
its figures always equal those of a server that kept nothing (a second app over the same
database). Runs on both engines (GATEWAY_TEST_STORE=postgres)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.api.lifecycle.lifecycle_ops import CANCEL_RUN, create_process, finish
from tests.api.lifecycle.lifecycle_ops import started_run as start_run
from tests.api.statistics.test_summaries import _writes
from tests.conftest import GraphQLClient

DISTRIBUTION = "count mean min max p50 p90 p95 p99"
REPORT = (
    "query ($interval: TimeInterval, $filter: String) {"
    " runStatistics(interval: $interval, filter: $filter) { readFrom approximate rowsRead"
    f" totals {{ count duration {{ {DISTRIBUTION} }} queueTime {{ {DISTRIBUTION} }} }}"
    " groups { key { bucketStart bucketEnd } aggregate { count"
    f" duration {{ {DISTRIBUTION} }} queueTime {{ p50 p99 }} }} }} }} }}"
)


def _report(gql: GraphQLClient, interval: str, filter: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = gql.data(REPORT, {"interval": interval, "filter": filter})
    report: dict[str, Any] = found["runStatistics"]
    assert (report["readFrom"], report["approximate"]) == ("SUMMARIES", True)
    return report


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "rowsRead"}


def _statements(gql: GraphQLClient, interval: str) -> tuple[int, dict[str, Any]]:
    before = gql.statements
    report = _report(gql, interval)
    return gql.statements - before, report


@pytest.mark.parametrize("interval", ["DAY", "WEEK", "MONTH"])
def test_a_report_again_reads_the_day_rows_only_and_after_a_write_the_days_it_touched(
    gql: GraphQLClient,
    demo_path: Path,
    client_factory: Callable[[Path], GraphQLClient],
    interval: str,
) -> None:
    cold_statements, cold = _statements(gql, interval)
    warm_statements, warm = _statements(gql, interval)
    assert (cold_statements, warm_statements) == (2, 1)  # the day rows, then their bins; then none
    assert _figures(warm) == _figures(cold)
    assert 0 < warm["rowsRead"] < cold["rowsRead"]
    assert _figures(_report(client_factory(demo_path), interval)) == _figures(cold)

    process_id = create_process(gql, displayName="Kept histograms")
    run = finish(gql, start_run(gql, process_id), "extract")
    run = finish(gql, run, "load", status="FAILED")  # one run ended, with its durations
    changed_statements, changed = _statements(gql, interval)
    assert changed_statements == 2  # the bins of the run's bucket only
    assert changed["rowsRead"] < cold["rowsRead"]
    assert changed["totals"]["count"] == cold["totals"]["count"] + 1
    assert _figures(changed) == _figures(_report(client_factory(demo_path), interval))

    cancelled = gql.data(CANCEL_RUN, {"id": run["id"]})["cancelRun"]
    assert cancelled["__typename"] == "CancelRunPayload", cancelled
    again = _report(gql, interval)
    assert again["totals"]["count"] == cold["totals"]["count"] + 1
    assert _figures(again) == _figures(_report(client_factory(demo_path), interval))


def test_after_every_kind_of_write_the_kept_histograms_equal_a_fresh_reader(
    gql: GraphQLClient, demo_path: Path, client_factory: Callable[[Path], GraphQLClient]
) -> None:
    shapes = [("DAY", None), ("WEEK", None), ("MONTH", None), ("DAY", "workspace/id ne 'none'")]
    for interval, filter in shapes:
        _report(gql, interval, filter)
    _writes(gql)
    fresh = client_factory(demo_path)
    for interval, filter in shapes:
        kept = _figures(_report(gql, interval, filter))
        assert kept == _figures(_report(fresh, interval, filter)), (interval, filter)

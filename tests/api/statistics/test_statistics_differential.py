"""Differential test of `runStatistics`: for random filters, groupings and intervals, every
aggregate equals the pure-Python reference over the rows `runs` returns for the same filter."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.store.engines import database_for
from tests.api.statistics.statistics_reference import (
    AGGREGATE_FIELDS,
    KEY_FIELDS,
    RUN_FIELDS,
    load_dataset,
    report,
)
from tests.conftest import GraphQLClient

FILTERS = [
    None,
    "status eq 'FAILED'",
    "status in ('SUCCEEDED', 'FAILED', 'TIMED_OUT')",
    "durations/totalMs ge 2000",
    "durations/totalMs eq null",
    "startDateTime ge 2026-10-10T00:00:00Z and startDateTime lt 2026-10-31T00:00:00Z",
    "source eq 'DATABRICKS' or blockingError/category eq 'VALIDATION'",
    "statistics/errors gt 25",
    "contains(sourceId, '1')",
    "process/displayName eq 'Process 5'",
    "sourceId eq 'no such run'",  # nothing: zero totals, no groups
]
WHERES = [
    None,
    {"status": {"in": ["SUCCEEDED", "FAILED"]}},
    {"durations": {"queueMs": {"ge": 1500}}},
]
KEYS = ["SOURCE", "STATUS", "PROCESS", "WORKSPACE", "TRIGGER_TYPE", "ERROR_CATEGORY"]

REPORT = (
    "query ($filter: String, $where: RunWhere, $groupBy: [RunGroupKey!], $interval: TimeInterval)"
    " { runStatistics(filter: $filter, where: $where, groupBy: $groupBy, interval: $interval) {"
    f" keys interval totals {{ {AGGREGATE_FIELDS} }}"
    f" groups {{ key {{ {KEY_FIELDS} }} aggregate {{ {AGGREGATE_FIELDS} }} }} }} }}"
)
ROWS = (
    "query ($filter: String, $where: RunWhere) { runs(filter: $filter, where: $where, first: 500)"
    f" {{ pageInfo {{ hasNextPage }} nodes {{ {RUN_FIELDS} }} }} }}"
)


@pytest.fixture
def stats_gql(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    client_factory: Callable[[Path], GraphQLClient],
) -> GraphQLClient:
    path = new_location("statistics.db")

    async def make() -> None:
        async with database_for(path, readers=1) as db:
            await load_dataset(db)

    asyncio.run(make())
    return client_factory(path)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    filter=st.sampled_from(FILTERS),
    where=st.sampled_from(WHERES),
    keys=st.lists(st.sampled_from(KEYS), unique=True, max_size=3),
    interval=st.sampled_from([None, "HOUR", "DAY", "WEEK", "MONTH"]),
)
def test_every_aggregate_equals_the_reference_over_the_listed_rows(
    stats_gql: GraphQLClient,
    filter: str | None,
    where: dict[str, Any] | None,
    keys: list[str],
    interval: str | None,
) -> None:
    variables = {"filter": filter, "where": where}
    listed = stats_gql.data(ROWS, variables)["runs"]
    assert not listed["pageInfo"]["hasNextPage"]
    got = stats_gql.data(REPORT, {**variables, "groupBy": keys, "interval": interval})
    assert got["runStatistics"] == report(listed["nodes"], keys, interval)


def test_the_data_set_has_what_the_differential_test_needs(stats_gql: GraphQLClient) -> None:
    got = stats_gql.data(
        "{ runStatistics { totals { count recoveries duration { count } queueTime { count } "
        "countByStatus { status } } } }"
    )["runStatistics"]["totals"]
    assert got["count"] == 160
    assert got["recoveries"] >= 10  # streaks of several failures, ended by a success
    assert 0 < got["duration"]["count"] < 160  # some nulls
    assert 0 < got["queueTime"]["count"] < 160
    assert len(got["countByStatus"]) == 15

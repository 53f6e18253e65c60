"""The benchmark's queries: each GraphQL document, with what the floor computes for it."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

RUN_FIELDS = (
    "id __typename status sourceStatus displayName createdDateTime startDateTime endDateTime "
    "durations { totalMs }"
)
ACTIVITY_FIELDS = "id __typename key status sourceStatus startDateTime endDateTime"
FLAT = f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} }} }} }}"
NESTED = (
    f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} "
    f"activities {{ nodes {{ {ACTIVITY_FIELDS} }} }} }} }} }}"
)
NESTED_DEEP = (
    f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} process {{ displayName }} "
    "statistics { processed errors warnings } "
    f"activities {{ totalCount nodes {{ {ACTIVITY_FIELDS} }} }} }} }} }}"
)
COUNT = "{ runs { totalCount } }"
FAILED = "status eq 'FAILED'"
COUNT_FAILED = f"{{ runs(filter: {orjson.dumps(FAILED).decode()}) {{ totalCount }} }}"
FLAT_FAILED = FLAT.replace(
    "runs(first: 100)", f"runs(first: 100, filter: {orjson.dumps(FAILED).decode()})"
)
RECENT = "startDateTime ge 2026-10-01T00:00:00Z and startDateTime lt 2026-10-08T00:00:00Z"
BY_START = "startDateTime desc"
FLAT_RECENT = FLAT.replace(
    "runs(first: 100)", f"runs(first: 100, filter: {orjson.dumps(RECENT).decode()})"
)
FLAT_BY_START = FLAT.replace(
    "runs(first: 100)", f"runs(first: 100, orderBy: {orjson.dumps(BY_START).decode()})"
)
FLAT_AFTER = (
    f"query DeepPage($after: String) {{ runs(first: 100, after: $after) "
    f"{{ nodes {{ {RUN_FIELDS} }} }} }}"
)
STATISTICS_PERCENTILES = ("p50", "p90", "p99")
STATISTICS = (
    "{ runStatistics(groupBy: [SOURCE], interval: WEEK) { "
    "totals { count successRate duration { p50 p90 p99 } queueTime { p50 p90 p99 } } "
    "groups { key { source bucketStart } statistics { count successRate failureRate "
    "duration { p50 p90 p99 } queueTime { p50 p90 p99 } } } } }"
)


@dataclass(frozen=True)
class Floor:
    """What the floor computes: the runs page (with `where`), or only the count; and what hangs
    off each run."""

    count_only: bool = False
    filter: str | None = None  # the `filter` argument, compiled by the gateway's own compiler
    order_by: str | None = None  # the `orderBy` argument, likewise
    after_deep_cursor: bool = False
    # The select lists of the server's fast path for this document (empty: every column).
    run_columns: tuple[str, ...] = ()
    activity_columns: tuple[str, ...] = ()
    activities: bool = False
    activity_count: bool = False
    process: bool = False
    statistics: bool = False
    grouped_statistics: bool = False  # runStatistics by source and week, without recoveries


@dataclass(frozen=True)
class Query:
    name: str
    document: str
    floor: Floor
    deep_cursor: bool = False  # pass the deep cursor as `$after`


QUERIES: list[Query] = [
    Query("flat-100", FLAT, Floor()),
    Query("nested-100", NESTED, Floor(activities=True)),
    Query(
        "nested-deep",
        NESTED_DEEP,
        Floor(activities=True, activity_count=True, process=True, statistics=True),
    ),
    Query("count", COUNT, Floor(count_only=True)),
    Query("deep-page", FLAT_AFTER, Floor(after_deep_cursor=True), deep_cursor=True),
    # The status filter (the query language): one line per query.
    Query("count-failed", COUNT_FAILED, Floor(count_only=True, filter=FAILED)),
    Query("flat-100-failed", FLAT_FAILED, Floor(filter=FAILED)),
    Query("flat-100-week", FLAT_RECENT, Floor(filter=RECENT)),
    Query("flat-100-by-start", FLAT_BY_START, Floor(order_by=BY_START)),
    # Run statistics across runs: percentiles per source and week over every run.
    Query("grouped-statistics", STATISTICS, Floor(grouped_statistics=True)),
]

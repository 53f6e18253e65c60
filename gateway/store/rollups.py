"""Run statistics read from the summaries the triggers of migration 0012 maintain, instead of the
runs: their cost grows with the number of key combinations and days, not with the runs.

- `run_rollups` (per workspace, process, source, status, trigger type, error category) answers a
  report without an interval, grouped by any keys, whose filter only tests those columns.
- `run_daily` (per workspace, source, status, day) answers DAY, WEEK and MONTH buckets grouped by
  SOURCE and STATUS at most, whose filter only tests those columns and the workspace.
- `run_histograms` (per workspace, duration and day) adds duration percentiles, min and max,
  within `histograms.RELATIVE_ERROR`, to a report without groupBy keys whose filter only tests
  the workspace.

Both summary tables use the runs' column names, so the filter's compiled conditions apply to them
as they are, under the same alias `r`. Anything else (HOUR buckets, other columns, subqueries,
`$search`, first and last start times, MTTR) is not answered here: `report` returns None and the
caller reads the runs (`gateway.store.statistics`). Counts, rates, sums and means are exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.domain import histograms
from gateway.domain.aggregates import (
    DurationSummary,
    GroupKeyValues,
    ReportFields,
    RunAggregate,
    RunGroup,
    RunGroupKey,
    RunStatisticsReport,
    StatisticsSource,
    TimeInterval,
    bucket_end,
)
from gateway.domain.clock import from_micros, to_micros
from gateway.domain.exceptions import InvalidArgumentError
from gateway.domain.models import COUNTER_NAMES
from gateway.domain.status import RunStatus
from gateway.odata import Dialect
from gateway.store import statistics
from gateway.store.histogram_cache import HistogramCache, Kept, Version
from gateway.store.paging import ListQuery
from gateway.store.protocol import Connection
from gateway.store.statistics import Grouping

ROLLUP_COLUMNS = frozenset(
    {"workspace_id", "process_id", "source", "status", "trigger_type", "error_category"}
)
DAILY_COLUMNS = frozenset({"workspace_id", "source", "status"})
_DAILY_KEYS = frozenset({RunGroupKey.SOURCE, RunGroupKey.STATUS})
_KEY_COLUMN = {
    RunGroupKey.SOURCE: "source",
    RunGroupKey.STATUS: "status",
    RunGroupKey.PROCESS: "process_id",
    RunGroupKey.WORKSPACE: "workspace_id",
    RunGroupKey.TRIGGER_TYPE: "trigger_type",
    RunGroupKey.ERROR_CATEGORY: "error_category",
}
_REFERENCE = re.compile(r"\b(\w+)\.(\w+)")
_OTHER_READS = re.compile(r"\b(?:SELECT|EXISTS|MATCH)\b|@@", re.IGNORECASE)
SUMS = ("total_n", "total_sum", "queue_n", "queue_sum", *(f"stat_{c}" for c in COUNTER_NAMES))


def filter_columns(query: ListQuery) -> frozenset[str] | None:
    """The run columns the filter tests, or None when it reads anything but plain columns."""
    found: set[str] = set()
    for condition in query.where:
        if _OTHER_READS.search(condition.sql):
            return None
        for alias, column in _REFERENCE.findall(condition.sql):
            if alias != "r":
                return None
            found.add(column)
    return frozenset(found)


def summary_table(
    query: ListQuery,
    keys: Sequence[RunGroupKey],
    interval: TimeInterval | None,
    wanted: ReportFields,
) -> str | None:
    """The summary table that answers the report exactly (but for its distributions), if any."""
    if wanted.starts or wanted.recoveries or interval is TimeInterval.HOUR:
        return None
    columns = filter_columns(query)
    if columns is None:
        return None
    if (wanted.duration_distribution or wanted.queue_distribution) and (
        keys or columns - {"workspace_id"}
    ):
        return None
    if interval is None:
        return "run_rollups" if columns <= ROLLUP_COLUMNS else None
    if columns <= DAILY_COLUMNS and set(keys) <= _DAILY_KEYS:
        return "run_daily"
    return None


@dataclass(slots=True)
class _Group:
    row: tuple[Any, ...]
    runs: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    sums: list[int] = field(default_factory=lambda: [0] * len(SUMS))
    bins: dict[str, dict[int, int]] = field(default_factory=lambda: {"total": {}, "queue": {}})
    ordered: dict[str, histograms.Sorted] = field(default_factory=dict)

    def add(self, status: str | None, runs: int, sums: Sequence[int]) -> None:
        self.runs += runs
        if status is not None:
            self.by_status[status] = self.by_status.get(status, 0) + runs
        self.sums = [a + b for a, b in zip(self.sums, sums, strict=True)]

    def sum_of(self, name: str) -> int:
        return self.sums[SUMS.index(name)]


def _summary(group: _Group, measure: str, distribution: bool) -> DurationSummary:
    count, total = group.sum_of(f"{measure}_n"), group.sum_of(f"{measure}_sum")
    if distribution:
        return histograms.summary(count, total, group.bins[measure], group.ordered.get(measure))
    return DurationSummary(count=count, sum=total)


def _aggregate(group: _Group, wanted: ReportFields) -> RunAggregate:
    return RunAggregate(
        count=group.runs,
        by_status=tuple(
            (s, group.by_status[s.value]) for s in RunStatus if group.by_status.get(s.value)
        ),
        duration=_summary(group, "total", wanted.duration_distribution),
        queue=_summary(group, "queue", wanted.queue_distribution),
        sums=tuple((c, group.sum_of(f"stat_{c}")) for c in COUNTER_NAMES),
    )


def where_of(query: ListQuery, *more: str) -> tuple[str, list[Any]]:
    clauses = [*more, *(c.sql for c in query.where)]
    params = [p for c in query.where for p in c.params]
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


async def _read_groups(
    conn: Connection, table: str, query: ListQuery, grouping: Grouping, wanted: ReportFields
) -> tuple[dict[Any, _Group], int, dict[Any, Version]]:
    """The groups that have runs, by key in key order, how many summary rows were read, and
    (from `run_daily`) each group's version for `histogram_cache`."""
    columns = [f"{e} AS {c}" for e, c in zip(grouping.exprs, grouping.columns, strict=True)]
    # Per status only when the selection counts by status: else one row per group.
    status = "r.status" if wanted.statuses else "NULL"
    daily = table == "run_daily"
    columns += [f"{status} AS _s", "CAST(sum(r.runs) AS BIGINT) AS n"]
    if daily:  # rows with no runs count in the version (never in rowsRead, never as a group)
        columns += [
            "CAST(sum(CASE WHEN r.runs > 0 THEN 1 ELSE 0 END) AS BIGINT) AS _rows",
            "CAST(sum(r.changes) AS BIGINT) AS _v",
            "count(*) AS _c",
        ]
        where, params = where_of(query)
    else:
        columns += ["count(*) AS _rows", "0 AS _v", "0 AS _c"]
        where, params = where_of(query, "r.runs > 0")
    columns += [f"CAST(sum(r.{name}) AS BIGINT) AS {name}" for name in SUMS]
    by = [*grouping.columns, *(["_s"] if wanted.statuses else [])]
    group_by = f" GROUP BY {', '.join(by)}" if by else ""
    sql = f"SELECT {', '.join(columns)} FROM {table} r{where}{group_by}{grouping.order_by()}"
    groups: dict[Any, _Group] = {}
    versions: dict[Any, Version] = {}
    rows_read = 0
    width = len(grouping.columns)
    # keys, status, runs, rows read, version (changes, rows), sums
    for row in await conn.fetch_tuples(sql, params):
        key = row[:width]
        if daily:
            changes, rows = versions.get(key, (0, 0))
            versions[key] = (changes + row[width + 3], rows + row[width + 4])
        if not row[width + 1]:  # no runs (or no group and no rows: one row of nulls)
            continue
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(row)
        group.add(row[width], row[width + 1], row[width + 5 :])
        rows_read += row[width + 2]
    limit = statistics.group_limit()
    if len(groups) > limit:
        raise InvalidArgumentError(
            "LIMIT_EXCEEDED",
            "groupBy",
            f"The report would have {len(groups):,} groups; at most {limit:,} are allowed "
            "(limit `groups`). Group by fewer keys, use a wider interval or narrow the filter.",
        )
    return groups, rows_read, versions


@dataclass(frozen=True, slots=True)
class _Days:
    """The groups whose histograms to read, as a condition on `run_histograms.day`."""

    keys: frozenset[Any]
    sql: str
    params: list[Any]


def _days(grouping: Grouping, interval: TimeInterval, stale: Sequence[Any]) -> _Days:
    """DAY buckets by their days; wider ones as the range of days from the first bucket's start
    to the last one's end (every bucket in it whole: buckets do not overlap)."""
    starts = sorted(key[-1] for key in stale)
    if interval is TimeInterval.DAY:
        return _Days(frozenset(stale), f"r.day IN ({', '.join('?' * len(starts))})", starts)
    end = to_micros(bucket_end(from_micros(starts[-1]), interval))
    return _Days(frozenset(stale), "r.day >= ? AND r.day < ?", [starts[0], end])


async def _distributions(
    conn: Connection,
    query: ListQuery,
    grouping: Grouping,
    wanted: ReportFields,
    groups: dict[Any, _Group],
    versions: dict[Any, Version],
    cache: HistogramCache | None,
    kept_totals: dict[str, Kept],
) -> int:
    """Give each group its merged histograms, from `cache` for the buckets whose version it
    holds, read for the others (every group without a cache or a version); the rows read."""
    measures = [
        m
        for m, w in (("total", wanted.duration_distribution), ("queue", wanted.queue_distribution))
        if w
    ]
    interval = grouping.interval
    if cache is None or interval is None or not versions:
        found, rows_read = await _read_bins(conn, query, grouping, measures, groups)
        for (measure, key), bins in found.items():
            if key in groups:
                groups[key].bins[measure] = bins
        return rows_read
    where = repr([(c.sql, tuple(c.params)) for c in query.where])
    base = (conn.dialect.value, tuple(grouping.exprs), where)
    stale = []
    for key, group in groups.items():
        for measure in measures:
            kept = cache.get((*base, measure, key), versions[key])
            if kept is None:
                stale.append(key)
                break
            group.bins[measure], group.ordered[measure] = kept
    rows_read = 0
    if stale:
        only = _days(grouping, interval, stale)
        found, rows_read = await _read_bins(conn, query, grouping, measures, groups, only)
        for key in stale:
            for measure in measures:
                kept = cache.put(
                    (*base, measure, key), versions[key], found.get((measure, key), {})
                )
                groups[key].bins[measure], groups[key].ordered[measure] = kept
    everything = (sum(v[0] for v in versions.values()), sum(v[1] for v in versions.values()))
    for measure in measures:  # the totals' histogram: every bucket merged
        totals = cache.get((*base, measure, None), everything)
        if totals is None:
            merged = histograms.merge(g.bins[measure] for g in groups.values())
            totals = cache.put((*base, measure, None), everything, merged)
        kept_totals[measure] = totals
    return rows_read


async def _read_bins(
    conn: Connection,
    query: ListQuery,
    grouping: Grouping,
    measures: Sequence[str],
    groups: dict[Any, _Group],
    only: _Days | None = None,
) -> tuple[dict[tuple[str, Any], dict[int, int]], int]:
    """The merged histograms of each group (no keys: a group is a time bucket) and measure, of
    the groups `only` names (all without it), and the rows read."""
    columns = [f"{e} AS {c}" for e, c in zip(grouping.exprs, grouping.columns, strict=True)]
    columns += ["r.measure AS _m", "r.bin AS _b", "CAST(sum(r.runs) AS BIGINT) AS n"]
    columns.append("count(*) AS _rows")
    marks = ", ".join("?" * len(measures))
    more, more_params = [f"r.measure IN ({marks})"], list(measures)
    if only is not None:
        more.append(only.sql)
        more_params += only.params
    where, params = where_of(query, *more)
    # In the primary key's order (measure, day, bin): a day's bins stream without a sort.
    group_by = ", ".join(["_m", *grouping.columns, "_b"])
    sql = f"SELECT {', '.join(columns)} FROM run_histograms r{where} GROUP BY {group_by}"
    rows_read = 0
    width = len(grouping.columns)
    found: dict[tuple[str, Any], dict[int, int]] = {}
    wanted = set(groups) if only is None else only.keys
    key: tuple[Any, ...] | None = None
    bins: dict[int, int] | None = None
    # Positional tuples, in key order: one lookup per run of rows of the same group.
    for row in await conn.fetch_tuples(sql, [*more_params, *params]):
        rows_read += row[-1]
        if (row[width], row[:width]) != key:
            key = (row[width], row[:width])
            bins = found.setdefault(key, {}) if row[:width] in wanted else None
        if bins is not None and row[-2] > 0:
            bins[row[width + 1]] = row[-2]
    return found, rows_read


def _key(grouping: Grouping, group: _Group) -> GroupKeyValues:
    return grouping.values(dict(zip(grouping.columns, group.row, strict=False)))


def _totals(groups: Sequence[_Group], wanted: ReportFields, kept: dict[str, Kept]) -> RunAggregate:
    """Every group merged (the histograms from `kept` when the cache holds them)."""
    if not groups:
        return RunAggregate()
    merged = _Group(groups[0].row)
    for g in groups:
        merged.runs += g.runs
        for status, n in g.by_status.items():
            merged.by_status[status] = merged.by_status.get(status, 0) + n
        merged.sums = [a + b for a, b in zip(merged.sums, g.sums, strict=True)]
    for measure in ("total", "queue"):
        if measure in kept:
            merged.bins[measure], merged.ordered[measure] = kept[measure]
        else:
            merged.bins[measure] = histograms.merge(g.bins[measure] for g in groups)
    return _aggregate(merged, wanted)


async def report(
    conn: Connection,
    query: ListQuery,
    keys: Sequence[RunGroupKey],
    interval: TimeInterval | None,
    wanted: ReportFields,
    cache: HistogramCache | None = None,
) -> RunStatisticsReport | None:
    """The report from the summaries, in one statement (two with distributions, unless `cache`
    holds every bucket's histograms as they are), or None when they cannot answer it."""
    query = query.in_dialect(conn.dialect)
    table = summary_table(query, keys, interval, wanted)
    if table is None:
        return None
    grouping = Grouping(keys, interval, query.dialect is Dialect.POSTGRESQL, time="r.day")
    if interval is TimeInterval.DAY:
        grouping.exprs[-1] = "r.day"  # already a day's first instant
    groups, rows_read, versions = await _read_groups(conn, table, query, grouping, wanted)
    kept: dict[str, Kept] = {}
    distribution = wanted.duration_distribution or wanted.queue_distribution
    if distribution and groups:
        rows_read += await _distributions(
            conn, query, grouping, wanted, groups, versions, cache, kept
        )
    found = list(groups.values())
    return RunStatisticsReport(
        keys=tuple(keys),
        interval=interval,
        totals=_totals(found, wanted, kept),
        groups=tuple(
            RunGroup(key=_key(grouping, g), aggregate=_aggregate(g, wanted)) for g in found
        )
        if grouping.exprs
        else (),
        read_from=StatisticsSource.SUMMARIES,
        approximate=distribution,
        rows_read=rows_read,
    )

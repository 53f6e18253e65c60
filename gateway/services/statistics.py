"""Statistics over runs: a report of the runs a list query selects, grouped by keys (each at most
once) and time buckets (the GraphQL `runStatistics`)."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.aggregates import (
    ReportFields,
    RunAggregate,
    RunGroupKey,
    RunStatisticsReport,
    TimeInterval,
)
from gateway.domain.exceptions import InvalidArgumentError
from gateway.store import histogram_cache, process_rollups, rollups, statistics
from gateway.store.paging import ListQuery
from gateway.store.protocol import Connection, Database

_EVERY_FIELD = ReportFields()


def check_group_keys(keys: Sequence[RunGroupKey]) -> list[RunGroupKey]:
    """The keys to group by, each at most once (a repeated key is refused)."""
    repeated = sorted({k.value for k in keys if keys.count(k) > 1})
    if repeated:
        raise InvalidArgumentError(
            "INVALID_GROUP_BY", "groupBy", f"Group by each key at most once: {', '.join(repeated)}."
        )
    return list(keys)


async def report(
    db: Database,
    query: ListQuery,
    keys: Sequence[RunGroupKey],
    interval: TimeInterval | None,
    *,
    wanted: ReportFields = _EVERY_FIELD,
    exact: bool = False,
) -> RunStatisticsReport:
    """The totals over the runs `query` selects and one group per key combination, read from one
    snapshot: from the maintained summaries when they can answer what `wanted` asks for (and not
    `exact`), else from the runs (recoveries, the costliest part, only when wanted)."""
    grouped = check_group_keys(keys)
    async with db.read() as conn:
        if not exact:
            cache = histogram_cache.of(db)
            found = await rollups.report(conn, query, grouped, interval, wanted, cache)
            if found is not None:
                return found
        return await statistics.report(
            conn, query, grouped, interval, with_recoveries=wanted.recoveries
        )


async def by_process(
    conn: Connection,
    process_ids: Sequence[str],
    query: ListQuery,
    wanted: ReportFields = _EVERY_FIELD,
) -> dict[str, RunAggregate]:
    """The aggregate over each process's runs that `query` selects (`Process.runAggregate`),
    for every process of a page at once: from the maintained summaries in one statement when
    they give the same figures for what `wanted` asks for, else from the runs (recoveries only
    when wanted)."""
    found = await process_rollups.by_process(conn, process_ids, query, wanted)
    if found is not None:
        return found
    return await statistics.by_process(conn, process_ids, query, with_recoveries=wanted.recoveries)

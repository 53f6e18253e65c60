"""Statistics over runs: a report of the runs a list query selects, grouped by keys (each at most
once) and time buckets (the GraphQL `runStatistics`)."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.aggregates import RunGroupKey, RunStatisticsReport, TimeInterval
from gateway.domain.exceptions import InvalidArgumentError
from gateway.store import statistics
from gateway.store.paging import ListQuery
from gateway.store.protocol import Database


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
    with_recoveries: bool = True,
) -> RunStatisticsReport:
    """The totals over the runs `query` selects and one group per key combination (recoveries,
    the costliest part, only `with_recoveries`), read from one snapshot."""
    grouped = check_group_keys(keys)
    async with db.read() as conn:
        return await statistics.report(
            conn, query, grouped, interval, with_recoveries=with_recoveries
        )

"""Resolvers of run statistics across runs: `Query.runStatistics` and the statistics and health
fields of `Process`. The filter is compiled exactly as the `runs` list compiles it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from gateway.api.common.context import Info
from gateway.api.common.lists import RUN_LIST, ListArguments, list_query
from gateway.api.common.where import RunWhere
from gateway.domain import aggregates
from gateway.services import statistics
from gateway.store.paging import ListQuery

GroupByArg = Annotated[
    list[aggregates.RunGroupKey] | None,
    strawberry.argument(
        description="The keys to group by, in order, each at most once; none for totals only."
    ),
]
IntervalArg = Annotated[
    aggregates.TimeInterval | None,
    strawberry.argument(
        description="Also group by time bucket of this width (UTC; ISO weeks start on Monday)."
    ),
]


_MTTR = frozenset({"mttrMs", "recoveries"})


def _selects(selections: Sequence[Selection], names: frozenset[str]) -> bool:
    """Whether any of these fields is selected anywhere below (fragments included)."""
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name in names:
            return True
        if _selects(selection.selections, names):
            return True
    return False


def runs_query(info: Info, filter: str | None, where: RunWhere | None) -> ListQuery:
    """The runs a statistics field covers: `runs`' own compilation of `filter` and `where`,
    inside the caller's workspaces."""
    return list_query(RUN_LIST, info.context.workspaces, ListArguments(filter, where))


async def run_statistics(
    info: Info,
    filter: str | None,
    where: RunWhere | None,
    group_by: list[aggregates.RunGroupKey] | None,
    interval: aggregates.TimeInterval | None,
) -> aggregates.RunStatisticsReport:
    return await statistics.report(
        info.context.db,
        runs_query(info, filter, where),
        group_by or (),
        interval,
        with_recoveries=_selects(info.selected_fields, _MTTR),
    )


async def process_statistics(
    info: Info, process_id: str, filter: str | None, where: RunWhere | None
) -> aggregates.RunAggregate:
    query = runs_query(info, filter, where)
    return await info.context.loaders.run_statistics_by_process.load((process_id, query))


async def process_health(info: Info, process_id: str) -> aggregates.ProcessHealth:
    found = await info.context.loaders.process_health.load(process_id)
    return found or aggregates.ProcessHealth()

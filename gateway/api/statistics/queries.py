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
ExactArg = Annotated[
    bool,
    strawberry.argument(
        description="Read every figure from the runs themselves (exact, bounded by the limit "
        "`scannedRuns`) instead of the maintained summaries."
    ),
]


_MTTR = frozenset({"mttrMs", "recoveries"})
_STATUSES = frozenset(
    {"countByStatus", "succeeded", "failed", "decided", "successRate", "failureRate"}
)
_STARTS = frozenset({"firstStartDateTime", "lastStartDateTime"})
_DISTRIBUTION = frozenset({"min", "max", "p50", "p90", "p95", "p99"})
_DURATIONS = frozenset({"duration", "queueTime"})
_SUMS = frozenset({"statisticsSums"})


def _selects(selections: Sequence[Selection], names: frozenset[str]) -> bool:
    """Whether any of these fields is selected anywhere below (fragments included)."""
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name in names:
            return True
        if _selects(selection.selections, names):
            return True
    return False


def _selects_below(selections: Sequence[Selection], parent: str, names: frozenset[str]) -> bool:
    """Whether any of `names` is selected below a field named `parent`, anywhere below."""
    for selection in selections:
        if isinstance(selection, SelectedField) and selection.name == parent:
            if _selects(selection.selections, names):
                return True
        elif _selects_below(selection.selections, parent, names):
            return True
    return False


def report_fields(selections: Sequence[Selection]) -> aggregates.ReportFields:
    """What a `runStatistics` selection reads beyond counts, rates, sums and means."""
    return aggregates.ReportFields(
        duration_distribution=_selects_below(selections, "duration", _DISTRIBUTION),
        queue_distribution=_selects_below(selections, "queueTime", _DISTRIBUTION),
        starts=_selects(selections, _STARTS),
        recoveries=_selects(selections, _MTTR),
        statuses=_selects(selections, _STATUSES),
        durations=_selects(selections, _DURATIONS),
        sums=_selects(selections, _SUMS),
    )


def fields_wanted(selected: frozenset[tuple[str, str]]) -> aggregates.ReportFields:
    """`report_fields` of a selection given as the (parent field, field) names of every field
    below it (the fast path's plan reads the document, not strawberry's selections)."""
    names = {name for _, name in selected}
    return aggregates.ReportFields(
        duration_distribution=any(("duration", n) in selected for n in _DISTRIBUTION),
        queue_distribution=any(("queueTime", n) in selected for n in _DISTRIBUTION),
        starts=bool(names & _STARTS),
        recoveries=bool(names & _MTTR),
        statuses=bool(names & _STATUSES),
        durations=bool(names & _DURATIONS),
        sums=bool(names & _SUMS),
    )


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
    exact: bool = False,
) -> aggregates.RunStatisticsReport:
    return await statistics.report(
        info.context.db,
        runs_query(info, filter, where),
        group_by or (),
        interval,
        wanted=report_fields(info.selected_fields),
        exact=exact,
    )


async def process_statistics(
    info: Info, process_id: str, filter: str | None, where: RunWhere | None
) -> aggregates.RunAggregate:
    scope = (runs_query(info, filter, where), report_fields(info.selected_fields))
    return await info.context.loaders.run_statistics_by_process.load((process_id, scope))


async def process_health(info: Info, process_id: str) -> aggregates.ProcessHealth:
    found = await info.context.loaders.process_health.load(process_id)
    return found or aggregates.ProcessHealth()

"""Run statistics across runs: the report of `runStatistics`, its groups, and the aggregate that
`Process.statistics` shares. Each type describes a domain record of `gateway.domain.aggregates`;
resolvers return those records as they are. The definitions are in that module's docstring."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.api.common.context import Info
from gateway.api.common.scalars import Milliseconds
from gateway.domain import aggregates
from gateway.domain.aggregates import (
    MAX_GROUPS,
    MAX_SCANNED_RUNS,
    RunGroupKey,
    StatisticsSource,
    TimeInterval,
)
from gateway.domain.histograms import RELATIVE_ERROR
from gateway.domain.run_errors import ErrorCategory
from gateway.domain.sources import Source, TriggerType
from gateway.domain.status import RunStatus

if TYPE_CHECKING:
    from gateway.api.auth.workspaces import Workspace
    from gateway.api.processes.types import Process

LazyProcess = Annotated["Process", strawberry.lazy("gateway.api.processes.types")]
LazyWorkspace = Annotated["Workspace", strawberry.lazy("gateway.api.auth.workspaces")]


@strawberry.type(description="How many runs have one status.")
class StatusCount:
    status: RunStatus = strawberry.field(description="The status.")
    count: int = strawberry.field(description="How many runs have it.")


@strawberry.type(
    description="One duration over a set of runs, in milliseconds. Runs where it is null are "
    "left out; every figure is null when no run has it. Percentiles are by the nearest-rank "
    "method: the value at rank ceil(p * count / 100) in ascending order. `count` and `mean` are "
    "always exact; min, max and the percentiles are exact when the report reads the runs, and "
    f"within {RELATIVE_ERROR:.3%} of the exact value (exact below 32 ms) when it reads the "
    "summaries' histograms (the report's `approximate`)."
)
class DurationStatistics:
    count: int = strawberry.field(description="How many runs have this duration.")
    min: int | None = strawberry.field(
        graphql_type=Milliseconds | None, description="The shortest."
    )
    max: int | None = strawberry.field(graphql_type=Milliseconds | None, description="The longest.")
    mean: float | None = strawberry.field(description="The sum divided by `count`.")
    p50: int | None = strawberry.field(
        graphql_type=Milliseconds | None, description="The median (nearest rank)."
    )
    p90: int | None = strawberry.field(
        graphql_type=Milliseconds | None, description="The 90th percentile (nearest rank)."
    )
    p95: int | None = strawberry.field(
        graphql_type=Milliseconds | None, description="The 95th percentile (nearest rank)."
    )
    p99: int | None = strawberry.field(
        graphql_type=Milliseconds | None, description="The 99th percentile (nearest rank)."
    )


@strawberry.type(
    description="The sums of the runs' statistics counters (Float: exact up to 2^53, past the "
    "range of Int)."
)
class StatisticsSums:
    processed: float = strawberry.field(description="Records read.")
    added: float = strawberry.field(description="Records or assets added.")
    updated: float = strawberry.field(description="Records or assets updated.")
    unchanged: float = strawberry.field(description="Records or assets found unchanged.")
    skipped: float = strawberry.field(description="Records or assets skipped.")
    failed: float = strawberry.field(description="Records or assets that failed.")
    errors: float = strawberry.field(description="Validation errors.")
    warnings: float = strawberry.field(description="Validation warnings.")


@strawberry.type(
    description="Statistics of a set of runs. A run *succeeded* when its status is SUCCEEDED or "
    "SUCCEEDED_WITH_WARNINGS, *failed* when FAILED or TIMED_OUT, and is *decided* when it "
    "succeeded, failed or PARTIALLY_SUCCEEDED; active, CANCELLED, SKIPPED and UNKNOWN runs are "
    "undecided."
)
class RunAggregate:
    by_status: strawberry.Private[tuple[tuple[RunStatus, int], ...]]
    sums: strawberry.Private[tuple[tuple[str, int], ...]]
    queue: strawberry.Private[aggregates.DurationSummary]

    count: int = strawberry.field(description="How many runs.")
    succeeded: int = strawberry.field(description="How many succeeded.")
    failed: int = strawberry.field(description="How many failed (FAILED or TIMED_OUT).")
    decided: int = strawberry.field(description="How many succeeded, failed or partly did.")
    success_rate: float | None = strawberry.field(
        description="Succeeded runs over decided runs, from 0 to 1; null when no run is decided."
    )
    failure_rate: float | None = strawberry.field(
        description="Failed runs over decided runs, from 0 to 1; null when no run is decided. A partial "
        "success counts in neither rate, so the two may add up to less than 1."
    )
    duration: DurationStatistics = strawberry.field(
        description="Total durations (`durations/totalMs`)."
    )
    recoveries: int = strawberry.field(
        description="How many failure streaks a success ended (see `mttrMs`)."
    )
    mttr_ms: float | None = strawberry.field(
        description="Mean time to recovery in milliseconds; null when nothing recovered. Per "
        "process, its succeeded and failed runs among those selected are ordered by outcome time "
        "(endDateTime, else startDateTime, else createdDateTime; then id); a failure after a "
        "success (or first in the history) opens a streak, the next success ends it, and the "
        "recovery time runs from the streak's first failure to that success. A recovery counts "
        "in the group of the run that recovered."
    )
    first_start: datetime | None = strawberry.field(
        description="The earliest startDateTime; null when no run has started.",
        name="firstStartDateTime",
    )
    last_start: datetime | None = strawberry.field(
        description="The latest startDateTime; null when no run has started.",
        name="lastStartDateTime",
    )

    @strawberry.field(
        description="How many runs have each status; statuses with none are left out."
    )
    def count_by_status(self) -> list[StatusCount]:
        return [StatusCount(status=s, count=n) for s, n in self.by_status]

    @strawberry.field(description="Queue times (`durations/queueMs`).")
    def queue_time(self) -> DurationStatistics:
        return self.queue  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="The sums of the runs' statistics counters.")
    def statistics_sums(self) -> StatisticsSums:
        return StatisticsSums(**{name: float(value) for name, value in self.sums})


@strawberry.type(
    description="The key values of one group. A key not grouped by is null; so is the error "
    "category of runs without a blocking error."
)
class RunGroupKeyValues:
    source: Source | None = strawberry.field(description="The platform.")
    status: RunStatus | None = strawberry.field(description="The unified status.")
    process_id: strawberry.ID | None = strawberry.field(description="The process's id.")
    workspace_id: strawberry.ID | None = strawberry.field(description="The workspace's id.")
    trigger_type: TriggerType | None = strawberry.field(description="Why the runs started.")
    error_category: ErrorCategory | None = strawberry.field(
        description="The blocking error's category."
    )
    bucket_start: datetime | None = strawberry.field(
        description="The time bucket's first instant (UTC), when the report has an interval. A "
        "run's bucket time is its startDateTime, else its createdDateTime."
    )
    bucket_end: datetime | None = strawberry.field(
        description="The first instant after the time bucket."
    )

    @strawberry.field(description="The process, when grouped by it.")
    async def process(self, info: Info) -> LazyProcess | None:
        if self.process_id is None:
            return None
        return await info.context.loaders.process.load(str(self.process_id))  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="The workspace, when grouped by it.")
    async def workspace(self, info: Info) -> LazyWorkspace | None:
        if self.workspace_id is None:
            return None
        return await info.context.loaders.workspace.load(str(self.workspace_id))  # type: ignore[return-value]  # a domain object, served as its GraphQL type


@strawberry.type(description="The statistics of the runs that share one combination of keys.")
class RunStatisticsGroup:
    key: RunGroupKeyValues = strawberry.field(description="The group's key values.")
    aggregate: RunAggregate = strawberry.field(description="The group's numbers.")

    @strawberry.field(
        description="The group's numbers.",
        deprecation_reason="Use `aggregate`. One name per concept: `statistics` is what one run "
        "or activity processed (`RunStatistics`); numbers over a set of runs are a `RunAggregate`.",
    )
    def statistics(self) -> RunAggregate:
        return self.aggregate


@strawberry.type(
    description="Statistics over the runs a filter selects: the totals, and one group per "
    "combination of the `groupBy` keys (and time bucket) that has runs. Groups are never empty "
    "and come ordered by their keys, nulls first. At most "
    f"{MAX_GROUPS:,} groups and {MAX_SCANNED_RUNS:,} runs; past either the query fails with "
    "`LIMIT_EXCEEDED`."
)
class RunStatisticsReport:
    keys: list[RunGroupKey] = strawberry.field(description="The keys grouped by, in order.")
    interval: TimeInterval | None = strawberry.field(
        description="The time bucket width; null for no time buckets."
    )
    totals: RunAggregate = strawberry.field(
        description="Every selected run; zero counts and null figures when there are none."
    )
    groups: list[RunStatisticsGroup] = strawberry.field(
        description="One per key combination that has runs; empty when not grouped."
    )
    read_from: StatisticsSource = strawberry.field(
        description="What the report was computed from. The summaries answer a report without "
        "`exact` whose filter tests only status, source, process, workspace, trigger type and "
        "error category (plain comparisons, no subquery or search) and that selects neither MTTR "
        "nor first and last start times: without an interval any groupBy keys; DAY, WEEK or "
        "MONTH buckets grouped by SOURCE and STATUS at most, the filter testing only those and "
        "the workspace; duration percentiles, min and max only without groupBy keys and with a "
        "filter on nothing but the workspace. Any other report reads the runs."
    )
    approximate: bool = strawberry.field(
        description="Whether duration or queue-time min, max or percentiles were read from "
        f"histograms (each within {RELATIVE_ERROR:.3%} of the exact value); every other figure "
        "is exact. False when the report reads the runs."
    )
    rows_read: int = strawberry.field(
        description="How many rows the report aggregated: runs when `readFrom` is RUNS, summary "
        "rows when SUMMARIES (which does not grow with the number of runs)."
    )

"""The `Process` type: what runs."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.api.common.context import Info
from gateway.api.common.lists import RUN_LIST, ListArguments, list_request
from gateway.api.common.node import (
    After,
    Before,
    Filter,
    First,
    Last,
    Node,
    OrderBy,
    Search,
    served_from,
)
from gateway.api.common.relay import Connection, connection
from gateway.api.common.where import RunWhere
from gateway.api.statistics.queries import process_health, process_statistics
from gateway.api.statistics.types import RunAggregate
from gateway.domain import models
from gateway.domain.sources import ActivityKind, ProcessKind, Source
from gateway.domain.status import ReadinessStatus

if TYPE_CHECKING:
    from gateway.api.auth.workspaces import Workspace
    from gateway.api.runs.types import Run

LazyRun = Annotated["Run", strawberry.lazy("gateway.api.runs.types")]
LazyWorkspace = Annotated["Workspace", strawberry.lazy("gateway.api.auth.workspaces")]


@strawberry.type(
    description="An activity that every run of a process performs (a Graph flow, an ADF "
    "activity, a Databricks task)."
)
class ActivityDefinition:
    key: str = strawberry.field(description="Its key, unique in the process.")
    display_name: str = strawberry.field(description="Its name.")
    kind: ActivityKind = strawberry.field(description="What it is.")
    activity_type: str | None = strawberry.field(description="The platform's type of activity.")
    enabled: bool = strawberry.field(description="False when runs skip it.")
    depends_on: list[str] = strawberry.field(description="Keys of activities that run before it.")


@strawberry.type(
    description="At most `maxRuns` runs of a process start in any `windowSeconds` (Graph allows "
    "5 successful runs per 12 hours). Runs that failed, were cancelled or skipped do not count."
)
class Throttle:
    max_runs: int = strawberry.field(description="How many runs the window allows.")
    window_seconds: int = strawberry.field(description="The window, in seconds.")


@strawberry.type(
    description="What runs: a Graph inbound or outbound flow, a Data Factory pipeline, a "
    "Databricks job, a DataZone data source, or a process native to the gateway."
)
class Process(Node):
    workspace_id: strawberry.Private[str]

    source: Source = strawberry.field(description="The platform the process lives on.")
    kind: ProcessKind = strawberry.field(description="What the process is on its platform.")
    source_id: str = strawberry.field(
        description="The platform's own id (job id, pipeline name, data source id); unique per "
        "workspace, source and kind."
    )
    display_name: str = strawberry.field(description="The process's name.")
    description: str | None = strawberry.field(description="What the process does.")
    readiness_status: ReadinessStatus = strawberry.field(description="Whether it can run.")
    schedule: str | None = strawberry.field(
        description="A cron schedule (five fields, UTC) on which it runs, if any."
    )
    throttle: Throttle | None = strawberry.field(
        description="At most how many runs may start in a time window; null for no limit."
    )
    activity_definitions: list[ActivityDefinition] = strawberry.field(
        description="The activities a run of it performs."
    )
    created_date_time: datetime = strawberry.field(description="When it was created.")
    last_modified_date_time: datetime = strawberry.field(description="When it last changed.")
    e_tag: str = strawberry.field(
        description='The version for optimistic concurrency (`W/"<n>"`); pass it as `ifMatch`.'
    )

    @strawberry.field(description="The workspace the process belongs to.")
    async def workspace(self, info: Info) -> LazyWorkspace:
        found = await info.context.loaders.workspace.load(self.workspace_id)
        if found is None:
            raise LookupError(f"process {self.id} has no workspace")
        return found  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="The process's runs, newest first.")
    async def runs(
        self,
        info: Info,
        filter: Filter = None,
        where: Annotated[
            RunWhere | None,
            strawberry.argument(description="The same filter as typed input; ANDed with `filter`."),
        ] = None,
        order_by: OrderBy = None,
        search: Search = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LazyRun]:
        arguments = ListArguments(filter, where, order_by, search, first, after, last, before)
        request, query = list_request(RUN_LIST, info.context.workspaces, arguments)
        loaders = info.context.loaders
        key = (self.id, query)
        return connection(
            lambda: loaders.run_page_by_process.load((key[0], request, query)),  # type: ignore[arg-type,return-value]  # a domain object, served as its GraphQL type
            lambda: loaders.run_count_by_process.load(key),
        )

    @strawberry.field(
        description="The numbers over the process's runs (those `filter` and `where` select), "
        "as in `runStatistics`."
    )
    async def run_aggregate(
        self,
        info: Info,
        filter: Filter = None,
        where: Annotated[
            RunWhere | None,
            strawberry.argument(description="The same filter as typed input; ANDed with `filter`."),
        ] = None,
    ) -> RunAggregate:
        return await process_statistics(info, self.id, filter, where)  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="The numbers over the process's runs (those `filter` and `where` select), "
        "as in `runStatistics`.",
        deprecation_reason="Use `runAggregate`. One name per concept: `statistics` is what one "
        "run or activity processed (`RunStatistics`); numbers over a set of runs are a "
        "`RunAggregate`.",
    )
    async def statistics(
        self,
        info: Info,
        filter: Filter = None,
        where: Annotated[
            RunWhere | None,
            strawberry.argument(description="The same filter as typed input; ANDed with `filter`."),
        ] = None,
    ) -> RunAggregate:
        return await process_statistics(info, self.id, filter, where)  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="The newest run (by createdDateTime); null when it has none.")
    async def last_run(self, info: Info) -> LazyRun | None:
        health = await process_health(info, self.id)
        if health.last_run_id is None:
            return None
        return await info.context.loaders.run.load(health.last_run_id)  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="The newest run (by createdDateTime) that succeeded (SUCCEEDED or "
        "SUCCEEDED_WITH_WARNINGS); null when none did."
    )
    async def last_successful_run(self, info: Info) -> LazyRun | None:
        health = await process_health(info, self.id)
        if health.last_successful_run_id is None:
            return None
        return await info.context.loaders.run.load(health.last_successful_run_id)  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="How many runs failed (FAILED or TIMED_OUT) since the newest successful run, "
        "by createdDateTime; every failure when none succeeded. Other statuses neither count nor "
        "break the streak."
    )
    async def consecutive_failures(self, info: Info) -> int:
        return (await process_health(info, self.id)).consecutive_failures

    is_type_of = served_from(models.Process)

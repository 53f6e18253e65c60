"""The `Run` interface and one concrete type per platform."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, cast

import strawberry

from gateway.api.activities.statistics import RunOwnedStatistics
from gateway.api.common.context import Info
from gateway.api.common.lists import ACTIVITY_LIST, ListArguments, list_request
from gateway.api.common.node import After, Before, Filter, First, Last, Node, OrderBy, served_from
from gateway.api.common.relay import Connection, connection
from gateway.api.common.scalars import JSON, SafeInt
from gateway.api.common.where import ActivityWhere
from gateway.api.runs.history import RunEvent
from gateway.api.runs.values import AssetStatistics, RunDurations, RunError, RunStatistics, Trigger
from gateway.domain import models
from gateway.domain.exceptions import InvalidArgumentError
from gateway.domain.sources import Source
from gateway.domain.status import RunStatus

if TYPE_CHECKING:
    from gateway.api.activities.types import (
        Activity,
        DatabricksTask,
        DataFactoryActivityRun,
        DataZoneAssetActivity,
        GatewayActivity,
    )
    from gateway.api.auth.workspaces import Workspace
    from gateway.api.processes.types import Process

MAX_HISTORY = 500

ActivityWhereArgument = Annotated[
    ActivityWhere | None,
    strawberry.argument(description="The same filter as typed input; ANDed with `filter`."),
]

_ACTIVITIES = "gateway.api.activities.types"
LazyActivity = Annotated["Activity", strawberry.lazy(_ACTIVITIES)]
LazyDatabricksTask = Annotated["DatabricksTask", strawberry.lazy(_ACTIVITIES)]
LazyDataFactoryActivityRun = Annotated["DataFactoryActivityRun", strawberry.lazy(_ACTIVITIES)]
LazyDataZoneAssetActivity = Annotated["DataZoneAssetActivity", strawberry.lazy(_ACTIVITIES)]
LazyGatewayActivity = Annotated["GatewayActivity", strawberry.lazy(_ACTIVITIES)]
LazyProcess = Annotated["Process", strawberry.lazy("gateway.api.processes.types")]
LazyWorkspace = Annotated["Workspace", strawberry.lazy("gateway.api.auth.workspaces")]


@strawberry.interface(
    description="One execution of a process, on any platform. `status` is unified across "
    "platforms; the platform's own value is kept in `sourceStatus`. Each platform has its own "
    "type with its own fields."
)
class Run(Node):
    workspace_id: strawberry.Private[str]
    process_id: strawberry.Private[str]
    original_attempt_run_id: strawberry.Private[str | None]
    previous_attempt_run_id: strawberry.Private[str | None]

    source: Source = strawberry.field(description="The platform the run comes from.")
    source_id: str = strawberry.field(
        description="The platform's own id of the run (Databricks `run_id`, DataZone `id`); "
        "unique per workspace and source."
    )
    display_name: str | None = strawberry.field(description="The run's name for a user interface.")
    status: RunStatus = strawberry.field(description="The unified status.")
    source_status: str = strawberry.field(
        description="The platform's own status value, as reported (for Databricks "
        "`LIFE_CYCLE/RESULT`, such as `TERMINATED/SUCCESS`)."
    )
    is_active: bool = strawberry.field(description="True while the run has not finished.")
    is_terminal: bool = strawberry.field(description="True once the run has finished.")
    created_date_time: datetime = strawberry.field(description="When the run was created.")
    start_date_time: datetime | None = strawberry.field(
        description="When the run started; null until it does."
    )
    end_date_time: datetime | None = strawberry.field(
        description="When the run finished; null while it is in progress."
    )
    last_modified_date_time: datetime = strawberry.field(description="When the run last changed.")
    durations: RunDurations = strawberry.field(description="How long each phase took.")
    trigger: Trigger = strawberry.field(description="Why and by whom the run was started.")
    parameters: JSON | None = strawberry.field(description="The parameters the run was given.")
    attempt_number: int = strawberry.field(
        description="1 for a first attempt; each retry adds 1 (Databricks' 0-based "
        "`attempt_number` plus 1)."
    )
    is_latest_attempt: bool = strawberry.field(
        description="True when no later attempt of this run exists."
    )
    blocking_error: RunError | None = strawberry.field(
        description="The error that stopped the run, if any (Graph's `blockingError`)."
    )
    e_tag: str = strawberry.field(
        description='The version for optimistic concurrency (`W/"<n>"`); pass it as `ifMatch`.'
    )

    @strawberry.field(
        description="What the run processed (Graph's `getStatistics`: counters, entity and role "
        "counts, inbound totals, activity statistics, metrics); rolls up from activities."
    )
    def statistics(self) -> RunStatistics:
        return RunOwnedStatistics.of(self)  # type: ignore[arg-type,return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="The process this run is an execution of.")
    async def process(self, info: Info) -> LazyProcess:
        found = await info.context.loaders.process.load(self.process_id)
        if found is None:  # the foreign key makes this impossible
            raise LookupError(f"run {self.id} has no process")
        return found  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="The workspace the run belongs to.")
    async def workspace(self, info: Info) -> LazyWorkspace:
        found = await info.context.loaders.workspace.load(self.workspace_id)
        if found is None:
            raise LookupError(f"run {self.id} has no workspace")
        return found  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="The first attempt of this run; itself when this is the first attempt."
    )
    async def original_attempt_run(self, info: Info) -> Run | None:
        if self.original_attempt_run_id is None:
            return self
        return await info.context.loaders.run.load(self.original_attempt_run_id)  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(description="The attempt this one retried; null for a first attempt.")
    async def previous_attempt_run(self, info: Info) -> Run | None:
        if self.previous_attempt_run_id is None:
            return None
        return await info.context.loaders.run.load(self.previous_attempt_run_id)  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="The run's history, oldest first: its creation and every change since "
        "(status from and to, actor, reason, request id)."
    )
    async def status_history(
        self,
        info: Info,
        last: Annotated[
            int,
            strawberry.argument(
                description=f"How many of the latest events to return (1 to {MAX_HISTORY})."
            ),
        ] = 100,
    ) -> list[RunEvent]:
        if not 1 <= last <= MAX_HISTORY:
            raise InvalidArgumentError(
                "INVALID_PAGE_SIZE", "last", f"last must be between 1 and {MAX_HISTORY}."
            )
        return await info.context.loaders.history.load((self.id, last))  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="The activities the run performed, in order, of every platform's type; each "
        "platform's run type also has them typed as that platform's (`DatabricksRun.tasks`, "
        "`DataFactoryRun.activityRuns`, `DataZoneRun.assetActivities`, "
        "`GatewayRun.gatewayActivities`)."
    )
    async def activities(
        self,
        info: Info,
        filter: Filter = None,
        where: ActivityWhereArgument = None,
        order_by: OrderBy = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LazyActivity]:
        arguments = ListArguments(filter, where, order_by, None, first, after, last, before)
        return activity_connection(self, info, arguments)


def activity_connection(run: Run, info: Info, arguments: ListArguments) -> Connection[Any]:
    """A run's activities, one page and its count, through the data loaders."""
    request, query = list_request(ACTIVITY_LIST, info.context.workspaces, arguments)
    loaders = info.context.loaders
    key = (run.id, query)
    return connection(
        lambda: loaders.activity_page.load((key[0], request, query)),
        lambda: loaders.activity_count.load(key),
    )


@strawberry.type(description="A Microsoft Graph industry data run (`industryDataRun`).")
class IndustryDataRun(Run):
    is_type_of = served_from(models.IndustryDataRun)


@strawberry.type(description="An Azure Data Factory run: a v1 slice run or a v2 pipeline run.")
class DataFactoryRun(Run):
    table_name: str | None = strawberry.field(description="The table (dataset) of a slice run.")
    activity_name: str | None = strawberry.field(description="The activity of a slice run.")
    data_slice_start: datetime | None = strawberry.field(description="Start of the data slice.")
    data_slice_end: datetime | None = strawberry.field(description="End of the data slice.")
    batch_time: datetime | None = strawberry.field(description="The time batched for this run.")
    percent_complete: int | None = strawberry.field(description="Progress, 0 to 100.")
    compute_cluster_name: str | None = strawberry.field(
        description="The cluster (linked service) that computed it."
    )
    run_group_id: str | None = strawberry.field(
        description="The v2 run group shared by a run and its recovery runs."
    )
    has_logs: bool | None = strawberry.field(description="True when the platform kept logs.")
    data_artifact_id: str | None = strawberry.field(description="The table's id.")

    @strawberry.field(
        description="The pipeline run's activity runs, in order: the same list as `activities` (same arguments, order and cursors), "
        "typed as `DataFactoryActivityRun`."
    )
    async def activity_runs(
        self,
        info: Info,
        filter: Filter = None,
        where: ActivityWhereArgument = None,
        order_by: OrderBy = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LazyDataFactoryActivityRun]:
        arguments = ListArguments(filter, where, order_by, None, first, after, last, before)
        return activity_connection(self, info, arguments)

    is_type_of = served_from(models.DataFactoryRun)


@strawberry.type(description="A Databricks job run.")
class DatabricksRun(Run):
    job_id: int | None = strawberry.field(
        graphql_type=SafeInt | None, description="The job's id (`job_id`, 64-bit)."
    )
    number_in_job: int | None = strawberry.field(
        graphql_type=SafeInt | None, description="The run's number in its job (64-bit)."
    )
    run_type: str | None = strawberry.field(
        description="`JOB_RUN`, `WORKFLOW_RUN` or `SUBMIT_RUN`."
    )
    creator_user_name: str | None = strawberry.field(description="Who created the run.")
    run_page_url: str | None = strawberry.field(description="The run's page in Databricks.")
    state_message: str | None = strawberry.field(description="The platform's state message.")

    @strawberry.field(
        description="The job run's task runs, in order: the same list as `activities` (same arguments, order and cursors), "
        "typed as `DatabricksTask`."
    )
    async def tasks(
        self,
        info: Info,
        filter: Filter = None,
        where: ActivityWhereArgument = None,
        order_by: OrderBy = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LazyDatabricksTask]:
        arguments = ListArguments(filter, where, order_by, None, first, after, last, before)
        return activity_connection(self, info, arguments)

    is_type_of = served_from(models.DatabricksRun)


@strawberry.type(description="An Amazon DataZone data source run.")
class DataZoneRun(Run):
    data_source_id: str | None = strawberry.field(description="The data source's id.")
    project_id: str | None = strawberry.field(description="The project's id.")
    run_type: str | None = strawberry.field(description="`PRIORITIZED` or `SCHEDULED`.")
    lineage_import_status: str | None = strawberry.field(
        description="The lineage import status (`lineageSummary.importStatus`)."
    )

    @strawberry.field(
        description="The run's asset statistics in DataZone's shape (`runStatisticsForAssets`)."
    )
    def run_statistics_for_assets(self) -> AssetStatistics:
        return cast(models.Run, self).statistics  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="The assets the run imported, in order: the same list as `activities` (same arguments, order and cursors), "
        "typed as `DataZoneAssetActivity`."
    )
    async def asset_activities(
        self,
        info: Info,
        filter: Filter = None,
        where: ActivityWhereArgument = None,
        order_by: OrderBy = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LazyDataZoneAssetActivity]:
        arguments = ListArguments(filter, where, order_by, None, first, after, last, before)
        return activity_connection(self, info, arguments)

    is_type_of = served_from(models.DataZoneRun)


@strawberry.type(description="A run of a process native to the gateway.")
class GatewayRun(Run):
    @strawberry.field(
        description="The run's activities, in order: the same list as `activities` (same arguments, order and cursors), "
        "typed as `GatewayActivity`."
    )
    async def gateway_activities(
        self,
        info: Info,
        filter: Filter = None,
        where: ActivityWhereArgument = None,
        order_by: OrderBy = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[LazyGatewayActivity]:
        arguments = ListArguments(filter, where, order_by, None, first, after, last, before)
        return activity_connection(self, info, arguments)

    is_type_of = served_from(models.GatewayRun)


RUN_TYPES: list[type] = [IndustryDataRun, DataFactoryRun, DatabricksRun, DataZoneRun, GatewayRun]

"""The `Activity` interface (a unit of work inside a run) and one concrete type per kind."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.api.common.context import Info
from gateway.api.common.node import Node, served_from
from gateway.api.common.scalars import JSON, Milliseconds
from gateway.api.runs.values import RunError, RunStatistics
from gateway.domain import models
from gateway.domain.sources import ActivityKind
from gateway.domain.status import RunStatus

if TYPE_CHECKING:
    from gateway.api.runs.types import Run

LazyRun = Annotated["Run", strawberry.lazy("gateway.api.runs.types")]


def _text(attributes: dict[str, object], name: str) -> str | None:
    """A platform attribute that should be text; null when absent or of another type."""
    value = attributes.get(name)
    return value if isinstance(value, str) else None


@strawberry.interface(
    description="A unit of work inside a run: a Graph flow, a Data Factory activity run, a "
    "Databricks task, a DataZone asset. Each kind has its own type."
)
class Activity(Node):
    run_id: strawberry.Private[str]
    attributes: strawberry.Private[dict[str, object]]

    kind: ActivityKind = strawberry.field(description="What the activity is.")
    key: str = strawberry.field(
        description="The activity's key, unique in its run (Databricks `task_key`, a flow id)."
    )
    source_id: str | None = strawberry.field(
        description="The platform's own id (an activity run id, a task's run id)."
    )
    display_name: str = strawberry.field(description="The activity's name for a user interface.")
    activity_type: str | None = strawberry.field(
        description="The platform's type of activity, such as `Copy` or `notebook_task`."
    )
    sequence: int = strawberry.field(description="Its position in the run, from 0.")
    status: RunStatus = strawberry.field(description="The unified status.")
    source_status: str = strawberry.field(description="The platform's own status value.")
    created_date_time: datetime = strawberry.field(description="When it was recorded.")
    start_date_time: datetime | None = strawberry.field(description="When it started.")
    end_date_time: datetime | None = strawberry.field(description="When it finished.")
    last_modified_date_time: datetime = strawberry.field(description="When it last changed.")
    duration_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None,
        description="From start to end in milliseconds; null until it has finished.",
    )
    attempt_number: int = strawberry.field(description="1 for a first attempt.")
    depends_on: list[str] = strawberry.field(
        description="Keys of the activities of the same run that must finish first."
    )
    statistics: RunStatistics = strawberry.field(description="What the activity processed.")
    blocking_error: RunError | None = strawberry.field(description="The error that stopped it.")
    e_tag: str = strawberry.field(description='The version for optimistic concurrency (`W/"<n>"`).')

    @strawberry.field(
        description="Platform attributes with no field of their own, as the platform reported them."
    )
    def platform_attributes(self) -> JSON:
        return JSON(self.attributes)

    @strawberry.field(description="The run the activity belongs to.")
    async def run(self, info: Info) -> LazyRun:
        found = await info.context.loaders.run.load(self.run_id)
        if found is None:  # the foreign key makes this impossible
            raise LookupError(f"activity {self.id} has no run")
        return found  # type: ignore[return-value]  # a domain object, served as its GraphQL type


@strawberry.type(description="A Graph industry data inbound flow inside a run.")
class InboundFlowActivity(Activity):
    is_type_of = served_from(models.InboundFlowActivity)


@strawberry.type(description="A Graph industry data outbound flow inside a run.")
class OutboundFlowActivity(Activity):
    is_type_of = served_from(models.OutboundFlowActivity)


@strawberry.type(description="An activity run inside an Azure Data Factory pipeline run.")
class DataFactoryActivityRun(Activity):
    @strawberry.field(description="The activity run's id (`activityRunId`).")
    def activity_run_id(self) -> str | None:
        return self.source_id

    is_type_of = served_from(models.DataFactoryActivityRun)


@strawberry.type(description="A task run inside a Databricks job run.")
class DatabricksTask(Activity):
    @strawberry.field(description="The task's key in its job (`task_key`).")
    def task_key(self) -> str:
        return self.key

    @strawberry.field(description="The cluster the task ran on, if reported.")
    def cluster_id(self) -> str | None:
        return _text(self.attributes, "clusterId")

    is_type_of = served_from(models.DatabricksTask)


@strawberry.type(description="One asset imported by an Amazon DataZone data source run.")
class DataZoneAssetActivity(Activity):
    @strawberry.field(description="The database the asset is in.")
    def database(self) -> str | None:
        return _text(self.attributes, "database")

    @strawberry.field(description="The asset's technical name.")
    def technical_name(self) -> str | None:
        return _text(self.attributes, "technicalName")

    @strawberry.field(description="The asset's id in DataZone.")
    def data_asset_id(self) -> str | None:
        return _text(self.attributes, "dataAssetId")

    is_type_of = served_from(models.DataZoneAssetActivity)


@strawberry.type(description="An activity of a gateway-native run.")
class GatewayActivity(Activity):
    is_type_of = served_from(models.GatewayActivity)


ACTIVITY_TYPES: list[type] = [
    InboundFlowActivity,
    OutboundFlowActivity,
    DataFactoryActivityRun,
    DatabricksTask,
    DataZoneAssetActivity,
    GatewayActivity,
]

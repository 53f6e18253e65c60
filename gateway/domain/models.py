"""The domain's records: workspaces, processes, runs, activities, statistics and run events.

Attribute names are the GraphQL field names in snake_case (Graph's industryData vocabulary), so the
API can serve these objects as they are. Times are timezone-aware UTC datetimes. Every record the
store returns is frozen; changes build a new one with `dataclasses.replace`.

`Run` and `Activity` have one subclass per platform, mirroring the GraphQL interfaces and their
concrete types; platform fields live on the subclass, named as the platform names them.
"""

from __future__ import annotations

import enum
from dataclasses import field
from datetime import datetime, timedelta
from typing import Any

from gateway.domain.records import record
from gateway.domain.run_errors import RunError
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.status import ReadinessStatus, RunStatus

_MS = timedelta(milliseconds=1)

JSONValue = Any
"""A JSON document (dict, list, str, int, float, bool or None)."""


def etag(version: int) -> str:
    """The OData weak entity tag of a record version: `W/"<version>"`."""
    return f'W/"{version}"'


@record
class Workspace:
    """A tenant, Databricks workspace, DataZone domain or Data Factory factory."""

    id: str
    display_name: str
    source: Source | None = None
    source_id: str | None = None
    created_date_time: datetime


@record
class ActivityDefinition:
    """An activity a run of a process performs (a Graph flow, an ADF activity, a Databricks task)."""

    key: str
    display_name: str
    kind: ActivityKind
    activity_type: str | None = None
    enabled: bool = True
    depends_on: tuple[str, ...] = ()


@record
class Throttle:
    """At most `max_runs` started runs of a process in any `window_seconds` (Graph: 5 per 12 h)."""

    max_runs: int
    window_seconds: int


@record
class Process:
    """What runs: a flow, a pipeline, a job, a data source, or a gateway process."""

    id: str
    workspace_id: str
    source: Source
    kind: ProcessKind
    source_id: str
    display_name: str
    description: str | None = None
    readiness_status: ReadinessStatus = ReadinessStatus.READY
    schedule: str | None = None
    throttle: Throttle | None = None
    activity_definitions: tuple[ActivityDefinition, ...] = ()
    created_date_time: datetime
    last_modified_date_time: datetime
    version: int = 1

    @property
    def e_tag(self) -> str:
        return etag(self.version)


@record
class EntityCount:
    """Counts of one entity (Graph's `industryDataRunEntityCountMetric`)."""

    entity: str
    total: int = 0
    active: int = 0
    inactive: int = 0


@record
class RoleCount:
    """People matched (or not) to a role (Graph's `industryDataRunRoleCountMetric`)."""

    role: str
    count: int = 0
    matched: bool = True


@record
class Metric:
    """A named value in the open statistics log (Graph's weakly-typed `runStatistics`)."""

    name: str
    value: float
    unit: str | None = None


@record
class RunStatistics:
    """Typed counters, entity and role counts, and named metrics of a run or activity."""

    processed: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    errors: int = 0
    warnings: int = 0
    entities: tuple[EntityCount, ...] = ()
    roles: tuple[RoleCount, ...] = ()
    metrics: tuple[Metric, ...] = ()


EMPTY_STATISTICS = RunStatistics()

COUNTER_NAMES = (
    "processed",
    "added",
    "updated",
    "unchanged",
    "skipped",
    "failed",
    "errors",
    "warnings",
)


@record
class RunDurations:
    """How long each phase of a run took, in milliseconds; null where unknown."""

    queue_ms: int | None = None
    setup_ms: int | None = None
    execution_ms: int | None = None
    cleanup_ms: int | None = None
    total_ms: int | None = None


@record
class RunTrigger:
    """Why and by whom a run was started."""

    type: TriggerType = TriggerType.UNKNOWN
    invoked_by: str | None = None
    source_type: str | None = None


@record
class Run:
    """One execution of a process. Subclassed per platform; never instantiated itself."""

    id: str
    workspace_id: str
    process_id: str
    source: Source
    source_id: str
    display_name: str | None = None
    status: RunStatus
    source_status: str
    created_date_time: datetime
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    last_modified_date_time: datetime
    durations: RunDurations = field(default_factory=RunDurations)
    trigger: RunTrigger = field(default_factory=RunTrigger)
    parameters: JSONValue = None
    attempt_number: int = 1
    original_attempt_run_id: str | None = None
    previous_attempt_run_id: str | None = None
    is_latest_attempt: bool = True
    statistics: RunStatistics = EMPTY_STATISTICS
    blocking_error: RunError | None = None
    version: int = 1

    @property
    def e_tag(self) -> str:
        return etag(self.version)

    @property
    def is_active(self) -> bool:
        return self.status.is_active

    @property
    def is_terminal(self) -> bool:
        return self.status.is_terminal


@record
class IndustryDataRun(Run):
    """A Microsoft Graph industry data run (seed 000)."""


@record
class DataFactoryRun(Run):
    """An Azure Data Factory run: a v1 slice run (seed 002) or a v2 pipeline run."""

    table_name: str | None = None
    activity_name: str | None = None
    data_slice_start: datetime | None = None
    data_slice_end: datetime | None = None
    batch_time: datetime | None = None
    percent_complete: int | None = None
    compute_cluster_name: str | None = None
    run_group_id: str | None = None
    has_logs: bool | None = None
    data_artifact_id: str | None = None


@record
class DatabricksRun(Run):
    """A Databricks job run (seed 003)."""

    job_id: int | None = None
    number_in_job: int | None = None
    run_type: str | None = None
    creator_user_name: str | None = None
    run_page_url: str | None = None
    state_message: str | None = None


@record
class DataZoneRun(Run):
    """An Amazon DataZone data source run (seed 004)."""

    data_source_id: str | None = None
    project_id: str | None = None
    run_type: str | None = None
    lineage_import_status: str | None = None


@record
class GatewayRun(Run):
    """A run of a process native to the gateway."""


RUN_CLASSES: dict[Source, type[Run]] = {
    Source.INDUSTRY_DATA: IndustryDataRun,
    Source.DATA_FACTORY: DataFactoryRun,
    Source.DATABRICKS: DatabricksRun,
    Source.DATAZONE: DataZoneRun,
    Source.GATEWAY: GatewayRun,
}


@record
class Activity:
    """A unit of work inside a run. Subclassed per kind; never instantiated itself."""

    id: str
    run_id: str
    workspace_id: str
    kind: ActivityKind
    key: str
    source_id: str | None = None
    display_name: str
    activity_type: str | None = None
    sequence: int = 0
    status: RunStatus
    source_status: str
    created_date_time: datetime
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    last_modified_date_time: datetime
    attempt_number: int = 1
    depends_on: tuple[str, ...] = ()
    statistics: RunStatistics = EMPTY_STATISTICS
    blocking_error: RunError | None = None
    attributes: dict[str, JSONValue] = field(default_factory=dict)
    version: int = 1

    @property
    def e_tag(self) -> str:
        return etag(self.version)

    @property
    def duration_ms(self) -> int | None:
        if self.start_date_time is None or self.end_date_time is None:
            return None
        return (self.end_date_time - self.start_date_time) // _MS


@record
class InboundFlowActivity(Activity):
    """A Graph inbound flow inside an industry data run."""


@record
class OutboundFlowActivity(Activity):
    """A Graph outbound flow inside an industry data run."""


@record
class DataFactoryActivityRun(Activity):
    """An activity run inside a Data Factory pipeline run."""


@record
class DatabricksTask(Activity):
    """A task run inside a Databricks job run."""


@record
class DataZoneAssetActivity(Activity):
    """One asset imported by a DataZone data source run."""


@record
class GatewayActivity(Activity):
    """An activity of a gateway-native run."""


ACTIVITY_CLASSES: dict[ActivityKind, type[Activity]] = {
    ActivityKind.INBOUND_FLOW: InboundFlowActivity,
    ActivityKind.OUTBOUND_FLOW: OutboundFlowActivity,
    ActivityKind.DATA_FACTORY_ACTIVITY: DataFactoryActivityRun,
    ActivityKind.DATABRICKS_TASK: DatabricksTask,
    ActivityKind.DATAZONE_ASSET: DataZoneAssetActivity,
    ActivityKind.GATEWAY_ACTIVITY: GatewayActivity,
}


class RunChangeKind(enum.Enum):
    """What happened to a run (the kind of a `RunEvent`, and of a `RunChange` in the API)."""

    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"


# Deprecated names, one release long, for code written before they were made one with the
# API's (`RunDurations`, `RunChangeKind`, `RunTrigger`): use the new names.
Durations = RunDurations
Trigger = RunTrigger
RunEventKind = RunChangeKind


@record
class RunEvent:
    """One entry of a run's append-only history."""

    seq: int
    run_id: str
    workspace_id: str
    process_id: str | None
    kind: RunChangeKind
    from_status: RunStatus | None = None
    to_status: RunStatus | None = None
    at: datetime
    actor: str | None = None
    reason: str | None = None
    request_id: str | None = None

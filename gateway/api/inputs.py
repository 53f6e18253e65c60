"""Mutation inputs, and their conversion to the domain's specs and patches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types.unset import UnsetType

from gateway.api.scalars import JSON
from gateway.domain import checks, models, process_specs, specs
from gateway.domain.exceptions import ValidationError
from gateway.domain.run_errors import ErrorCategory, RunError, RunErrorDetail
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.status import ReadinessStatus, RunStatus

UNSET: Any = strawberry.UNSET


def _patch(value: Any) -> Any:
    """strawberry's UNSET (field left out) as the domain's UNSET."""
    return checks.UNSET if isinstance(value, UnsetType) else value


def _given(value: Any, default: Any = None) -> Any:
    return default if isinstance(value, UnsetType) or value is None else value


@strawberry.input(description="An activity every run of a process performs.")
class ActivityDefinitionInput:
    key: str = strawberry.field(description="Its key, unique in the process.")
    display_name: str = strawberry.field(description="Its name.")
    kind: ActivityKind = strawberry.field(description="What it is; must suit the process's source.")
    activity_type: str | None = strawberry.field(
        default=None, description="The platform's type of activity."
    )
    enabled: bool = strawberry.field(default=True, description="False to have runs skip it.")
    depends_on: list[str] = strawberry.field(
        default_factory=list, description="Keys of activities that run before it."
    )

    def to_domain(self) -> models.ActivityDefinition:
        return models.ActivityDefinition(
            key=self.key,
            display_name=self.display_name,
            kind=self.kind,
            activity_type=self.activity_type,
            enabled=self.enabled,
            depends_on=tuple(self.depends_on),
        )


@strawberry.input(description="A new process.")
class CreateProcessInput:
    source: Source = strawberry.field(description="The platform the process lives on.")
    kind: ProcessKind = strawberry.field(description="What it is; must suit the source.")
    display_name: str = strawberry.field(description="Its name.")
    workspace_id: strawberry.ID | None = strawberry.field(
        default=None, description="Its workspace; the default workspace when left out."
    )
    source_id: str | None = strawberry.field(
        default=None, description="The platform's own id; the new process's id when left out."
    )
    description: str | None = strawberry.field(default=None, description="What it does.")
    readiness_status: ReadinessStatus = strawberry.field(
        default=ReadinessStatus.READY, description="Whether it can run."
    )
    schedule: str | None = strawberry.field(
        default=None, description="A cron schedule of five fields (UTC), such as `0 */12 * * *`."
    )
    activity_definitions: list[ActivityDefinitionInput] = strawberry.field(
        default_factory=list, description="The activities a run of it performs."
    )

    def to_spec(self, default_workspace_id: str) -> process_specs.ProcessSpec:
        return process_specs.ProcessSpec(
            workspace_id=str(self.workspace_id or default_workspace_id),
            source=self.source,
            kind=self.kind,
            source_id=self.source_id,
            display_name=self.display_name,
            description=self.description,
            readiness_status=self.readiness_status,
            schedule=self.schedule,
            activity_definitions=tuple(d.to_domain() for d in self.activity_definitions),
        )


@strawberry.input(description="Changes to a process; fields left out keep their value.")
class UpdateProcessInput:
    display_name: str | None = strawberry.field(default=UNSET, description="Its name.")
    description: str | None = strawberry.field(default=UNSET, description="What it does.")
    readiness_status: ReadinessStatus | None = strawberry.field(
        default=UNSET, description="Whether it can run."
    )
    schedule: str | None = strawberry.field(
        default=UNSET, description="A cron schedule; null removes it."
    )
    activity_definitions: list[ActivityDefinitionInput] | None = strawberry.field(
        default=UNSET, description="The activities a run performs; replaces the whole list."
    )

    def to_patch(self) -> process_specs.ProcessPatch:
        definitions = _patch(self.activity_definitions)
        return process_specs.ProcessPatch(
            display_name=_patch(self.display_name),
            description=_patch(self.description),
            readiness_status=_patch(self.readiness_status),
            schedule=_patch(self.schedule),
            activity_definitions=definitions
            if definitions is checks.UNSET
            else tuple(d.to_domain() for d in definitions or ()),
        )


@strawberry.input(description="Counts of one entity.")
class EntityCountInput:
    entity: str = strawberry.field(description="The entity, such as `people`.")
    total: int = strawberry.field(default=0, description="How many there are.")
    active: int = strawberry.field(default=0, description="How many are active.")
    inactive: int = strawberry.field(default=0, description="How many are inactive.")


@strawberry.input(description="People matched, or not, to a role.")
class RoleCountInput:
    role: str = strawberry.field(description="The role.")
    count: int = strawberry.field(default=0, description="How many people.")
    matched: bool = strawberry.field(default=True, description="Matched or unmatched people.")


@strawberry.input(description="A named metric.")
class MetricInput:
    name: str = strawberry.field(description="Its name.")
    value: float = strawberry.field(description="Its value.")
    unit: str | None = strawberry.field(default=None, description="Its unit.")


@strawberry.input(description="What a run or activity processed; counters left out are 0.")
class RunStatisticsInput:
    processed: int = strawberry.field(default=0, description="Records read.")
    added: int = strawberry.field(default=0, description="Records or assets added.")
    updated: int = strawberry.field(default=0, description="Records or assets updated.")
    unchanged: int = strawberry.field(default=0, description="Records or assets unchanged.")
    skipped: int = strawberry.field(default=0, description="Records or assets skipped.")
    failed: int = strawberry.field(default=0, description="Records or assets that failed.")
    errors: int = strawberry.field(default=0, description="Records in error.")
    warnings: int = strawberry.field(default=0, description="Warnings.")
    entities: list[EntityCountInput] = strawberry.field(
        default_factory=list, description="Counts per entity."
    )
    roles: list[RoleCountInput] = strawberry.field(
        default_factory=list, description="Counts per role."
    )
    metrics: list[MetricInput] = strawberry.field(
        default_factory=list, description="Other named metrics."
    )

    def to_domain(self) -> models.RunStatistics:
        return models.RunStatistics(
            processed=self.processed,
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=self.skipped,
            failed=self.failed,
            errors=self.errors,
            warnings=self.warnings,
            entities=tuple(
                models.EntityCount(
                    entity=e.entity, total=e.total, active=e.active, inactive=e.inactive
                )
                for e in self.entities
            ),
            roles=tuple(
                models.RoleCount(role=r.role, count=r.count, matched=r.matched) for r in self.roles
            ),
            metrics=tuple(
                models.Metric(name=m.name, value=m.value, unit=m.unit) for m in self.metrics
            ),
        )


@strawberry.input(description="One detail of an error.")
class RunErrorDetailInput:
    code: str = strawberry.field(description="Its code.")
    message: str = strawberry.field(description="What went wrong.")
    target: str | None = strawberry.field(default=None, description="What it applies to.")


@strawberry.input(description="An error a run or activity reported.")
class RunErrorInput:
    code: str = strawberry.field(description="The error code.")
    message: str = strawberry.field(description="What went wrong.")
    category: ErrorCategory = strawberry.field(
        default=ErrorCategory.UNKNOWN, description="What kind of failure it is."
    )
    retryable: bool = strawberry.field(default=False, description="True if a retry may succeed.")
    target: str | None = strawberry.field(default=None, description="What it applies to.")
    source_code: str | None = strawberry.field(default=None, description="The platform's code.")
    details: list[RunErrorDetailInput] = strawberry.field(
        default_factory=list, description="More specific errors."
    )

    def to_domain(self) -> RunError:
        return RunError(
            code=self.code,
            message=self.message,
            category=self.category,
            retryable=self.retryable,
            target=self.target,
            source_code=self.source_code,
            details=tuple(
                RunErrorDetail(code=d.code, message=d.message, target=d.target)
                for d in self.details
            ),
        )


@strawberry.input(description="Phase durations in milliseconds; left out ones are derived.")
class DurationsInput:
    queue_ms: int | None = strawberry.field(default=None, description="Creation to start.")
    setup_ms: int | None = strawberry.field(default=None, description="Setting up.")
    execution_ms: int | None = strawberry.field(default=None, description="Executing.")
    cleanup_ms: int | None = strawberry.field(default=None, description="Cleaning up.")
    total_ms: int | None = strawberry.field(default=None, description="Start to end.")

    def to_domain(self) -> models.Durations:
        return models.Durations(
            queue_ms=self.queue_ms,
            setup_ms=self.setup_ms,
            execution_ms=self.execution_ms,
            cleanup_ms=self.cleanup_ms,
            total_ms=self.total_ms,
        )


@strawberry.input(description="Why and by whom a run was started.")
class TriggerInput:
    type: TriggerType = strawberry.field(default=TriggerType.API, description="Why.")
    invoked_by: str | None = strawberry.field(default=None, description="Who or what.")
    source_type: str | None = strawberry.field(
        default=None, description="The platform's own trigger value."
    )

    def to_domain(self) -> models.Trigger:
        return models.Trigger(
            type=self.type, invoked_by=self.invoked_by, source_type=self.source_type
        )


@strawberry.input(description="Fields of Data Factory runs.")
class DataFactoryRunInput:
    table_name: str | None = strawberry.field(default=None, description="The slice's table.")
    activity_name: str | None = strawberry.field(default=None, description="The activity.")
    data_slice_start: datetime | None = strawberry.field(default=None, description="Slice start.")
    data_slice_end: datetime | None = strawberry.field(default=None, description="Slice end.")
    batch_time: datetime | None = strawberry.field(default=None, description="Batch time.")
    percent_complete: int | None = strawberry.field(default=None, description="0 to 100.")
    compute_cluster_name: str | None = strawberry.field(default=None, description="The cluster.")
    run_group_id: str | None = strawberry.field(default=None, description="The run group.")
    has_logs: bool | None = strawberry.field(default=None, description="Logs kept.")
    data_artifact_id: str | None = strawberry.field(default=None, description="The table's id.")


@strawberry.input(description="Fields of Databricks runs.")
class DatabricksRunInput:
    job_id: int | None = strawberry.field(default=None, description="The job's id.")
    number_in_job: int | None = strawberry.field(default=None, description="Number in its job.")
    run_type: str | None = strawberry.field(default=None, description="JOB_RUN, WORKFLOW_RUN...")
    creator_user_name: str | None = strawberry.field(default=None, description="Its creator.")
    run_page_url: str | None = strawberry.field(default=None, description="Its page.")
    state_message: str | None = strawberry.field(default=None, description="State message.")


@strawberry.input(description="Fields of DataZone runs.")
class DataZoneRunInput:
    data_source_id: str | None = strawberry.field(default=None, description="The data source.")
    project_id: str | None = strawberry.field(default=None, description="The project.")
    run_type: str | None = strawberry.field(default=None, description="PRIORITIZED or SCHEDULED.")
    lineage_import_status: str | None = strawberry.field(
        default=None, description="Lineage import status."
    )


def _platform(*inputs: object) -> dict[str, Any]:
    """The platform fields given, by domain name; `None` fields are left out."""
    fields: dict[str, Any] = {}
    for given in inputs:
        if given is None or isinstance(given, UnsetType):
            continue
        fields.update({k: v for k, v in vars(given).items() if v is not None})
    return fields


@strawberry.input(description="An activity of a run being recorded.")
class CreateActivityInput:
    key: str = strawberry.field(description="Its key, unique in the run.")
    display_name: str = strawberry.field(description="Its name.")
    kind: ActivityKind | None = strawberry.field(
        default=None, description="What it is; needed only where a source has several kinds."
    )
    source_id: str | None = strawberry.field(default=None, description="The platform's own id.")
    activity_type: str | None = strawberry.field(default=None, description="The platform's type.")
    status: RunStatus | None = strawberry.field(
        default=None, description="The unified status; mapped from `sourceStatus` if left out."
    )
    source_status: str | None = strawberry.field(
        default=None, description="The platform's own status value."
    )
    start_date_time: datetime | None = strawberry.field(default=None, description="Its start.")
    end_date_time: datetime | None = strawberry.field(default=None, description="Its end.")
    attempt_number: int = strawberry.field(default=1, description="1 for a first attempt.")
    depends_on: list[str] = strawberry.field(
        default_factory=list, description="Keys of activities that must finish first."
    )
    statistics: RunStatisticsInput | None = strawberry.field(
        default=None, description="What it processed."
    )
    blocking_error: RunErrorInput | None = strawberry.field(
        default=None, description="The error that stopped it."
    )
    attributes: JSON | None = strawberry.field(
        default=None, description="Platform attributes (a JSON object)."
    )

    def to_spec(self) -> specs.ActivitySpec:
        attributes: dict[str, Any] = self.attributes if isinstance(self.attributes, dict) else {}
        return specs.ActivitySpec(
            key=self.key,
            display_name=self.display_name,
            kind=self.kind,
            source_id=self.source_id,
            activity_type=self.activity_type,
            status=self.status,
            source_status=self.source_status,
            start_date_time=self.start_date_time,
            end_date_time=self.end_date_time,
            attempt_number=self.attempt_number,
            depends_on=tuple(self.depends_on),
            statistics=self.statistics.to_domain() if self.statistics else models.EMPTY_STATISTICS,
            blocking_error=self.blocking_error.to_domain() if self.blocking_error else None,
            attributes=attributes,
        )


@strawberry.input(description="A run that started elsewhere, to record with its activities.")
class CreateRunInput:
    process_id: strawberry.ID = strawberry.field(description="The process it is a run of.")
    source_id: str | None = strawberry.field(
        default=None, description="The platform's own id; the new run's id when left out."
    )
    display_name: str | None = strawberry.field(default=None, description="Its name.")
    status: RunStatus | None = strawberry.field(
        default=None,
        description="The unified status; mapped from `sourceStatus` when left out, else PENDING.",
    )
    source_status: str | None = strawberry.field(
        default=None, description="The platform's own status value."
    )
    created_date_time: datetime | None = strawberry.field(
        default=None, description="When it was created; now when left out."
    )
    start_date_time: datetime | None = strawberry.field(default=None, description="Its start.")
    end_date_time: datetime | None = strawberry.field(default=None, description="Its end.")
    durations: DurationsInput | None = strawberry.field(
        default=None, description="Phase durations; derived from the times when left out."
    )
    trigger: TriggerInput | None = strawberry.field(default=None, description="Why it started.")
    parameters: JSON | None = strawberry.field(default=None, description="Its parameters.")
    attempt_number: int = strawberry.field(default=1, description="1 for a first attempt.")
    statistics: RunStatisticsInput | None = strawberry.field(
        default=None, description="What it processed."
    )
    blocking_error: RunErrorInput | None = strawberry.field(
        default=None, description="The error that stopped it."
    )
    data_factory: DataFactoryRunInput | None = strawberry.field(
        default=None, description="Data Factory fields (Data Factory processes only)."
    )
    databricks: DatabricksRunInput | None = strawberry.field(
        default=None, description="Databricks fields (Databricks processes only)."
    )
    data_zone: DataZoneRunInput | None = strawberry.field(
        default=None, description="DataZone fields (DataZone processes only)."
    )
    activities: list[CreateActivityInput] = strawberry.field(
        default_factory=list, description="Its activities, in order."
    )

    def to_spec(self) -> specs.RunSpec:
        return specs.RunSpec(
            source_id=self.source_id,
            display_name=self.display_name,
            status=self.status,
            source_status=self.source_status,
            created_date_time=self.created_date_time,
            start_date_time=self.start_date_time,
            end_date_time=self.end_date_time,
            durations=self.durations.to_domain() if self.durations else models.Durations(),
            trigger=self.trigger.to_domain()
            if self.trigger
            else models.Trigger(type=TriggerType.API),
            parameters=self.parameters,
            attempt_number=self.attempt_number,
            statistics=self.statistics.to_domain() if self.statistics else models.EMPTY_STATISTICS,
            blocking_error=self.blocking_error.to_domain() if self.blocking_error else None,
            platform=_platform(self.data_factory, self.databricks, self.data_zone),
            activities=tuple(a.to_spec() for a in self.activities),
        )


@strawberry.input(description="Changes to a run; fields left out keep their value.")
class UpdateRunInput:
    display_name: str | None = strawberry.field(default=UNSET, description="Its name.")
    status: RunStatus | None = strawberry.field(
        default=UNSET, description="The unified status; a finished run cannot change it."
    )
    source_status: str | None = strawberry.field(
        default=UNSET, description="The platform's own value; sets `status` by the platform's map."
    )
    start_date_time: datetime | None = strawberry.field(default=UNSET, description="Its start.")
    end_date_time: datetime | None = strawberry.field(default=UNSET, description="Its end.")
    durations: DurationsInput | None = strawberry.field(
        default=UNSET, description="Phase durations."
    )
    parameters: JSON | None = strawberry.field(default=UNSET, description="Its parameters.")
    statistics: RunStatisticsInput | None = strawberry.field(
        default=UNSET, description="What it processed (replaces the statistics)."
    )
    blocking_error: RunErrorInput | None = strawberry.field(
        default=UNSET, description="The error that stopped it; null clears it."
    )
    data_factory: DataFactoryRunInput | None = strawberry.field(
        default=UNSET, description="Data Factory fields to change."
    )
    databricks: DatabricksRunInput | None = strawberry.field(
        default=UNSET, description="Databricks fields to change."
    )
    data_zone: DataZoneRunInput | None = strawberry.field(
        default=UNSET, description="DataZone fields to change."
    )

    def to_patch(self) -> specs.RunPatch:
        status = _patch(self.status)
        source_status = _patch(self.source_status)
        if status is None:
            raise_required("status")
        if source_status is None:
            raise_required("sourceStatus")
        durations = _patch(self.durations)
        statistics = _patch(self.statistics)
        blocking_error = _patch(self.blocking_error)
        return specs.RunPatch(
            display_name=_patch(self.display_name),
            status=status,
            source_status=source_status,
            start_date_time=_patch(self.start_date_time),
            end_date_time=_patch(self.end_date_time),
            durations=durations
            if durations is checks.UNSET
            else (durations.to_domain() if durations else models.Durations()),
            parameters=_patch(self.parameters),
            statistics=statistics
            if statistics is checks.UNSET
            else (statistics.to_domain() if statistics else models.EMPTY_STATISTICS),
            blocking_error=blocking_error
            if blocking_error is checks.UNSET or blocking_error is None
            else blocking_error.to_domain(),
            platform=_platform(self.data_factory, self.databricks, self.data_zone),
        )


def raise_required(field: str) -> None:
    raise ValidationError(field, "cannot be null; leave it out to keep the current value.")

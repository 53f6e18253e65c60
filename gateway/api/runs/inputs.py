"""Inputs of the run mutations, and their conversion to the domain's specs and patches."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import strawberry
from strawberry.types.unset import UnsetType

from gateway.api.common.inputs import (
    UNSET,
    DurationsInput,
    RunErrorInput,
    RunStatisticsInput,
    TriggerInput,
    patch_value,
)
from gateway.api.common.scalars import JSON, SafeInt
from gateway.domain import checks, models, specs
from gateway.domain.exceptions import ValidationError
from gateway.domain.sources import ActivityKind, TriggerType
from gateway.domain.status import RunStatus


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
    job_id: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="The job's id."
    )
    number_in_job: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="Number in its job."
    )
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
            durations=self.durations.to_domain() if self.durations else models.RunDurations(),
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
        durations = patch_value(self.durations)
        return specs.RunPatch(
            display_name=patch_value(self.display_name),
            durations=durations
            if durations is checks.UNSET
            else (durations.to_domain() if durations else models.RunDurations()),
            parameters=patch_value(self.parameters),
            platform=_platform(self.data_factory, self.databricks, self.data_zone),
            **progress_patch(self),
        )


class _Progress(Protocol):
    status: RunStatus | None
    source_status: str | None
    start_date_time: datetime | None
    end_date_time: datetime | None
    statistics: RunStatisticsInput | None
    blocking_error: RunErrorInput | None


def progress_patch(input: _Progress) -> dict[str, Any]:
    """The progress fields of a run or activity patch (status, times, statistics, blocking
    error): left out keeps the value; null is refused where a value is required."""
    status = patch_value(input.status)
    source_status = patch_value(input.source_status)
    if status is None:
        raise_required("status")
    if source_status is None:
        raise_required("sourceStatus")
    statistics = patch_value(input.statistics)
    blocking_error = patch_value(input.blocking_error)
    return {
        "status": status,
        "source_status": source_status,
        "start_date_time": patch_value(input.start_date_time),
        "end_date_time": patch_value(input.end_date_time),
        "statistics": statistics
        if statistics is checks.UNSET
        else (statistics.to_domain() if statistics else models.EMPTY_STATISTICS),
        "blocking_error": blocking_error
        if blocking_error is checks.UNSET or blocking_error is None
        else blocking_error.to_domain(),
    }


def raise_required(field: str) -> None:
    raise ValidationError(field, "cannot be null; leave it out to keep the current value.")

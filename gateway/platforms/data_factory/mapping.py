"""Azure Data Factory runs, from a `{"value": [...]}` response of either API version:

- v1 slice runs (seed 002, `GET …/tables/{table}/sliceruns`): one run per slice and activity. The
  process is the pipeline (`pipelineName`); the run keeps the slice window, batch time, percent
  complete, table and cluster, and is also its own single activity (`activityName`, `type`).
  Slices are made by the dataset's availability schedule, hence trigger SCHEDULED. v1 reports
  only an error message; its code is `DataFactoryError`.
- v2 pipeline runs (`POST …/queryPipelineRuns`, continuation token ignored; `GET …/pipelineruns/
  {runId}`): `runId`, `runGroupId`, `pipelineName`, `parameters`, `invokedBy`, `lastUpdated`,
  `runStart`, `runEnd`, `durationInMs`, `status`, `message`. A rerun shares the `runGroupId` of the
  first run (whose `runId` it is): that is the attempt lineage. Activity runs
  (`queryActivityRuns`) are read from the run's `activityRuns` list when present.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.domain.imports import ImportedRun, ProcessRef, RecordError
from gateway.domain.models import Metric, RunDurations, RunStatistics, Trigger
from gateway.domain.run_errors import ErrorCategory, RunError
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.specs import ActivitySpec, RunSpec
from gateway.platforms.values import (
    Json,
    boolean,
    integer,
    iso_time,
    milliseconds,
    obj,
    objects,
    required_text,
    text,
)

LIST_KEYS = ("value",)
ERROR_CODE = "DataFactoryError"

# `invokedBy.invokedByType` of v2 pipeline runs.
TRIGGERS = {
    "Manual": TriggerType.MANUAL,
    "ScheduleTrigger": TriggerType.SCHEDULED,
    "TumblingWindowTrigger": TriggerType.SCHEDULED,
    "BlobEventsTrigger": TriggerType.EVENT,
    "CustomEventsTrigger": TriggerType.EVENT,
    "PipelineActivity": TriggerType.EVENT,
}
# `error.failureType` of v2 activity runs.
FAILURE_TYPES = {"UserError": ErrorCategory.USER, "SystemError": ErrorCategory.INTERNAL}
# Numbers in a copy activity's `output`, kept as metrics.
COPY_METRICS = {
    "rowsRead": "rows",
    "rowsCopied": "rows",
    "dataRead": "bytes",
    "dataWritten": "bytes",
    "filesRead": "files",
    "filesWritten": "files",
}


def _process(name: str) -> ProcessRef:
    return ProcessRef(
        source=Source.DATA_FACTORY,
        kind=ProcessKind.DATA_FACTORY_PIPELINE,
        source_id=name,
        display_name=name,
    )


def _message_error(message: str | None) -> RunError | None:
    return RunError(code=ERROR_CODE, message=message) if message else None


def _slice_run(value: Json) -> ImportedRun:
    pipeline = text(value, "pipelineName") or required_text(value, "pipelineId")
    activity = text(value, "activityName") or required_text(value, "activityId")
    status = required_text(value, "status")
    start = iso_time(value, "processingStartTime")
    end = iso_time(value, "processingEndTime")
    retry = integer(value, "retryAttempt") or 0
    error = _message_error(text(value, "errorMessage"))
    attributes = {
        name: value[name]
        for name in ("activityId", "pipelineId", "activityRunId")
        if value.get(name) is not None
    }
    return ImportedRun(
        process=_process(pipeline),
        spec=RunSpec(
            source_id=required_text(value, "id"),
            display_name=activity,
            source_status=status,
            created_date_time=iso_time(value, "timestamp") or start,
            start_date_time=start,
            end_date_time=end,
            trigger=Trigger(type=TriggerType.SCHEDULED, source_type="slice"),
            attempt_number=retry + 1,
            blocking_error=error,
            platform={
                "table_name": text(value, "tableName"),
                "activity_name": activity,
                "data_slice_start": iso_time(value, "dataSliceStart"),
                "data_slice_end": iso_time(value, "dataSliceEnd"),
                "batch_time": iso_time(value, "batchTime"),
                "percent_complete": integer(value, "percentComplete"),
                "compute_cluster_name": text(value, "computeClusterName"),
                "has_logs": boolean(value, "hasLogs"),
                "data_artifact_id": text(value, "dataArtifactId"),
            },
            activities=(
                ActivitySpec(
                    key=activity,
                    display_name=activity,
                    kind=ActivityKind.DATA_FACTORY_ACTIVITY,
                    source_id=text(value, "activityRunId"),
                    activity_type=text(value, "type"),
                    source_status=status,
                    start_date_time=start,
                    end_date_time=end,
                    attempt_number=retry + 1,
                    blocking_error=error,
                    attributes=attributes,
                ),
            ),
        ),
    )


def _activity_error(value: Json | None) -> RunError | None:
    if not value or not (text(value, "message") or text(value, "errorCode")):
        return None
    return RunError(
        code=text(value, "errorCode") or ERROR_CODE,
        message=text(value, "message") or "",
        category=FAILURE_TYPES.get(text(value, "failureType") or "", ErrorCategory.UNKNOWN),
        target=text(value, "target"),
        source_code=text(value, "errorCode"),
    )


def _copy_statistics(output: Json | None) -> RunStatistics:
    if not output:
        return RunStatistics()
    metrics = tuple(
        Metric(name=name, value=float(output[name]), unit=unit)
        for name, unit in COPY_METRICS.items()
        if isinstance(output.get(name), int | float) and not isinstance(output.get(name), bool)
    )
    return RunStatistics(processed=integer(output, "rowsCopied") or 0, metrics=metrics)


def _activity_runs(values: list[Json]) -> tuple[ActivitySpec, ...]:
    out: list[ActivitySpec] = []
    seen: dict[str, int] = {}
    for value in values:
        name = required_text(value, "activityName")
        seen[name] = seen.get(name, 0) + 1
        key = name if seen[name] == 1 else f"{name}#{seen[name]}"
        output = value.get("output")
        attributes = (
            {"linkedServiceName": value["linkedServiceName"]}
            if value.get("linkedServiceName")
            else {}
        )
        out.append(
            ActivitySpec(
                key=key,
                display_name=name,
                kind=ActivityKind.DATA_FACTORY_ACTIVITY,
                source_id=text(value, "activityRunId"),
                activity_type=text(value, "activityType"),
                source_status=required_text(value, "status"),
                start_date_time=iso_time(value, "activityRunStart"),
                end_date_time=iso_time(value, "activityRunEnd"),
                attempt_number=(integer(value, "retryAttempt") or 0) + 1,
                statistics=_copy_statistics(output if isinstance(output, Mapping) else None),
                blocking_error=_activity_error(obj(value, "error")),
                attributes=attributes,
            )
        )
    return tuple(out)


def _pipeline_run(value: Json) -> ImportedRun:
    run_id = required_text(value, "runId")
    group = text(value, "runGroupId")
    rerun = group is not None and group != run_id
    invoked = obj(value, "invokedBy") or {}
    invoked_type = text(invoked, "invokedByType")
    start = iso_time(value, "runStart")
    modified = iso_time(value, "lastUpdated")
    parameters = value.get("parameters")
    if parameters is not None and not isinstance(parameters, Mapping):
        raise RecordError("parameters: must be an object.")
    return ImportedRun(
        process=_process(required_text(value, "pipelineName")),
        last_modified_date_time=modified,
        original_attempt_source_id=group if rerun else None,
        spec=RunSpec(
            source_id=run_id,
            display_name=text(value, "pipelineName"),
            source_status=required_text(value, "status"),
            created_date_time=start or modified,
            start_date_time=start,
            end_date_time=iso_time(value, "runEnd"),
            durations=RunDurations(total_ms=milliseconds(value, "durationInMs")),
            trigger=Trigger(
                type=TRIGGERS.get(invoked_type or "", TriggerType.UNKNOWN),
                invoked_by=text(invoked, "name"),
                source_type=invoked_type,
            ),
            parameters=dict(parameters) if parameters else None,
            attempt_number=2 if rerun else 1,
            blocking_error=_message_error(text(value, "message")),
            platform={"run_group_id": group},
            activities=_activity_runs(objects(value, "activityRuns")),
        ),
    )


def parse(value: Json) -> ImportedRun:
    if "runId" in value:
        return _pipeline_run(value)
    if "id" in value and ("dataSliceStart" in value or "pipelineName" in value):
        return _slice_run(value)
    raise RecordError("neither a v1 slice run (id, dataSliceStart) nor a v2 pipeline run (runId).")

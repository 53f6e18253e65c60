"""Amazon DataZone data source runs (seed 004), from `ListDataSourceRuns` (`{"items": [...],
"nextToken": ...}`) or `GetDataSourceRun` (one run), and their asset activities from
`ListDataSourceRunActivities` (`{"items": [...]}` of `DataSourceRunActivity`).

- The process is the data source (`dataSourceId`); the run keeps `projectId`, `type` (SCHEDULED or
  PRIORITIZED: a person asked for it) and `lineageSummary.importStatus`.
- `runStatisticsForAssets` (added, updated, unchanged, skipped, failed) are the run's counters;
  `processed` is their sum.
- `errorMessage.errorType` gives the error's category (research §a.5).
- Times are epoch seconds (the API's JSON) or ISO 8601 (the CLI's output).
- An activity names its run (`dataSourceRunId`) and is keyed by its asset (`dataAssetId`, else
  `technicalName`); a run's activities may also be given inline as its `activities` list.
"""

from __future__ import annotations

from gateway.domain.imports import ImportedActivity, ImportedRun, ProcessRef
from gateway.domain.models import RunStatistics, Trigger
from gateway.domain.run_errors import DATAZONE_ERROR_CATEGORIES, RunError, platform_error
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.specs import ActivitySpec, RunSpec
from gateway.platforms.values import Json, aws_time, integer, obj, objects, required_text, text

LIST_KEYS = ("items",)
TRIGGERS = {"SCHEDULED": TriggerType.SCHEDULED, "PRIORITIZED": TriggerType.MANUAL}
ASSET_COUNTERS = ("added", "updated", "unchanged", "skipped", "failed")


def _error(value: Json | None) -> RunError | None:
    if value is None:
        return None
    return platform_error(
        DATAZONE_ERROR_CATEGORIES,
        required_text(value, "errorType"),
        text(value, "errorDetail") or "",
    )


def _statistics(value: Json | None) -> RunStatistics:
    if value is None:
        return RunStatistics()
    counts = {name: integer(value, name) or 0 for name in ASSET_COUNTERS}
    return RunStatistics(
        processed=sum(counts.values()),
        added=counts["added"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        skipped=counts["skipped"],
        failed=counts["failed"],
    )


def activity(value: Json) -> ActivitySpec:
    name = text(value, "technicalName")
    key = text(value, "dataAssetId") or required_text(value, "technicalName")
    lineage = obj(value, "lineageSummary") or {}
    attributes = {
        name: found
        for name, found in (
            ("database", text(value, "database")),
            ("technicalName", text(value, "technicalName")),
            ("technicalDescription", text(value, "technicalDescription")),
            ("dataAssetId", text(value, "dataAssetId")),
            ("lineageImportStatus", text(lineage, "importStatus")),
        )
        if found
    }
    created = aws_time(value, "createdAt")
    return ActivitySpec(
        key=key,
        display_name=name or key,
        kind=ActivityKind.DATAZONE_ASSET,
        source_id=text(value, "dataAssetId"),
        source_status=required_text(value, "dataAssetStatus"),
        start_date_time=created,
        end_date_time=aws_time(value, "updatedAt") if created else None,
        blocking_error=_error(obj(value, "errorMessage")),
        attributes=attributes,
    )


def _run(value: Json) -> ImportedRun:
    data_source = required_text(value, "dataSourceId")
    run_type = text(value, "type")
    lineage = obj(value, "lineageSummary") or {}
    return ImportedRun(
        process=ProcessRef(
            source=Source.DATAZONE,
            kind=ProcessKind.DATAZONE_DATA_SOURCE,
            source_id=data_source,
            display_name=data_source,
        ),
        last_modified_date_time=aws_time(value, "updatedAt"),
        spec=RunSpec(
            source_id=required_text(value, "id"),
            source_status=required_text(value, "status"),
            created_date_time=aws_time(value, "createdAt"),
            start_date_time=aws_time(value, "startedAt"),
            end_date_time=aws_time(value, "stoppedAt"),
            trigger=Trigger(
                type=TRIGGERS.get(run_type or "", TriggerType.UNKNOWN), source_type=run_type
            ),
            statistics=_statistics(obj(value, "runStatisticsForAssets")),
            blocking_error=_error(obj(value, "errorMessage")),
            platform={
                "data_source_id": data_source,
                "project_id": text(value, "projectId"),
                "run_type": run_type,
                "lineage_import_status": text(lineage, "importStatus"),
            },
            activities=tuple(activity(a) for a in objects(value, "activities")),
        ),
    )


def parse(value: Json) -> ImportedRun | ImportedActivity:
    if "dataAssetStatus" in value:
        return ImportedActivity(
            source=Source.DATAZONE,
            run_source_id=required_text(value, "dataSourceRunId"),
            spec=activity(value),
        )
    return _run(value)

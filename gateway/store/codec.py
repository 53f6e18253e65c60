"""Conversion between table rows and domain records (the only place that knows both shapes)."""

from __future__ import annotations

from typing import Any

import orjson

from gateway.domain.clock import (
    from_micros,
    optional_datetime,
    optional_micros,
    to_micros,
)
from gateway.domain.models import (
    ACTIVITY_CLASSES,
    EMPTY_STATISTICS,
    RUN_CLASSES,
    Activity,
    ActivityDefinition,
    DatabricksRun,
    DataFactoryRun,
    DataZoneRun,
    EntityCount,
    Metric,
    Process,
    RoleCount,
    Run,
    RunDurations,
    RunStatistics,
    Throttle,
    Trigger,
    Workspace,
)
from gateway.domain.run_errors import ErrorCategory, RunError, RunErrorDetail
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.store.protocol import Row


def dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def loads(text: str | None) -> Any:
    return None if text is None else orjson.loads(text)


# --- workspaces -------------------------------------------------------------------------------


def workspace_from_row(row: Row) -> Workspace:
    return Workspace(
        id=row["id"],
        display_name=row["display_name"],
        source=Source(row["source"]) if row["source"] else None,
        source_id=row["source_id"],
        created_date_time=from_micros(row["created_at"]),
    )


# --- processes --------------------------------------------------------------------------------


def _definition_to_json(d: ActivityDefinition) -> dict[str, Any]:
    return {
        "key": d.key,
        "displayName": d.display_name,
        "kind": d.kind.value,
        "activityType": d.activity_type,
        "enabled": d.enabled,
        "dependsOn": list(d.depends_on),
    }


def _definition_from_json(d: dict[str, Any]) -> ActivityDefinition:
    return ActivityDefinition(
        key=d["key"],
        display_name=d["displayName"],
        kind=ActivityKind(d["kind"]),
        activity_type=d.get("activityType"),
        enabled=d.get("enabled", True),
        depends_on=tuple(d.get("dependsOn", ())),
    )


def activity_definitions_from_row(row: Row) -> tuple[ActivityDefinition, ...]:
    """A process row's activity definitions (`activity_definitions`)."""
    return tuple(_definition_from_json(d) for d in loads(row["activity_definitions"]) or ())


def process_to_params(p: Process) -> dict[str, Any]:
    return {
        "id": p.id,
        "workspace_id": p.workspace_id,
        "source": p.source.value,
        "kind": p.kind.value,
        "source_id": p.source_id,
        "display_name": p.display_name,
        "description": p.description,
        "readiness_status": p.readiness_status.value,
        "schedule": p.schedule,
        "throttle_max_runs": p.throttle.max_runs if p.throttle else None,
        "throttle_window_s": p.throttle.window_seconds if p.throttle else None,
        "activity_definitions": dumps([_definition_to_json(d) for d in p.activity_definitions]),
        "created_at": to_micros(p.created_date_time),
        "last_modified_at": to_micros(p.last_modified_date_time),
        "version": p.version,
    }


def process_from_row(row: Row) -> Process:
    return Process(
        id=row["id"],
        workspace_id=row["workspace_id"],
        source=Source(row["source"]),
        kind=ProcessKind(row["kind"]),
        source_id=row["source_id"],
        display_name=row["display_name"],
        description=row["description"],
        readiness_status=ReadinessStatus(row["readiness_status"]),
        schedule=row["schedule"],
        throttle=Throttle(
            max_runs=row["throttle_max_runs"], window_seconds=row["throttle_window_s"]
        )
        if row["throttle_max_runs"] is not None
        else None,
        activity_definitions=activity_definitions_from_row(row),
        created_date_time=from_micros(row["created_at"]),
        last_modified_date_time=from_micros(row["last_modified_at"]),
        version=row["version"],
    )


# --- statistics and errors (shared by runs and activities) ------------------------------------

STATISTICS_COLUMNS = (
    "stat_processed",
    "stat_added",
    "stat_updated",
    "stat_unchanged",
    "stat_skipped",
    "stat_failed",
    "stat_errors",
    "stat_warnings",
    "stat_extra",
)
ERROR_COLUMNS = ("error_code", "error_extra")
# The columns of no statistics and of no error (read only: callers spread them into their own).
_NO_STATISTICS: dict[str, Any] = {name: 0 for name in STATISTICS_COLUMNS} | {"stat_extra": None}
_NO_ERROR = dict.fromkeys(("error_code", "error_message", "error_category", "error_retryable"))
_NO_ERROR["error_extra"] = None


def statistics_to_params(s: RunStatistics) -> dict[str, Any]:
    if s is EMPTY_STATISTICS:  # most runs and activities: the columns of no statistics
        return _NO_STATISTICS
    extra: dict[str, Any] = {}
    if s.entities:
        extra["entities"] = [
            {"entity": e.entity, "total": e.total, "active": e.active, "inactive": e.inactive}
            for e in s.entities
        ]
    if s.roles:
        extra["roles"] = [{"role": r.role, "count": r.count, "matched": r.matched} for r in s.roles]
    if s.metrics:
        extra["metrics"] = [{"name": m.name, "value": m.value, "unit": m.unit} for m in s.metrics]
    return {
        "stat_processed": s.processed,
        "stat_added": s.added,
        "stat_updated": s.updated,
        "stat_unchanged": s.unchanged,
        "stat_skipped": s.skipped,
        "stat_failed": s.failed,
        "stat_errors": s.errors,
        "stat_warnings": s.warnings,
        "stat_extra": dumps(extra) if extra else None,
    }


def statistics_from_row(row: Row) -> RunStatistics:
    """The statistics of a run or activity row (its `stat_*` columns)."""
    extra = row["stat_extra"]
    lists = _statistics_lists(loads(extra)) if extra is not None else _NO_LISTS
    return RunStatistics(
        processed=row["stat_processed"],
        added=row["stat_added"],
        updated=row["stat_updated"],
        unchanged=row["stat_unchanged"],
        skipped=row["stat_skipped"],
        failed=row["stat_failed"],
        errors=row["stat_errors"],
        warnings=row["stat_warnings"],
        entities=lists[0],
        roles=lists[1],
        metrics=lists[2],
    )


_NO_LISTS: tuple[tuple[EntityCount, ...], tuple[RoleCount, ...], tuple[Metric, ...]] = ((), (), ())


def _statistics_lists(
    extra: dict[str, Any] | None,
) -> tuple[tuple[EntityCount, ...], tuple[RoleCount, ...], tuple[Metric, ...]]:
    """The entity counts, role counts and metrics of `stat_extra` (most rows have none)."""
    if not extra:
        return _NO_LISTS
    return (
        tuple(EntityCount(**e) for e in extra.get("entities", ())),
        tuple(RoleCount(**r) for r in extra.get("roles", ())),
        tuple(Metric(**m) for m in extra.get("metrics", ())),
    )


def _error_to_json(e: RunError) -> dict[str, Any]:
    return {
        "code": e.code,
        "message": e.message,
        "category": e.category.value,
        "retryable": e.retryable,
        "target": e.target,
        "sourceCode": e.source_code,
        "details": [{"code": d.code, "message": d.message, "target": d.target} for d in e.details],
        "innerError": _error_to_json(e.inner_error) if e.inner_error else None,
    }


def _error_from_json(d: dict[str, Any]) -> RunError:
    return RunError(
        code=d["code"],
        message=d["message"],
        category=ErrorCategory(d.get("category", "UNKNOWN")),
        retryable=bool(d.get("retryable", False)),
        target=d.get("target"),
        source_code=d.get("sourceCode"),
        details=tuple(RunErrorDetail(**x) for x in d.get("details") or ()),
        inner_error=_error_from_json(d["innerError"]) if d.get("innerError") else None,
    )


def error_to_params(e: RunError | None) -> dict[str, Any]:
    if e is None:
        return _NO_ERROR
    return {
        "error_code": e.code,
        "error_message": e.message,
        "error_category": e.category.value,
        "error_retryable": int(e.retryable),
        "error_extra": dumps(_error_to_json(e)),
    }


def error_from_row(row: Row) -> RunError | None:
    """The blocking error of a run or activity row (`error_code`, `error_extra`), if any."""
    if row["error_code"] is None:
        return None
    return _error_from_json(loads(row["error_extra"]))


# --- runs -------------------------------------------------------------------------------------

_PLATFORM_TIMES = ("data_slice_start", "data_slice_end", "batch_time")
_PLATFORM_FIELDS = {
    DataFactoryRun: (
        "table_name",
        "activity_name",
        "data_slice_start",
        "data_slice_end",
        "batch_time",
        "percent_complete",
        "compute_cluster_name",
        "run_group_id",
        "has_logs",
        "data_artifact_id",
    ),
    DatabricksRun: (
        "job_id",
        "number_in_job",
        "run_type",
        "creator_user_name",
        "run_page_url",
        "state_message",
    ),
    DataZoneRun: ("data_source_id", "project_id", "run_type", "lineage_import_status"),
}
_ALL_PLATFORM_COLUMNS = sorted({c for cols in _PLATFORM_FIELDS.values() for c in cols})
_NO_PLATFORM = dict.fromkeys(_ALL_PLATFORM_COLUMNS)


def run_to_params(r: Run) -> dict[str, Any]:
    params: dict[str, Any] = {
        "id": r.id,
        "workspace_id": r.workspace_id,
        "process_id": r.process_id,
        "source": r.source.value,
        "source_id": r.source_id,
        "display_name": r.display_name,
        "status": r.status.value,
        "source_status": r.source_status,
        "created_at": to_micros(r.created_date_time),
        "started_at": optional_micros(r.start_date_time),
        "ended_at": optional_micros(r.end_date_time),
        "last_modified_at": to_micros(r.last_modified_date_time),
        "queue_ms": r.durations.queue_ms,
        "setup_ms": r.durations.setup_ms,
        "execution_ms": r.durations.execution_ms,
        "cleanup_ms": r.durations.cleanup_ms,
        "total_ms": r.durations.total_ms,
        "trigger_type": r.trigger.type.value,
        "trigger_invoked_by": r.trigger.invoked_by,
        "trigger_source_type": r.trigger.source_type,
        "parameters": None if r.parameters is None else dumps(r.parameters),
        "attempt_number": r.attempt_number,
        "original_attempt_run_id": r.original_attempt_run_id,
        "previous_attempt_run_id": r.previous_attempt_run_id,
        "is_latest_attempt": int(r.is_latest_attempt),
        "version": r.version,
        **statistics_to_params(r.statistics),
        **error_to_params(r.blocking_error),
        "source_hash": None,  # the import's `runs.insert_many`/`update` set it; others clear it
    }
    params.update(_NO_PLATFORM)
    for name in _PLATFORM_FIELDS.get(type(r), ()):
        value = getattr(r, name)
        if name in _PLATFORM_TIMES:
            value = optional_micros(value)
        elif isinstance(value, bool):
            value = int(value)
        params[name] = value
    return params


def run_from_row(row: Row) -> Run:
    source = Source(row["source"])
    cls = RUN_CLASSES[source]
    platform: dict[str, Any] = {}
    for name in _PLATFORM_FIELDS.get(cls, ()):
        value = row[name]
        if name in _PLATFORM_TIMES:
            value = optional_datetime(value)
        elif name == "has_logs" and value is not None:
            value = bool(value)
        platform[name] = value
    return cls(
        id=row["id"],
        workspace_id=row["workspace_id"],
        process_id=row["process_id"],
        source=source,
        source_id=row["source_id"],
        display_name=row["display_name"],
        status=RunStatus(row["status"]),
        source_status=row["source_status"],
        created_date_time=from_micros(row["created_at"]),
        start_date_time=optional_datetime(row["started_at"]),
        end_date_time=optional_datetime(row["ended_at"]),
        last_modified_date_time=from_micros(row["last_modified_at"]),
        durations=RunDurations(
            queue_ms=row["queue_ms"],
            setup_ms=row["setup_ms"],
            execution_ms=row["execution_ms"],
            cleanup_ms=row["cleanup_ms"],
            total_ms=row["total_ms"],
        ),
        trigger=Trigger(
            type=TriggerType(row["trigger_type"]),
            invoked_by=row["trigger_invoked_by"],
            source_type=row["trigger_source_type"],
        ),
        parameters=loads(row["parameters"]),
        attempt_number=row["attempt_number"],
        original_attempt_run_id=row["original_attempt_run_id"],
        previous_attempt_run_id=row["previous_attempt_run_id"],
        is_latest_attempt=bool(row["is_latest_attempt"]),
        statistics=statistics_from_row(row),
        blocking_error=error_from_row(row),
        version=row["version"],
        **platform,
    )


# --- activities -------------------------------------------------------------------------------


def activity_to_params(a: Activity) -> dict[str, Any]:
    return {
        "id": a.id,
        "run_id": a.run_id,
        "workspace_id": a.workspace_id,
        "kind": a.kind.value,
        "key": a.key,
        "source_id": a.source_id,
        "display_name": a.display_name,
        "activity_type": a.activity_type,
        "sequence": a.sequence,
        "status": a.status.value,
        "source_status": a.source_status,
        "created_at": to_micros(a.created_date_time),
        "started_at": optional_micros(a.start_date_time),
        "ended_at": optional_micros(a.end_date_time),
        "last_modified_at": to_micros(a.last_modified_date_time),
        "attempt_number": a.attempt_number,
        "depends_on": dumps(list(a.depends_on)),
        "attributes": dumps(a.attributes),
        "version": a.version,
        **statistics_to_params(a.statistics),
        **error_to_params(a.blocking_error),
    }


def activity_from_row(row: Row) -> Activity:
    kind = ActivityKind(row["kind"])
    return ACTIVITY_CLASSES[kind](
        id=row["id"],
        run_id=row["run_id"],
        workspace_id=row["workspace_id"],
        kind=kind,
        key=row["key"],
        source_id=row["source_id"],
        display_name=row["display_name"],
        activity_type=row["activity_type"],
        sequence=row["sequence"],
        status=RunStatus(row["status"]),
        source_status=row["source_status"],
        created_date_time=from_micros(row["created_at"]),
        start_date_time=optional_datetime(row["started_at"]),
        end_date_time=optional_datetime(row["ended_at"]),
        last_modified_date_time=from_micros(row["last_modified_at"]),
        attempt_number=row["attempt_number"],
        depends_on=tuple(loads(row["depends_on"]) or ()),
        attributes=loads(row["attributes"]) or {},
        statistics=statistics_from_row(row),
        blocking_error=error_from_row(row),
        version=row["version"],
    )


def insert_sql(table: str, params: dict[str, Any]) -> str:
    """`INSERT INTO table (…) VALUES (:…)` for the keys of a params dict made above."""
    columns = ", ".join(params)
    values = ", ".join(f":{name}" for name in params)
    return f"INSERT INTO {table} ({columns}) VALUES ({values})"


def update_sql(table: str, params: dict[str, Any]) -> str:
    """`UPDATE table SET … WHERE id = :id AND version = :expected_version`."""
    assignments = ", ".join(f"{name} = :{name}" for name in params if name != "id")
    return f"UPDATE {table} SET {assignments} WHERE id = :id AND version = :expected_version"

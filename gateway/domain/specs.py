"""What clients ask to create or change, and the rules that turn it into records.

`build_*` validate a spec and make a new record; `apply_*` validate a patch and make the next version
of a record. Both raise `ValidationError` naming the offending field (in the API's camelCase path),
and never touch anything else: the store saves what they return.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, TypeAlias, TypeVar

import orjson

from gateway.domain.exceptions import ValidationError
from gateway.domain.lifecycle import check_transition, derive_durations
from gateway.domain.models import (
    ACTIVITY_CLASSES,
    COUNTER_NAMES,
    EMPTY_STATISTICS,
    RUN_CLASSES,
    Activity,
    ActivityDefinition,
    Durations,
    JSONValue,
    Process,
    Run,
    RunStatistics,
    Trigger,
)
from gateway.domain.run_errors import RunError
from gateway.domain.sources import (
    ACTIVITY_KINDS_BY_SOURCE,
    PROCESS_KINDS_BY_SOURCE,
    ActivityKind,
    ProcessKind,
    Source,
)
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.domain.vocabularies import activity_status, run_status

MAX_NAME_LENGTH: Final = 512
MAX_SOURCE_ID_LENGTH: Final = 256
MAX_TEXT_LENGTH: Final = 8192
MAX_PARAMETERS_BYTES: Final = 64 * 1024
MAX_ACTIVITIES_PER_RUN: Final = 500
MAX_DEFINITIONS_PER_PROCESS: Final = 500
MAX_METRICS: Final = 200
_CRON_FIELD = re.compile(r"^[\d*/,\-A-Za-z?LW#]+$")


class _Unset(enum.Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""A patch field left out: the record keeps its value. (None sets a nullable field to null.)"""

T = TypeVar("T")
Patch: TypeAlias = T | _Unset


# --- field rules --------------------------------------------------------------------------------


def check_name(path: str, value: str | None, *, required: bool = True) -> str | None:
    if value is None:
        if required:
            raise ValidationError(path, "is required.")
        return None
    if required and not value.strip():
        raise ValidationError(path, "must not be empty.")
    if len(value) > MAX_NAME_LENGTH:
        raise ValidationError(path, f"may be at most {MAX_NAME_LENGTH} characters.")
    return value


def check_text(path: str, value: str | None, limit: int = MAX_TEXT_LENGTH) -> str | None:
    if value is not None and len(value) > limit:
        raise ValidationError(path, f"may be at most {limit} characters.")
    return value


def check_source_id(path: str, value: str) -> str:
    if not value.strip():
        raise ValidationError(path, "must not be empty.")
    if len(value) > MAX_SOURCE_ID_LENGTH:
        raise ValidationError(path, f"may be at most {MAX_SOURCE_ID_LENGTH} characters.")
    return value


def check_parameters(path: str, value: JSONValue) -> JSONValue:
    if value is None:
        return None
    try:
        size = len(orjson.dumps(value))
    except TypeError:
        raise ValidationError(path, "must be a JSON value.") from None
    if size > MAX_PARAMETERS_BYTES:
        raise ValidationError(path, f"may be at most {MAX_PARAMETERS_BYTES} bytes of JSON.")
    return value


def check_schedule(path: str, value: str | None) -> str | None:
    """A cron expression of five fields (minute hour day-of-month month day-of-week)."""
    if value is None:
        return None
    fields = value.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValidationError(
            path, "must be a cron expression of five fields, such as '0 */12 * * *'."
        )
    return " ".join(fields)


def check_times(path: str, created: datetime, start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(f"{path}endDateTime", "must not be before startDateTime.")
    if end is not None and start is None:
        raise ValidationError(f"{path}startDateTime", "is required when endDateTime is given.")
    del created  # a platform may report a start before our record of its creation


def check_statistics(path: str, value: RunStatistics) -> RunStatistics:
    for name in COUNTER_NAMES:
        if getattr(value, name) < 0:
            raise ValidationError(f"{path}statistics.{name}", "must be 0 or more.")
    if len(value.metrics) + len(value.entities) + len(value.roles) > MAX_METRICS:
        raise ValidationError(f"{path}statistics", f"may hold at most {MAX_METRICS} metrics.")
    return value


def check_durations(path: str, value: Durations) -> Durations:
    for f in dataclasses.fields(value):
        ms = getattr(value, f.name)
        if ms is not None and ms < 0:
            raise ValidationError(f"{path}durations.{_camel(f.name)}", "must be 0 or more.")
    return value


def check_error(path: str, value: RunError | None) -> RunError | None:
    if value is None:
        return None
    if not value.code.strip():
        raise ValidationError(f"{path}blockingError.code", "must not be empty.")
    check_text(f"{path}blockingError.message", value.message)
    return value


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _status(
    path: str,
    status: RunStatus | None,
    source_status: str | None,
    mapped: RunStatus | None,
    default: RunStatus,
) -> tuple[RunStatus, str]:
    """The unified and raw status: an explicit status wins; else the raw value is mapped."""
    if source_status is not None:
        check_text(f"{path}sourceStatus", source_status, 256)
    if status is None:
        status = mapped if mapped is not None else default
    return status, source_status if source_status is not None else status.value


# --- processes ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessSpec:
    workspace_id: str
    source: Source
    kind: ProcessKind
    source_id: str | None = None
    display_name: str
    description: str | None = None
    readiness_status: ReadinessStatus = ReadinessStatus.READY
    schedule: str | None = None
    activity_definitions: tuple[ActivityDefinition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessPatch:
    display_name: Patch[str] = UNSET
    description: Patch[str | None] = UNSET
    readiness_status: Patch[ReadinessStatus] = UNSET
    schedule: Patch[str | None] = UNSET
    activity_definitions: Patch[tuple[ActivityDefinition, ...]] = UNSET


def check_definitions(
    source: Source, definitions: tuple[ActivityDefinition, ...]
) -> tuple[ActivityDefinition, ...]:
    path = "activityDefinitions"
    if len(definitions) > MAX_DEFINITIONS_PER_PROCESS:
        raise ValidationError(path, f"may hold at most {MAX_DEFINITIONS_PER_PROCESS} entries.")
    allowed = ACTIVITY_KINDS_BY_SOURCE[source]
    keys: set[str] = set()
    for i, d in enumerate(definitions):
        check_source_id(f"{path}[{i}].key", d.key)
        check_name(f"{path}[{i}].displayName", d.display_name)
        if d.kind not in allowed:
            names = ", ".join(sorted(k.value for k in allowed))
            raise ValidationError(
                f"{path}[{i}].kind", f"must be one of {names} for {source.value}."
            )
        if d.key in keys:
            raise ValidationError(f"{path}[{i}].key", f"{d.key!r} is used twice.")
        keys.add(d.key)
    for i, d in enumerate(definitions):
        for dep in d.depends_on:
            if dep not in keys or dep == d.key:
                raise ValidationError(
                    f"{path}[{i}].dependsOn", f"{dep!r} is not another activity of this process."
                )
    return definitions


def build_process(spec: ProcessSpec, *, id: str, now: datetime) -> Process:
    if spec.kind not in PROCESS_KINDS_BY_SOURCE[spec.source]:
        names = ", ".join(sorted(k.value for k in PROCESS_KINDS_BY_SOURCE[spec.source]))
        raise ValidationError("kind", f"must be one of {names} for {spec.source.value}.")
    return Process(
        id=id,
        workspace_id=spec.workspace_id,
        source=spec.source,
        kind=spec.kind,
        source_id=check_source_id("sourceId", spec.source_id) if spec.source_id is not None else id,
        display_name=check_name("displayName", spec.display_name) or "",
        description=check_text("description", spec.description),
        readiness_status=spec.readiness_status,
        schedule=check_schedule("schedule", spec.schedule),
        activity_definitions=check_definitions(spec.source, spec.activity_definitions),
        created_date_time=now,
        last_modified_date_time=now,
    )


def apply_process_patch(process: Process, patch: ProcessPatch, *, now: datetime) -> Process:
    changes: dict[str, Any] = {}
    if patch.display_name is not UNSET:
        changes["display_name"] = check_name("displayName", patch.display_name)
    if patch.description is not UNSET:
        changes["description"] = check_text("description", patch.description)
    if patch.readiness_status is not UNSET:
        changes["readiness_status"] = patch.readiness_status
    if patch.schedule is not UNSET:
        changes["schedule"] = check_schedule("schedule", patch.schedule)
    if patch.activity_definitions is not UNSET:
        changes["activity_definitions"] = check_definitions(
            process.source, patch.activity_definitions
        )
    return dataclasses.replace(
        process, **changes, last_modified_date_time=now, version=process.version + 1
    )


# --- runs and activities ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivitySpec:
    key: str
    display_name: str
    kind: ActivityKind | None = None
    source_id: str | None = None
    activity_type: str | None = None
    status: RunStatus | None = None
    source_status: str | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    attempt_number: int = 1
    depends_on: tuple[str, ...] = ()
    statistics: RunStatistics = EMPTY_STATISTICS
    blocking_error: RunError | None = None
    attributes: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSpec:
    source_id: str | None = None
    display_name: str | None = None
    status: RunStatus | None = None
    source_status: str | None = None
    created_date_time: datetime | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    durations: Durations = field(default_factory=Durations)
    trigger: Trigger = field(default_factory=Trigger)
    parameters: JSONValue = None
    attempt_number: int = 1
    statistics: RunStatistics = EMPTY_STATISTICS
    blocking_error: RunError | None = None
    platform: Mapping[str, Any] = field(default_factory=dict)
    activities: tuple[ActivitySpec, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPatch:
    display_name: Patch[str | None] = UNSET
    status: Patch[RunStatus] = UNSET
    source_status: Patch[str] = UNSET
    start_date_time: Patch[datetime | None] = UNSET
    end_date_time: Patch[datetime | None] = UNSET
    durations: Patch[Durations] = UNSET
    parameters: Patch[JSONValue] = UNSET
    statistics: Patch[RunStatistics] = UNSET
    blocking_error: Patch[RunError | None] = UNSET
    platform: Mapping[str, Any] = field(default_factory=dict)


def platform_field_names(source: Source) -> frozenset[str]:
    """The attributes a run of `source` has beyond the common ones."""
    own = {f.name for f in dataclasses.fields(RUN_CLASSES[source])}
    return frozenset(own - {f.name for f in dataclasses.fields(Run)})


def _check_platform(source: Source, platform: Mapping[str, Any]) -> dict[str, Any]:
    allowed = platform_field_names(source)
    for name, value in platform.items():
        if name not in allowed:
            raise ValidationError(_camel(name), f"is not a field of {source.value} runs.")
        if name == "percent_complete" and value is not None and not 0 <= value <= 100:
            raise ValidationError("percentComplete", "must be between 0 and 100.")
        if isinstance(value, str):
            check_text(_camel(name), value, 2048)
    return dict(platform)


def _build_activity(
    spec: ActivitySpec, *, index: int, run: Run, id: str, keys: set[str], now: datetime
) -> Activity:
    path = f"activities[{index}]."
    allowed = ACTIVITY_KINDS_BY_SOURCE[run.source]
    kind = spec.kind
    if kind is None:
        if len(allowed) != 1:
            raise ValidationError(f"{path}kind", f"is required for {run.source.value} activities.")
        (kind,) = allowed
    if kind not in allowed:
        names = ", ".join(sorted(k.value for k in allowed))
        raise ValidationError(f"{path}kind", f"must be one of {names} for {run.source.value}.")
    for dep in spec.depends_on:
        if dep not in keys or dep == spec.key:
            raise ValidationError(
                f"{path}dependsOn", f"{dep!r} is not another activity of this run."
            )
    status, source_status = _status(
        path,
        spec.status,
        spec.source_status,
        activity_status(kind, spec.source_status) if spec.source_status else None,
        RunStatus.PENDING,
    )
    check_times(path, now, spec.start_date_time, spec.end_date_time)
    if spec.attempt_number < 1:
        raise ValidationError(f"{path}attemptNumber", "must be 1 or more.")
    return ACTIVITY_CLASSES[kind](
        id=id,
        run_id=run.id,
        workspace_id=run.workspace_id,
        kind=kind,
        key=check_source_id(f"{path}key", spec.key),
        source_id=spec.source_id,
        display_name=check_name(f"{path}displayName", spec.display_name) or "",
        activity_type=check_text(f"{path}activityType", spec.activity_type, 256),
        sequence=index,
        status=status,
        source_status=source_status,
        created_date_time=now,
        start_date_time=spec.start_date_time,
        end_date_time=spec.end_date_time,
        last_modified_date_time=now,
        attempt_number=spec.attempt_number,
        depends_on=spec.depends_on,
        statistics=check_statistics(path, spec.statistics),
        blocking_error=check_error(path, spec.blocking_error),
        attributes=dict(spec.attributes),
    )


def build_run(
    spec: RunSpec, *, process: Process, id: str, activity_ids: list[str], now: datetime
) -> tuple[Run, list[Activity]]:
    """A new run of `process` and its activities, validated."""
    if len(spec.activities) > MAX_ACTIVITIES_PER_RUN:
        raise ValidationError("activities", f"may hold at most {MAX_ACTIVITIES_PER_RUN} entries.")
    status, source_status = _status(
        "",
        spec.status,
        spec.source_status,
        run_status(process.source, spec.source_status) if spec.source_status else None,
        RunStatus.PENDING,
    )
    created = spec.created_date_time or now
    check_times("", created, spec.start_date_time, spec.end_date_time)
    if spec.attempt_number < 1:
        raise ValidationError("attemptNumber", "must be 1 or more.")
    run = RUN_CLASSES[process.source](
        id=id,
        workspace_id=process.workspace_id,
        process_id=process.id,
        source=process.source,
        source_id=check_source_id("sourceId", spec.source_id) if spec.source_id is not None else id,
        display_name=check_name("displayName", spec.display_name, required=False),
        status=status,
        source_status=source_status,
        created_date_time=created,
        start_date_time=spec.start_date_time,
        end_date_time=spec.end_date_time,
        last_modified_date_time=now,
        durations=derive_durations(
            check_durations("", spec.durations),
            created=created,
            start=spec.start_date_time,
            end=spec.end_date_time,
        ),
        trigger=spec.trigger,
        parameters=check_parameters("parameters", spec.parameters),
        attempt_number=spec.attempt_number,
        statistics=check_statistics("", spec.statistics),
        blocking_error=check_error("", spec.blocking_error),
        **_check_platform(process.source, spec.platform),
    )
    keys = {a.key for a in spec.activities}
    if len(keys) != len(spec.activities):
        raise ValidationError("activities", "every activity needs its own key.")
    activities = [
        _build_activity(a, index=i, run=run, id=activity_ids[i], keys=keys, now=now)
        for i, a in enumerate(spec.activities)
    ]
    return run, activities


def apply_run_patch(run: Run, patch: RunPatch, *, now: datetime) -> Run:
    """The next version of `run` with `patch` applied; illegal status changes are refused."""
    changes: dict[str, Any] = {}
    if patch.display_name is not UNSET:
        changes["display_name"] = check_name("displayName", patch.display_name, required=False)
    status = run.status
    if patch.source_status is not UNSET:
        check_text("sourceStatus", patch.source_status, 256)
        changes["source_status"] = patch.source_status
        status = run_status(run.source, patch.source_status)
    if patch.status is not UNSET:
        status = patch.status
        if patch.source_status is UNSET:
            changes["source_status"] = status.value
    if status is not run.status:
        check_transition(run.status, status)
        changes["status"] = status
    start = run.start_date_time if patch.start_date_time is UNSET else patch.start_date_time
    end = run.end_date_time if patch.end_date_time is UNSET else patch.end_date_time
    check_times("", run.created_date_time, start, end)
    changes["start_date_time"] = start
    changes["end_date_time"] = end
    given = run.durations if patch.durations is UNSET else check_durations("", patch.durations)
    if patch.durations is UNSET and (start, end) != (run.start_date_time, run.end_date_time):
        given = dataclasses.replace(given, queue_ms=None, total_ms=None)
    changes["durations"] = derive_durations(
        given, created=run.created_date_time, start=start, end=end
    )
    if patch.parameters is not UNSET:
        changes["parameters"] = check_parameters("parameters", patch.parameters)
    if patch.statistics is not UNSET:
        changes["statistics"] = check_statistics("", patch.statistics)
    if patch.blocking_error is not UNSET:
        changes["blocking_error"] = check_error("", patch.blocking_error)
    changes.update(_check_platform(run.source, patch.platform))
    return dataclasses.replace(run, **changes, last_modified_date_time=now, version=run.version + 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityPatch:
    status: Patch[RunStatus] = UNSET
    source_status: Patch[str] = UNSET
    start_date_time: Patch[datetime | None] = UNSET
    end_date_time: Patch[datetime | None] = UNSET
    statistics: Patch[RunStatistics] = UNSET
    blocking_error: Patch[RunError | None] = UNSET


def apply_activity_patch(activity: Activity, patch: ActivityPatch, *, now: datetime) -> Activity:
    """The next version of `activity` with `patch` applied; illegal status changes are refused."""
    changes: dict[str, Any] = {}
    status = activity.status
    if patch.source_status is not UNSET:
        check_text("sourceStatus", patch.source_status, 256)
        changes["source_status"] = patch.source_status
        status = activity_status(activity.kind, patch.source_status)
    if patch.status is not UNSET:
        status = patch.status
        if patch.source_status is UNSET:
            changes["source_status"] = status.value
    if status is not activity.status:
        check_transition(activity.status, status)
        changes["status"] = status
    start = activity.start_date_time if patch.start_date_time is UNSET else patch.start_date_time
    end = activity.end_date_time if patch.end_date_time is UNSET else patch.end_date_time
    check_times("", activity.created_date_time, start, end)
    changes["start_date_time"] = start
    changes["end_date_time"] = end
    if patch.statistics is not UNSET:
        changes["statistics"] = check_statistics("", patch.statistics)
    if patch.blocking_error is not UNSET:
        changes["blocking_error"] = check_error("", patch.blocking_error)
    return dataclasses.replace(
        activity, **changes, last_modified_date_time=now, version=activity.version + 1
    )

"""What clients ask to create or change about runs and activities, and the rules that turn it
into records.

`build_*` validate a spec and make a new record; `apply_*` validate a patch and make the next version
of a record. Both raise `ValidationError` naming the offending field (in the API's camelCase path),
and never touch anything else: the store saves what they return.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import field
from datetime import datetime
from typing import Any

from gateway.domain.checks import (
    MAX_ACTIVITIES_PER_RUN,
    UNSET,
    Patch,
    camel,
    check_durations,
    check_error,
    check_name,
    check_parameters,
    check_source_id,
    check_statistics,
    check_text,
    check_times,
    resolve_status,
)
from gateway.domain.exceptions import ValidationError
from gateway.domain.lifecycle import check_transition, derive_durations, stamp_transition
from gateway.domain.models import (
    ACTIVITY_CLASSES,
    EMPTY_STATISTICS,
    RUN_CLASSES,
    Activity,
    JSONValue,
    Process,
    Run,
    RunDurations,
    RunStatistics,
    Trigger,
)
from gateway.domain.records import record
from gateway.domain.run_errors import RunError
from gateway.domain.sources import (
    ACTIVITY_KINDS_BY_SOURCE,
    ActivityKind,
    Source,
)
from gateway.domain.status import RunStatus
from gateway.domain.vocabularies import activity_status, run_status


@record
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


@record
class RunSpec:
    source_id: str | None = None
    display_name: str | None = None
    status: RunStatus | None = None
    source_status: str | None = None
    created_date_time: datetime | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None
    durations: RunDurations = field(default_factory=RunDurations)
    trigger: Trigger = field(default_factory=Trigger)
    parameters: JSONValue = None
    attempt_number: int = 1
    statistics: RunStatistics = EMPTY_STATISTICS
    blocking_error: RunError | None = None
    platform: Mapping[str, Any] = field(default_factory=dict)
    activities: tuple[ActivitySpec, ...] = ()


@record
class RunPatch:
    display_name: Patch[str | None] = UNSET
    status: Patch[RunStatus] = UNSET
    source_status: Patch[str] = UNSET
    start_date_time: Patch[datetime | None] = UNSET
    end_date_time: Patch[datetime | None] = UNSET
    durations: Patch[RunDurations] = UNSET
    parameters: Patch[JSONValue] = UNSET
    statistics: Patch[RunStatistics] = UNSET
    blocking_error: Patch[RunError | None] = UNSET
    platform: Mapping[str, Any] = field(default_factory=dict)


@functools.cache
def platform_field_names(source: Source) -> frozenset[str]:
    """The attributes a run of `source` has beyond the common ones."""
    own = {f.name for f in dataclasses.fields(RUN_CLASSES[source])}
    return frozenset(own - {f.name for f in dataclasses.fields(Run)})


def _check_platform(source: Source, platform: Mapping[str, Any]) -> dict[str, Any]:
    allowed = platform_field_names(source)
    for name, value in platform.items():
        if name not in allowed:
            raise ValidationError(camel(name), f"is not a field of {source.value} runs.")
        if name == "percent_complete" and value is not None and not 0 <= value <= 100:
            raise ValidationError("percentComplete", "must be between 0 and 100.")
        if isinstance(value, str) and len(value) > 2048:
            check_text(camel(name), value, 2048)
    return dict(platform)


def _build_activity(
    spec: ActivitySpec,
    *,
    index: int,
    run: Run,
    id: str,
    keys: set[str],
    now: datetime,
    overrides: Mapping[str, Any] | None = None,
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
    status, source_status = resolve_status(
        path,
        spec.status,
        spec.source_status,
        activity_status(kind, spec.source_status) if spec.source_status else None,
        RunStatus.PENDING,
    )
    check_times(path, now, spec.start_date_time, spec.end_date_time)
    if spec.attempt_number < 1:
        raise ValidationError(f"{path}attemptNumber", "must be 1 or more.")
    fields: dict[str, Any] = {
        "id": id,
        "run_id": run.id,
        "workspace_id": run.workspace_id,
        "kind": kind,
        "key": check_source_id(f"{path}key", spec.key),
        "source_id": spec.source_id,
        "display_name": check_name(f"{path}displayName", spec.display_name) or "",
        "activity_type": check_text(f"{path}activityType", spec.activity_type, 256),
        "sequence": index,
        "status": status,
        "source_status": source_status,
        "created_date_time": now,
        "start_date_time": spec.start_date_time,
        "end_date_time": spec.end_date_time,
        "last_modified_date_time": now,
        "attempt_number": spec.attempt_number,
        "depends_on": spec.depends_on,
        "statistics": check_statistics(path, spec.statistics),
        "blocking_error": check_error(path, spec.blocking_error),
        "attributes": dict(spec.attributes),
    }
    if overrides:
        fields.update(overrides)
    return ACTIVITY_CLASSES[kind](**fields)


def build_run(
    spec: RunSpec,
    *,
    process: Process,
    id: str,
    activity_ids: list[str],
    now: datetime,
    overrides: Mapping[str, Any] | None = None,
    activity_overrides: Callable[[ActivitySpec], Mapping[str, Any]] | None = None,
) -> tuple[Run, list[Activity]]:
    """A new run of `process` and its activities, validated. `overrides` (and, per activity,
    `activity_overrides`) set fields the spec does not decide (times, versions, lineage) as the
    records are made, instead of copying them after."""
    if len(spec.activities) > MAX_ACTIVITIES_PER_RUN:
        raise ValidationError("activities", f"may hold at most {MAX_ACTIVITIES_PER_RUN} entries.")
    status, source_status = resolve_status(
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
    fields: dict[str, Any] = {
        "id": id,
        "workspace_id": process.workspace_id,
        "process_id": process.id,
        "source": process.source,
        "source_id": check_source_id("sourceId", spec.source_id)
        if spec.source_id is not None
        else id,
        "display_name": check_name("displayName", spec.display_name, required=False),
        "status": status,
        "source_status": source_status,
        "created_date_time": created,
        "start_date_time": spec.start_date_time,
        "end_date_time": spec.end_date_time,
        "last_modified_date_time": now,
        "durations": derive_durations(
            check_durations("", spec.durations),
            created=created,
            start=spec.start_date_time,
            end=spec.end_date_time,
        ),
        "trigger": spec.trigger,
        "parameters": check_parameters("parameters", spec.parameters),
        "attempt_number": spec.attempt_number,
        "statistics": check_statistics("", spec.statistics),
        "blocking_error": check_error("", spec.blocking_error),
    }
    if spec.platform:
        fields.update(_check_platform(process.source, spec.platform))
    if overrides:
        fields.update(overrides)
    run = RUN_CLASSES[process.source](**fields)
    keys = {a.key for a in spec.activities}
    if len(keys) != len(spec.activities):
        raise ValidationError("activities", "every activity needs its own key.")
    activities = [
        _build_activity(
            a,
            index=i,
            run=run,
            id=activity_ids[i],
            keys=keys,
            now=now,
            overrides=activity_overrides(a) if activity_overrides else None,
        )
        for i, a in enumerate(spec.activities)
    ]
    return run, activities


def _progress(
    record: Run | Activity,
    patch: RunPatch | ActivityPatch,
    mapped: Callable[[str], RunStatus],
    *,
    now: datetime,
) -> dict[str, Any]:
    """Status and time changes, the same for runs and activities: a raw platform status sets the
    unified one through its map, an explicit status wins, and a finished record stays finished.
    A record that starts or finishes gets its times stamped (`stamp_transition`)."""
    changes: dict[str, Any] = {}
    status = record.status
    if patch.source_status is not UNSET:
        check_text("sourceStatus", patch.source_status, 256)
        changes["source_status"] = patch.source_status
        status = mapped(patch.source_status)
    if patch.status is not UNSET:
        status = patch.status
        if patch.source_status is UNSET:
            changes["source_status"] = status.value
    if status is not record.status:
        check_transition(record.status, status)
        changes["status"] = status
    start = record.start_date_time if patch.start_date_time is UNSET else patch.start_date_time
    end = record.end_date_time if patch.end_date_time is UNSET else patch.end_date_time
    if status is not record.status:
        start, end = stamp_transition(status, start, end, now=now)
    check_times("", record.created_date_time, start, end)
    changes["start_date_time"] = start
    changes["end_date_time"] = end
    return changes


def apply_run_patch(run: Run, patch: RunPatch, *, now: datetime) -> Run:
    """The next version of `run` with `patch` applied; illegal status changes are refused."""
    changes: dict[str, Any] = {}
    if patch.display_name is not UNSET:
        changes["display_name"] = check_name("displayName", patch.display_name, required=False)
    changes.update(_progress(run, patch, lambda raw: run_status(run.source, raw), now=now))
    start, end = changes["start_date_time"], changes["end_date_time"]
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


@record
class ActivityPatch:
    status: Patch[RunStatus] = UNSET
    source_status: Patch[str] = UNSET
    start_date_time: Patch[datetime | None] = UNSET
    end_date_time: Patch[datetime | None] = UNSET
    statistics: Patch[RunStatistics] = UNSET
    blocking_error: Patch[RunError | None] = UNSET


def apply_activity_patch(activity: Activity, patch: ActivityPatch, *, now: datetime) -> Activity:
    """The next version of `activity` with `patch` applied; illegal status changes are refused."""
    changes = _progress(activity, patch, lambda raw: activity_status(activity.kind, raw), now=now)
    if patch.statistics is not UNSET:
        changes["statistics"] = check_statistics("", patch.statistics)
    if patch.blocking_error is not UNSET:
        changes["blocking_error"] = check_error("", patch.blocking_error)
    return dataclasses.replace(
        activity, **changes, last_modified_date_time=now, version=activity.version + 1
    )

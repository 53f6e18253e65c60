"""What clients ask to create or change about processes, and the rules that turn it into records."""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.domain.checks import (
    MAX_DEFINITIONS_PER_PROCESS,
    UNSET,
    Patch,
    check_name,
    check_schedule,
    check_source_id,
    check_text,
)
from gateway.domain.exceptions import ValidationError
from gateway.domain.models import (
    ActivityDefinition,
    Process,
    Throttle,
)
from gateway.domain.sources import (
    ACTIVITY_KINDS_BY_SOURCE,
    PROCESS_KINDS_BY_SOURCE,
    ProcessKind,
    Source,
)
from gateway.domain.status import ReadinessStatus


class IfExists(enum.Enum):
    """What creating a process does when one with the same identity (workspace, source, kind and
    sourceId) exists already."""

    ERROR = "ERROR"
    RETURN_EXISTING = "RETURN_EXISTING"
    UPDATE_EXISTING = "UPDATE_EXISTING"


IF_EXISTS_DESCRIPTIONS = {
    IfExists.ERROR: "Refuse with a ConflictError that carries the existing process's id.",
    IfExists.RETURN_EXISTING: "Return the existing process as it is.",
    IfExists.UPDATE_EXISTING: "Change the existing process to match the input, and return it.",
}


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
    throttle: Throttle | None = None
    activity_definitions: tuple[ActivityDefinition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessPatch:
    display_name: Patch[str] = UNSET
    description: Patch[str | None] = UNSET
    readiness_status: Patch[ReadinessStatus] = UNSET
    schedule: Patch[str | None] = UNSET
    throttle: Patch[Throttle | None] = UNSET
    activity_definitions: Patch[tuple[ActivityDefinition, ...]] = UNSET


MAX_THROTTLE_WINDOW_SECONDS = 31 * 24 * 3600


def check_throttle_setting(value: Throttle | None) -> Throttle | None:
    if value is None:
        return None
    if not 1 <= value.max_runs <= 10_000:
        raise ValidationError("throttle.maxRuns", "must be between 1 and 10000.")
    if not 60 <= value.window_seconds <= MAX_THROTTLE_WINDOW_SECONDS:
        raise ValidationError(
            "throttle.windowSeconds", f"must be between 60 and {MAX_THROTTLE_WINDOW_SECONDS}."
        )
    return value


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
        throttle=check_throttle_setting(spec.throttle),
        activity_definitions=check_definitions(spec.source, spec.activity_definitions),
        created_date_time=now,
        last_modified_date_time=now,
    )


def patch_of(spec: ProcessSpec) -> ProcessPatch:
    """The patch that makes an existing process what `spec` describes."""
    return ProcessPatch(
        display_name=spec.display_name,
        description=spec.description,
        readiness_status=spec.readiness_status,
        schedule=spec.schedule,
        throttle=spec.throttle,
        activity_definitions=spec.activity_definitions,
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
    if patch.throttle is not UNSET:
        changes["throttle"] = check_throttle_setting(patch.throttle)
    if patch.activity_definitions is not UNSET:
        changes["activity_definitions"] = check_definitions(
            process.source, patch.activity_definitions
        )
    return dataclasses.replace(
        process, **changes, last_modified_date_time=now, version=process.version + 1
    )


# --- runs and activities ----------------------------------------------------------------------------

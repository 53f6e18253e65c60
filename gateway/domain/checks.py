"""Rules for single input fields, the limits they enforce, and the UNSET marker of patches.

Each `check_*` returns the value it was given, or raises `ValidationError` naming the field by its
API path (camelCase, `activities[2].key`).
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import datetime
from typing import Final, TypeAlias, TypeVar

import orjson

from gateway.domain.exceptions import ValidationError
from gateway.domain.models import (
    COUNTER_NAMES,
    EMPTY_STATISTICS,
    JSONValue,
    RunDurations,
    RunStatistics,
)
from gateway.domain.run_errors import RunError
from gateway.domain.schedules import check_cron
from gateway.domain.status import RunStatus

MAX_NAME_LENGTH: Final = 512
MAX_SOURCE_ID_LENGTH: Final = 256
MAX_TEXT_LENGTH: Final = 8192
MAX_PARAMETERS_BYTES: Final = 64 * 1024
MAX_ACTIVITIES_PER_RUN: Final = 500
MAX_DEFINITIONS_PER_PROCESS: Final = 500
MAX_METRICS: Final = 200


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
    if len(fields) != 5:
        raise ValidationError(
            path, "must be a cron expression of five fields, such as '0 */12 * * *'."
        )
    return check_cron(path, " ".join(fields))


def check_times(path: str, created: datetime, start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(f"{path}endDateTime", "must not be before startDateTime.")
    if end is not None and start is None:
        raise ValidationError(f"{path}startDateTime", "is required when endDateTime is given.")
    del created  # a platform may report a start before our record of its creation


def check_statistics(path: str, value: RunStatistics) -> RunStatistics:
    if value is EMPTY_STATISTICS:  # most records have none
        return value
    for name in COUNTER_NAMES:
        if getattr(value, name) < 0:
            raise ValidationError(f"{path}statistics.{name}", "must be 0 or more.")
    if len(value.metrics) + len(value.entities) + len(value.roles) > MAX_METRICS:
        raise ValidationError(f"{path}statistics", f"may hold at most {MAX_METRICS} metrics.")
    return value


_DURATION_NAMES = tuple(f.name for f in dataclasses.fields(RunDurations))


def check_durations(path: str, value: RunDurations) -> RunDurations:
    for name in _DURATION_NAMES:
        ms = getattr(value, name)
        if ms is not None and ms < 0:
            raise ValidationError(f"{path}durations.{camel(name)}", "must be 0 or more.")
    return value


def check_error(path: str, value: RunError | None) -> RunError | None:
    if value is None:
        return None
    if not value.code.strip():
        raise ValidationError(f"{path}blockingError.code", "must not be empty.")
    check_text(f"{path}blockingError.message", value.message)
    return value


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def resolve_status(
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

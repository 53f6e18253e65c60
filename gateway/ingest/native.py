"""The gateway's own format: NDJSON, one record a line, written by `gateway export` and read back
by `gateway import --format gateway`, losslessly (export, import into an empty database, export
again: the same bytes).

    {"type": "workspace", "id": "ws_…", "displayName": …, …}
    {"type": "process", "id": "proc_…", "workspaceId": …, "source": "DATABRICKS", …}
    {"type": "run", "id": "run_…", "processId": …, "status": "FAILED", …, "version": 3}
    {"type": "activity", "id": "act_…", "runId": "run_…", …}      (right after its run)

Every field of the domain record is written, in the record's field order, under its GraphQL name
(camelCase): ids, versions (the eTag is `W/"<version>"`), times as ISO 8601 UTC to the microsecond,
enums by name, statistics, errors and lineage. Platform fields of a run follow the common ones.
Reading is strict: an unknown field or a value of the wrong type fails the record.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import UTC, datetime
from functools import cache
from typing import Any

from gateway.domain.ids import IdKind, kind_of
from gateway.domain.imports import NativeRun, Record, RecordError, RecordFailure
from gateway.domain.models import (
    ACTIVITY_CLASSES,
    RUN_CLASSES,
    Activity,
    Process,
    Run,
    Workspace,
)
from gateway.domain.sources import ActivityKind, Source
from gateway.ingest.reader import Raw
from gateway.platforms.values import parse_iso

RECORD_TYPES: dict[type, str] = {Workspace: "workspace", Process: "process"}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _time(value: datetime) -> str:
    # Always six fractional digits, so that equal times are equal text.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode(value: Any) -> Any:
    """A domain value as JSON: dataclasses as objects with camelCase keys, enums by name, times as
    ISO 8601 UTC with microseconds."""
    if value is None or isinstance(value, str | int | float):
        return value
    if hasattr(value, "__dataclass_fields__"):
        names = _names(value.__class__)
        return {camel: encode(getattr(value, name)) for name, camel in names}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return _time(value)
    if isinstance(value, tuple | list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    return value


@cache
def _names(cls: Any) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, _camel(f.name)) for f in dataclasses.fields(cls))


def record_line(record: Workspace | Process | Run | Activity) -> dict[str, Any]:
    """The export line of a record: its type, then its fields."""
    if isinstance(record, Run):
        kind = "run"
    elif isinstance(record, Activity):
        kind = "activity"
    else:
        kind = RECORD_TYPES[type(record)]
    return {"type": kind, **encode(record)}


@cache
def _fields(cls: type) -> dict[str, tuple[str, Any, bool]]:
    """camelCase name -> (attribute, type, required) of a dataclass."""
    hints = typing.get_type_hints(cls)
    return {
        _camel(f.name): (
            f.name,
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
        if f.init
    }


def _decode(kind: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(kind)
    if kind is Any:
        return value
    if origin in (types.UnionType, typing.Union):
        if value is None:
            if type(None) in typing.get_args(kind):
                return None
            raise RecordError(f"{path}: must not be null.")
        (inner,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _decode(inner, value, path)
    if value is None:
        raise RecordError(f"{path}: must not be null.")
    if origin is tuple:
        if not isinstance(value, list):
            raise RecordError(f"{path}: must be a list.")
        inner = typing.get_args(kind)[0]
        return tuple(_decode(inner, v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise RecordError(f"{path}: must be an object.")
        return dict(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            raise RecordError(f"{path}: {value!r} is not a {kind.__name__}.") from None
    if kind is datetime:
        if not isinstance(value, str):
            raise RecordError(f"{path}: must be an ISO 8601 date and time.")
        return parse_iso(path, value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return decode_object(kind, value, path)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if kind is bool and isinstance(value, bool):
        return value
    if kind in (int, str) and isinstance(value, kind) and not isinstance(value, bool):
        return value
    raise RecordError(f"{path}: must be of type {getattr(kind, '__name__', kind)}.")


def decode_object(cls: type, value: Any, path: str = "") -> Any:
    """A dataclass of `cls` from its JSON object (strict: unknown fields are refused)."""
    if not isinstance(value, dict):
        raise RecordError(f"{path or 'record'}: must be an object.")
    fields = _fields(cls)
    prefix = f"{path}." if path else ""
    unknown = sorted(set(value) - set(fields) - ({"type"} if not path else set()))
    if unknown:
        raise RecordError(f"{prefix}{unknown[0]}: is not a field of {cls.__name__}.")
    kwargs = {}
    for name, (attribute, kind, required) in fields.items():
        if name in value:
            kwargs[attribute] = _decode(kind, value[name], prefix + name)
        elif required:
            raise RecordError(f"{prefix}{name}: is required.")
    return cls(**kwargs)


def _enum_field(value: dict[str, Any], name: str, kind: type[enum.Enum]) -> Any:
    try:
        return kind(value.get(name))
    except ValueError:
        raise RecordError(f"{name}: {value.get(name)!r} is not a {kind.__name__}.") from None


def _id(value: dict[str, Any], kind: IdKind) -> None:
    if kind_of(str(value.get("id", ""))) is not kind:
        raise RecordError(f"id: {value.get('id')!r} is not a {kind.name.lower()} id.")


def decode_line(value: Any) -> Record | Activity:
    """One export line as its record (a run without its activities, or an activity)."""
    if not isinstance(value, dict):
        raise RecordError("a line must be a JSON object.")
    kind = value.get("type")
    if kind == "workspace":
        return typing.cast(Workspace, decode_object(Workspace, value))
    if kind == "process":
        _id(value, IdKind.PROCESS)
        return typing.cast(Process, decode_object(Process, value))
    if kind == "run":
        _id(value, IdKind.RUN)
        run_class = RUN_CLASSES[_enum_field(value, "source", Source)]
        return NativeRun(run=decode_object(run_class, value))
    if kind == "activity":
        _id(value, IdKind.ACTIVITY)
        activity_class = ACTIVITY_CLASSES[_enum_field(value, "kind", ActivityKind)]
        return typing.cast(Activity, decode_object(activity_class, value))
    raise RecordError(f"type: must be workspace, process, run or activity; it is {kind!r}.")


class NativeParser:
    """Groups each run line with the activity lines that follow it."""

    def __init__(self) -> None:
        self._pending: tuple[str, NativeRun, list[Activity]] | None = None
        self._failed_run: str | None = None

    def _flush(self) -> list[tuple[str, Record]]:
        if self._pending is None:
            return []
        position, native, acts = self._pending
        self._pending = None
        return [(position, dataclasses.replace(native, activities=tuple(acts)))]

    def parse(self, raw: Raw) -> list[tuple[str, Record] | RecordFailure]:
        try:
            record = decode_line(raw.value)
        except RecordError as exc:
            if isinstance(raw.value, dict) and raw.value.get("type") == "run":
                self._failed_run = str(raw.value.get("id"))
            out: list[tuple[str, Record] | RecordFailure] = [*self._flush()]
            if not (
                isinstance(raw.value, dict)
                and raw.value.get("type") == "activity"
                and raw.value.get("runId") == self._failed_run
            ):
                out.append(RecordFailure(raw.position, str(exc)))
            return out
        if isinstance(record, Activity):
            if self._pending is not None and self._pending[1].run.id == record.run_id:
                self._pending[2].append(record)
                return []
            if record.run_id == self._failed_run:
                return []  # its run failed, and says so
            return [
                *self._flush(),
                RecordFailure(raw.position, "an activity line must follow its run's line."),
            ]
        out = [*self._flush()]
        if isinstance(record, NativeRun):
            self._pending = (raw.position, record, [])
            self._failed_run = None
            return out
        return [*out, (raw.position, record)]

    def close(self) -> list[tuple[str, Record] | RecordFailure]:
        return [*self._flush()]

"""Reading single values out of a platform record: typed getters that raise `RecordError` naming
the field, and the time formats the platforms use (ISO 8601, epoch milliseconds, epoch seconds)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.domain.imports import RecordError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
Json = Mapping[str, Any]


# Each getter answers the common case (the exact JSON type) first: a sync maps tens of fields a
# run, and the general checks cost as much again as the mapping itself.


def obj(record: Json, name: str) -> Json | None:
    value = record.get(name)
    if type(value) is dict:
        return value
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise RecordError(f"{name}: must be an object.")
    return value


def objects(record: Json, name: str) -> list[Json]:
    value = record.get(name)
    if type(value) is list and all(type(v) is dict for v in value):
        return value
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise RecordError(f"{name}: must be a list of objects.")
    return value


def text(record: Json, name: str, *, required: bool = False) -> str | None:
    value = record.get(name)
    if type(value) is str:
        return value
    if value is None:
        if required:
            raise RecordError(f"{name}: is required.")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RecordError(f"{name}: must be a string.")
    return str(value)


def required_text(record: Json, name: str) -> str:
    value = text(record, name)
    if not value or not value.strip():
        raise RecordError(f"{name}: is required.")
    return value


def integer(record: Json, name: str) -> int | None:
    value = record.get(name)
    if type(value) is int:
        return value
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise RecordError(f"{name}: must be a whole number.")
    return int(value)


def boolean(record: Json, name: str) -> bool | None:
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise RecordError(f"{name}: must be true or false.")
    return value


def iso_time(record: Json, name: str) -> datetime | None:
    """An ISO 8601 time (`Z` or an offset; no offset is UTC), to the microsecond."""
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{name}: must be an ISO 8601 date and time.")
    return parse_iso(name, value)


def parse_iso(name: str, value: str) -> datetime:
    raw = value.strip()
    # Seven fractional digits (.NET's ticks, as Data Factory writes them) to six.
    head, dot, tail = raw.partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        tail = tail[: min(digits, 6)] + tail[digits:]
        raw = f"{head}.{tail}" if digits else head + tail[digits:]
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise RecordError(f"{name}: {value!r} is not an ISO 8601 date and time.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def epoch_ms(record: Json, name: str) -> datetime | None:
    """Milliseconds since the epoch (Databricks); 0 means not yet (a running run's end_time)."""
    value = integer(record, name)
    if not value:
        return None
    return _EPOCH + timedelta(milliseconds=value)


def aws_time(record: Json, name: str) -> datetime | None:
    """An AWS timestamp: epoch seconds (the JSON protocol) or ISO 8601 (the CLI's output)."""
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool):
        raise RecordError(f"{name}: must be a time.")
    if isinstance(value, int | float):
        return _EPOCH + timedelta(microseconds=round(value * 1_000_000))
    if isinstance(value, str):
        return parse_iso(name, value)
    raise RecordError(f"{name}: must be a time.")


def milliseconds(record: Json, name: str) -> int | None:
    value = integer(record, name)
    if value is not None and value < 0:
        raise RecordError(f"{name}: must be 0 or more.")
    return value

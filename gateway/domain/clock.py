"""Time: the store keeps integer microseconds since the epoch, UTC; the domain keeps aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def utc_now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (a naive one is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return (value - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    """The aware UTC datetime of microseconds since the epoch."""
    return _EPOCH + timedelta(microseconds=value)


def optional_micros(value: datetime | None) -> int | None:
    return None if value is None else to_micros(value)


def optional_datetime(value: int | None) -> datetime | None:
    return None if value is None else from_micros(value)


def iso(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as the API speaks it."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text

"""Scalars: `DateTime` speaks ISO 8601 and answers in UTC with a `Z`; `JSON` is any JSON value."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from gateway.domain.clock import iso


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string, such as 2026-01-01T00:00:00Z.")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO 8601 date-time with an offset, such as 2026-01-01T00:00:00Z."
        ) from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no offset; add Z for UTC or +hh:mm.")
    return parsed.astimezone(UTC)


DateTime = strawberry.scalar(
    name="DateTime",
    description="A date and time in ISO 8601 with an offset. The API answers in UTC, with `Z`.",
    serialize=iso,
    parse_value=_parse_datetime,
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339",
)

SCALAR_OVERRIDES: dict[object, Any] = {datetime: DateTime}

__all__ = ["JSON", "SCALAR_OVERRIDES", "DateTime"]

"""Scalars: `DateTime` speaks ISO 8601 and answers in UTC with a `Z`; `JSON` is any JSON value;
`Milliseconds` is a whole number of milliseconds past GraphQL's 32-bit `Int` (a streaming job runs
for months: 2^31 ms is under 25 days)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NewType

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

MILLISECONDS_MAX = 2**53 - 1  # the largest integer a JSON number keeps exactly in every client


def _milliseconds(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"Milliseconds must be a whole number, not {value!r}.")
    number: int = value
    if not -MILLISECONDS_MAX <= number <= MILLISECONDS_MAX:
        raise ValueError(f"Milliseconds must be within ±{MILLISECONDS_MAX} (2^53 - 1).")
    return number


Milliseconds = NewType("Milliseconds", int)  # as a field's graphql_type; its Python values are int

_MILLISECONDS = strawberry.scalar(
    name="Milliseconds",
    description="A duration in whole milliseconds: a JSON integer up to 2^53 - 1, past the 32-bit "
    "range of `Int` (under 25 days), so months-long runs such as streaming jobs are represented.",
    serialize=_milliseconds,
    parse_value=_milliseconds,
)

SCALAR_OVERRIDES: dict[object, Any] = {datetime: DateTime, Milliseconds: _MILLISECONDS}

__all__ = ["JSON", "SCALAR_OVERRIDES", "DateTime", "Milliseconds"]

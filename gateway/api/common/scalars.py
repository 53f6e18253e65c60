"""Scalars: `DateTime` speaks ISO 8601 and answers in UTC with a `Z`; `JSON` is any JSON value;
`Milliseconds` is a whole number of milliseconds past GraphQL's 32-bit `Int` (a streaming job runs
for months: 2^31 ms is under 25 days); `SafeInt` any other whole number that can pass it (a
Databricks `job_id` is 64-bit, often 16 digits)."""

from __future__ import annotations

from collections.abc import Callable
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

SAFE_INT_MAX = 2**53 - 1  # the largest integer a JSON number keeps exactly in every client


def _whole_number(scalar: str) -> Callable[[Any], int]:
    """The serializer and parser of a whole-number scalar exact to ±(2^53 - 1)."""

    def check(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{scalar} must be a whole number, not {value!r}.")
        number: int = value
        if not -SAFE_INT_MAX <= number <= SAFE_INT_MAX:
            raise ValueError(f"{scalar} must be within ±{SAFE_INT_MAX} (2^53 - 1).")
        return number

    return check


Milliseconds = NewType("Milliseconds", int)  # as a field's graphql_type; its Python values are int
SafeInt = NewType("SafeInt", int)  # likewise

_MILLISECONDS = strawberry.scalar(
    name="Milliseconds",
    description="A duration in whole milliseconds: a JSON integer up to 2^53 - 1, past the 32-bit "
    "range of `Int` (under 25 days), so months-long runs such as streaming jobs are represented.",
    serialize=_whole_number("Milliseconds"),
    parse_value=_whole_number("Milliseconds"),
)

_SAFE_INT = strawberry.scalar(
    name="SafeInt",
    description="A whole number within ±(2^53 - 1), a JSON integer every client reads exactly: the "
    "platforms' 64-bit numbers (a Databricks `job_id`, a run's record counters) pass the 32-bit "
    "range of `Int`.",
    serialize=_whole_number("SafeInt"),
    parse_value=_whole_number("SafeInt"),
)

SCALAR_OVERRIDES: dict[object, Any] = {
    datetime: DateTime,
    Milliseconds: _MILLISECONDS,
    SafeInt: _SAFE_INT,
}

__all__ = ["JSON", "SCALAR_OVERRIDES", "DateTime", "Milliseconds", "SafeInt"]

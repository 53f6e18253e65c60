"""Literal text to values: OData 4.01 ABNF primitiveLiteral forms (Part 2 §5.1.1.6.1, ABNF §6).

Every function raises ``ValueError`` with a client-readable message; the parser turns it into an
``ODataError`` at the literal's position.
"""

from __future__ import annotations

import datetime as dt
import re

from .limits import MAX_STRING_LITERAL

__all__ = ["parse_date", "parse_datetime", "parse_duration", "parse_string", "parse_time"]

INT64_MAX = 2**63 - 1
US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?(Z|[+-]\d{2}:\d{2})",
    re.IGNORECASE,
)
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,12}))?)?")
# Edm.Duration is a day-time duration: no years or months (ABNF durationValue).
_DURATION = re.compile(
    r"([+-])?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d{1,12}))?S)?)?", re.IGNORECASE
)


def _fraction_micros(frac: str | None) -> int:
    """Fractional seconds to microseconds, truncating digits past the sixth."""
    return int((frac or "").ljust(6, "0")[:6])


def _micros(value: dt.datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * US_PER_SECOND + delta.microseconds


def parse_string(token: str) -> str:
    """'it''s' -> it's."""
    body = token[1:-1].replace("''", "'")
    if len(body) > MAX_STRING_LITERAL:
        raise ValueError(f"string literal longer than {MAX_STRING_LITERAL} characters")
    if "\x00" in body:
        raise ValueError("string literal contains a NUL character")
    return body


def parse_datetime(token: str) -> int:
    """DateTimeOffset with any offset -> microseconds since the epoch, UTC."""
    m = _DATETIME.fullmatch(token)
    if m is None:
        raise ValueError(f"not a DateTimeOffset: {token}")
    year, month, day, hour, minute = (int(m.group(i)) for i in range(1, 6))
    second = int(m.group(6) or 0)
    zone = m.group(8).upper()
    if zone == "Z":
        tz = dt.UTC
    else:
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 14 or minutes > 59:
            raise ValueError(f"time-zone offset out of range: {zone}")
        tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    try:
        value = dt.datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"not a valid date-time: {exc}") from None
    return _micros(value) + _fraction_micros(m.group(7))


def parse_date(token: str) -> int:
    """Date -> microseconds at midnight UTC."""
    try:
        value = dt.datetime.strptime(token, "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError:
        raise ValueError(f"not a valid date: {token}") from None
    return _micros(value)


def parse_time(token: str) -> int:
    """TimeOfDay -> microseconds since midnight."""
    m = _TIME.fullmatch(token)
    if m is None:
        raise ValueError(f"not a TimeOfDay: {token}")
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"not a valid time of day: {token}")
    return ((hour * 60 + minute) * 60 + second) * US_PER_SECOND + _fraction_micros(m.group(4))


def parse_duration(body: str) -> int:
    """ISO 8601 day-time duration (P1DT2H30M, -PT0.5S) -> microseconds."""
    m = _DURATION.fullmatch(body)
    if m is None or not any(m.group(i) for i in range(2, 6)) or body.upper().endswith("T"):
        raise ValueError(
            f"not an ISO 8601 day-time duration: {body!r} (use days, hours, minutes, seconds,"
            " e.g. P1DT2H30M)"
        )
    days, hours, minutes, seconds = (int(m.group(i) or 0) for i in range(2, 6))
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    us = total * US_PER_SECOND + _fraction_micros(m.group(6))
    if us > INT64_MAX:
        raise ValueError("duration out of range")
    return -us if m.group(1) == "-" else us

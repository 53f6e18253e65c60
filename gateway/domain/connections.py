"""Connections to the platforms and the reports of their syncs: the records and the rules of their
fields, with no I/O.

A connection names the environment variable that holds its credential, never the credential; its
`watermark` is how far its last complete pass got, in the platform client's own terms.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from gateway.domain.exceptions import ValidationError

DEFAULT_INTERVAL = timedelta(minutes=5)
MIN_INTERVAL = timedelta(seconds=10)
MAX_INTERVAL = timedelta(days=7)
MAX_OPTIONS = 20
MAX_OPTION_LENGTH = 1000
REPORTS_KEPT = 50
"""How many sync reports a connection keeps (the oldest go first)."""

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_OPTION = re.compile(r"[a-z][a-z0-9-]{0,63}")
_INTERVAL = re.compile(r"(\d+)\s*(s|m|h|d)?")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SyncStatus(enum.Enum):
    """How a sync pass ended."""

    SUCCEEDED = "SUCCEEDED"
    PARTIALLY_SUCCEEDED = "PARTIALLY_SUCCEEDED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    """What one sync pass of a connection did."""

    id: str
    connection_id: str
    status: SyncStatus
    started_date_time: datetime
    ended_date_time: datetime
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    error_code: str | None = None
    error_message: str | None = None
    failures: tuple[tuple[str, str], ...] = ()
    """(position, message) of the first records that failed."""

    @property
    def duration(self) -> timedelta:
        return self.ended_date_time - self.started_date_time

    def line(self) -> str:
        counts = (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"failed {self.failed}"
        )
        if self.error_message:
            return f"{counts}; {self.error_message}"
        return counts


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    id: str
    workspace_id: str
    name: str
    platform: str
    endpoint: str
    options: Mapping[str, str] = field(default_factory=dict)
    credential_env: str | None = None
    interval: timedelta = DEFAULT_INTERVAL
    watermark: str | None = None
    created_date_time: datetime
    last_modified_date_time: datetime


def check_connection_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValidationError(
            "name",
            "must be 1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.",
        )
    return value


def check_endpoint(value: str) -> str:
    """A base URL: http or https, a host, no user or password, no query; no trailing slash."""
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ValidationError("endpoint", "is not a URL.") from None
    del port
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("endpoint", "must be an http:// or https:// URL with a host.")
    if parts.username or parts.password:
        raise ValidationError(
            "endpoint",
            "must not hold a user or password: name the environment variable of the credential "
            "with --credential-env.",
        )
    if parts.query or parts.fragment:
        raise ValidationError("endpoint", "must not have a query or fragment.")
    return value.strip().rstrip("/")


def check_credential_env(value: str | None) -> str | None:
    if value is not None and not _ENV.fullmatch(value):
        raise ValidationError(
            "credentialEnv",
            "must be the name of an environment variable (letters, digits and '_'), not its value.",
        )
    return value


def check_options(value: Mapping[str, str]) -> dict[str, str]:
    if len(value) > MAX_OPTIONS:
        raise ValidationError("options", f"at most {MAX_OPTIONS}.")
    for key, text in value.items():
        if not _OPTION.fullmatch(key):
            raise ValidationError("options", f"{key!r} is not an option name (like data-source).")
        if len(text) > MAX_OPTION_LENGTH:
            raise ValidationError("options", f"{key}: at most {MAX_OPTION_LENGTH} characters.")
    return dict(value)


def parse_interval(value: str) -> timedelta:
    """`30s`, `5m`, `1h`, `1d` or plain seconds, between `MIN_INTERVAL` and `MAX_INTERVAL`."""
    match = _INTERVAL.fullmatch(value.strip().lower())
    if not match:
        raise ValidationError("interval", f"{value!r} is not an interval like 30s, 5m or 1h.")
    interval = timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2) or "s"])
    return check_interval(interval)


def check_interval(interval: timedelta) -> timedelta:
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise ValidationError(
            "interval",
            f"must be between {int(MIN_INTERVAL.total_seconds())} s and "
            f"{int(MAX_INTERVAL.total_seconds() // 86400)} days.",
        )
    return interval


def format_interval(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"

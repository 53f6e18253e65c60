"""Log lines as JSON objects, one per line, each with the id of the request it belongs to.

`gateway serve` logs this way by default (`GATEWAY_LOG_FORMAT=json`; `text` keeps uvicorn's plain
lines): every line has `time` (UTC, ISO 8601), `level`, `logger` and `message`, the `requestId`
of the request being served when it was written (the id the client gets in `X-Request-Id` and in
every error it sees, `gateway.http.errors.with_request_id`), and `exception` with the trace for an unexpected
error. An access-log line carries its own fields (`gateway.http.access_log`) instead of a message.

This module imports nothing of the gateway's, so the HTTP middleware may set the request id.
"""

from __future__ import annotations

import contextvars
import logging
from datetime import UTC, datetime
from typing import Any

import orjson

__all__ = ["FIELDS", "LOG_FORMATS", "REQUEST_ID", "JsonFormatter", "logging_config"]

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "gateway_request_id", default=None
)
"""The id of the request the current task serves (set by the access-log middleware)."""

FIELDS = "json_fields"
"""The `extra` key of a record whose fields are the line (instead of a `message`)."""

LOG_FORMATS = ("json", "text")


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
        request_id = REQUEST_ID.get()
        if request_id is not None and "requestId" not in entry:
            entry["requestId"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return orjson.dumps(entry, default=str).decode()


def logging_config(level: str, log_format: str) -> dict[str, Any] | None:
    """A `logging.config.dictConfig` for the server (uvicorn's `log_config`): every logger's
    lines as JSON on standard error; None for `text` (uvicorn's own configuration)."""
    if log_format != "json":
        return None
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": upper},
        "loggers": {
            "uvicorn": {"handlers": [], "level": upper, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": upper, "propagate": True},
            "uvicorn.access": {"handlers": [], "level": upper, "propagate": True},
            "gateway.access": {"handlers": [], "level": "INFO", "propagate": True},
        },
    }

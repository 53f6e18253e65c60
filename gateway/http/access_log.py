"""The access log: one JSON line per request on the `gateway.access` logger, with the time, the
request id, the token id (never the token), its workspaces, the GraphQL operation's name and cost, the
status, the error codes and the duration; and counts it in the request metrics (`gateway.metrics`). Also gives every request an id (the caller's sane
`X-Request-Id`, else a new one) and echoes it in the response."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.state import PRINCIPAL, REPORT, REQUEST_ID, header, new_request_id, state_of
from gateway.logs import FIELDS
from gateway.logs import REQUEST_ID as REQUEST_ID_OF_LOGS
from gateway.metrics import observe_request

log = logging.getLogger("gateway.access")


class AccessLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state = state_of(scope)
        request_id = new_request_id(header(scope, b"x-request-id"))
        state[REQUEST_ID] = request_id
        serving = REQUEST_ID_OF_LOGS.set(request_id)
        report: dict[str, Any] = {}
        state[REPORT] = report
        status = 0
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            elif message["type"] == "websocket.accept":
                status = 101
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            elif message["type"] == "websocket.close" and not status:
                status = 403
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except BaseException:
            status = 500
            raise
        finally:
            seconds = time.perf_counter() - started
            outcome = _outcome(status, report)
            websocket = scope["type"] == "websocket"  # it lasts as long as its subscriptions
            observe_request(
                scope.get("path", ""),
                report.get("operation"),
                outcome,
                None if websocket else seconds,
            )
            if log.isEnabledFor(logging.INFO):  # else the line is not built at all
                _write(scope, state, report, request_id, status, seconds, outcome)
            REQUEST_ID_OF_LOGS.reset(serving)


def _write(
    scope: Scope,
    state: dict[str, Any],
    report: dict[str, Any],
    request_id: str,
    status: int,
    seconds: float,
    outcome: str,
) -> None:
    principal = state.get(PRINCIPAL)
    workspaces: Any = None
    if principal is not None:
        ids = principal.workspaces.ids
        workspaces = "all" if ids is None else sorted(ids)
    entry = {
        "time": _now(),
        "requestId": request_id,
        "method": scope.get("method", "WEBSOCKET"),
        "path": scope.get("path"),
        "status": status,
        "durationMs": round(seconds * 1000, 2),
        "tokenId": principal.token_id if principal is not None else None,
        "workspaces": workspaces,
        "operation": report.get("operation"),
        "cost": report.get("cost"),
        "outcome": outcome,
        "errors": report.get("errors") or None,
    }
    log.info("%s", _Line(entry), extra={FIELDS: entry})


class _Line:
    """The line's JSON text as the record's message, made only when a handler formats the
    message: the server's JSON formatter writes the fields (`FIELDS`) and never asks for it."""

    __slots__ = ("entry",)

    def __init__(self, entry: dict[str, Any]) -> None:
        self.entry = entry

    def __str__(self) -> str:
        return orjson.dumps(self.entry).decode()


def _now() -> str:
    """The time the line is written: ISO 8601, UTC, to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _outcome(status: int, report: dict[str, Any]) -> str:
    """ok, partial (data with errors), refused (4xx, or a GraphQL request error) or failed."""
    if status >= 500:
        return "failed"
    if status >= 400 or (status != 101 and status < 200) or report.get("refused"):
        return "refused"
    return "partial" if report.get("errors") else "ok"

"""OData error responses (OData JSON Format 4.01, §21 "Error Response"): one exception the
endpoint raises, `RequestError`, and the translation of every gateway error into the body
`{"error": {"code", "message", "target", "details": [...], "innererror": {...}}}`.

A query-language error keeps its position (`innererror.position`, and a caret in the message) and
names the option it came from as `target` (`$filter`, `$orderby`, `$search`). Errors the client did
not cause are masked: the message names the request id, the log has the trace; no stack trace, SQL
text or file path reaches a client. Every error body carries the request id as
`innererror.requestId`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

from gateway.domain.exceptions import (
    ConflictError,
    GatewayError,
    IdempotencyKeyReusedError,
    InvalidArgumentError,
    InvalidTransitionError,
    NotFoundError,
    PreconditionFailedError,
    ProcessNotReadyError,
    QueryTimeoutError,
    StoreBusyError,
    StoreError,
    ThrottledError,
    ValidationError,
)
from gateway.odata import ODataError

log = logging.getLogger("gateway.odata_http")

ODATA_VERSION = "4.01"
JSON_MEDIA = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false"


class RequestError(Exception):
    """A request the endpoint refuses, with its HTTP status and OData error fields."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        details: list[dict[str, Any]] | None = None,
        inner: dict[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.details = details or []
        self.inner = inner
        self.headers = dict(headers or {})

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        """The OData error body; `request_id` goes in `innererror.requestId`."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target is not None:
            error["target"] = self.target
        error["details"] = self.details
        inner = {**(self.inner or {}), **({"requestId": request_id} if request_id else {})}
        if inner:
            error["innererror"] = inner
        return {"error": error}


def not_found(what: str) -> RequestError:
    return RequestError(404, "NOT_FOUND", f"{what} was not found.")


def bad_option(option: str, message: str, code: str = "INVALID_QUERY_OPTION") -> RequestError:
    return RequestError(400, code, message, target=option)


def from_query_error(exc: ODataError, option: str) -> RequestError:
    """A compiler error of `option`'s text, with its position."""
    inner: dict[str, Any] = {"position": exc.position}
    if exc.expected:
        inner["expected"] = list(exc.expected)
    detail: dict[str, Any] = {"code": exc.code.value, "message": exc.message, "target": option}
    if exc.position is not None:
        detail["position"] = exc.position
    return RequestError(
        400, exc.code.value, exc.render(), target=option, details=[detail], inner=inner
    )


_ARGUMENTS = {"first": "$top", "last": "$top", "after": "$skiptoken", "before": "$skiptoken"}


def translate(exc: BaseException, request_id: str, option: str | None = None) -> RequestError:
    """The OData error for any exception a handler let through; unexpected ones are masked."""
    if isinstance(exc, RequestError):
        return exc
    if isinstance(exc, ODataError):
        return from_query_error(exc, option or "$filter")
    if isinstance(exc, InvalidArgumentError):
        target = _ARGUMENTS.get(exc.argument, option or exc.argument)
        return RequestError(400, exc.code, exc.message, target=target)
    if isinstance(exc, NotFoundError):
        return RequestError(404, exc.code, exc.message)
    if isinstance(exc, PreconditionFailedError):
        return RequestError(
            412,
            exc.code,
            exc.message,
            target="If-Match",
            inner={"currentETag": exc.current_e_tag},
            headers={"etag": exc.current_e_tag},
        )
    if isinstance(exc, ValidationError):
        return RequestError(400, exc.code, exc.message, target=exc.field)
    if isinstance(exc, InvalidTransitionError | ConflictError | ProcessNotReadyError):
        return RequestError(409, exc.code, exc.message)
    if isinstance(exc, IdempotencyKeyReusedError):
        return RequestError(422, exc.code, exc.message, target="idempotencyKey")
    if isinstance(exc, ThrottledError):
        return RequestError(
            429, exc.code, exc.message, headers={"retry-after": str(exc.retry_after_seconds)}
        )
    if isinstance(exc, QueryTimeoutError):
        return RequestError(503, exc.code, exc.message, inner={"limit": "statementTimeMs"})
    if isinstance(exc, StoreBusyError):
        return RequestError(503, exc.code, "The store is busy; retry shortly.")
    if isinstance(exc, GatewayError) and not isinstance(exc, StoreError):
        return RequestError(400, exc.code, exc.message)
    log.error(
        "unexpected error in OData request %s",
        request_id,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    return RequestError(
        500,
        "INTERNAL_SERVER_ERROR",
        f"Internal server error. Quote request id {request_id} when reporting it.",
        inner={"requestId": request_id},
    )


def error_response(error: RequestError, request_id: str | None = None) -> Response:
    """The response of an OData error: every one names the request id the client quotes (that of
    `X-Request-Id` and the log lines) as `innererror.requestId`."""
    headers = {"odata-version": ODATA_VERSION, **error.headers}
    return Response(
        orjson.dumps(error.body(request_id)),
        status_code=error.status,
        headers=headers,
        media_type="application/json",
    )

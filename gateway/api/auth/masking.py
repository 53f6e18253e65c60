"""Errors in GraphQL responses: query-argument errors carry `extensions.code` (and the
conventional `classification: BAD_USER_INPUT`, so generic clients and tools tell them from
server failures); GraphQL validation errors get `GRAPHQL_VALIDATION_FAILED`; anything unexpected
is masked, so no stack trace, SQL or path reaches a client. The log gets the trace; an error the
client caused is logged as one line (`log_errors`)."""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from gateway.api.common.request_errors import with_code
from gateway.domain.exceptions import (
    GatewayError,
    InvalidArgumentError,
    QueryTimeoutError,
    StorageFaultError,
    StoreError,
)
from gateway.logs import FIELDS
from gateway.odata import ODataError

log = logging.getLogger("gateway.errors")

BAD_USER_INPUT = "BAD_USER_INPUT"


def client_extensions(exc: BaseException) -> dict[str, Any] | None:
    """`extensions` for an error the client caused and may see, or None to mask it."""
    if isinstance(exc, ODataError):
        return {
            "code": exc.code.value,
            "position": exc.position,
            "expected": list(exc.expected),
            "classification": BAD_USER_INPUT,
        }
    if isinstance(exc, InvalidArgumentError):
        return {"code": exc.code, "argument": exc.argument, "classification": BAD_USER_INPUT}
    if isinstance(exc, QueryTimeoutError):
        return {"code": exc.code, "limit": "statementTimeMs", "max": exc.limit_ms}
    if isinstance(exc, StorageFaultError):  # the client can act on it: wait, or tell an operator
        return {"code": exc.code}
    if isinstance(exc, GatewayError) and not isinstance(exc, StoreError):
        return {"code": exc.code}
    return None


def log_errors(errors: list[GraphQLError]) -> None:
    """Log each error of a request once: one line for an error the client caused (a bad filter,
    a bad cursor, a validation error: nothing is wrong with the server, so no trace), the trace
    for an unexpected error outside execution; one inside execution is logged, with its trace,
    where it is masked (`GatewayErrors`)."""
    for error in errors:
        original = error.original_error
        if original is not None and not isinstance(original, GraphQLError):
            extensions = client_extensions(original)
            if extensions is None:
                if error.path is None:
                    log.error(
                        "unexpected error: %s",
                        error.message,
                        exc_info=(type(original), original, original.__traceback__),
                    )
                continue
            code = str(extensions["code"])
        else:
            code = str((error.extensions or {}).get("code") or "GRAPHQL_VALIDATION_FAILED")
        text = error.message.splitlines()[0] if error.message else ""
        message = f"request refused: {code}: {text}"
        log.info("%s", message, extra={FIELDS: {"message": message, "code": code}})


class GatewayErrors(MaskErrors):
    """Keep client errors with their code; mask the rest behind the request id."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        context = self.execution_context.context
        request_id = getattr(context, "request_id", "unknown")
        processed = []
        for error in map(with_code, errors):  # a parse error keeps the parser's code
            original = error.original_error
            if original is None or error.path is None or isinstance(original, GraphQLError):
                # request errors (syntax, validation, variable coercion) are the client's to see
                if error.path is None and not (error.extensions or {}).get("code"):
                    error.extensions = {
                        **(error.extensions or {}),
                        "code": "GRAPHQL_VALIDATION_FAILED",
                    }
                processed.append(error)
                continue
            extensions = client_extensions(original)
            if extensions is None:
                log.error(
                    "unexpected error in request %s at %s",
                    request_id,
                    error.path,
                    exc_info=(type(original), original, original.__traceback__),
                )
                message = f"Internal server error. Quote request id {request_id} when reporting it."
                extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
            else:
                message = (
                    original.render()
                    if isinstance(original, ODataError)
                    else getattr(original, "message", str(original))
                )
            processed.append(
                GraphQLError(
                    message,
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                    extensions=extensions,
                )
            )
        return processed

"""Request errors answered before GraphQL runs, in the shape of a GraphQL response, so clients
read every error the same way: `{"errors": [{"message", "extensions": {"code", ...}}]}`.

Every error a client sees carries the id of its request as `extensions.requestId` (`with_request_id`):
the id of `X-Request-Id` and of the request's log lines, so a client can quote it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson
from starlette.responses import Response

from gateway.logs import REQUEST_ID

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
REQUEST_ID_KEY = "requestId"


def current_request_id() -> str | None:
    """The id of the request being served (set by the access-log middleware), or None."""
    return REQUEST_ID.get()


def with_request_id(errors: Sequence[Any], request_id: str | None) -> list[Any]:
    """GraphQL errors (formatted, JSON objects) with `extensions.requestId`; copies, so a cached
    error's extensions never carry another request's id."""
    if not request_id:
        return list(errors)
    return [
        {**e, "extensions": {**(e.get("extensions") or {}), REQUEST_ID_KEY: request_id}}
        if isinstance(e, dict)
        else e
        for e in errors
    ]


def error_response(
    status: int,
    message: str,
    extensions: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON,
) -> Response:
    errors = with_request_id(
        [{"message": message, "extensions": dict(extensions)}], current_request_id()
    )
    return Response(
        orjson.dumps({"errors": errors}),
        status_code=status,
        headers=dict(headers or {}),
        media_type=f"{media_type}; charset=utf-8",
    )

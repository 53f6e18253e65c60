"""Request errors answered before GraphQL runs, in the shape of a GraphQL response, so clients
read every error the same way: `{"errors": [{"message", "extensions": {"code", ...}}]}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def error_response(
    status: int,
    message: str,
    extensions: Mapping[str, Any],
    *,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON,
) -> Response:
    body = {"errors": [{"message": message, "extensions": dict(extensions)}]}
    return Response(
        orjson.dumps(body),
        status_code=status,
        headers=dict(headers or {}),
        media_type=f"{media_type}; charset=utf-8",
    )

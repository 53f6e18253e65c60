"""Writes: `PATCH` of an entity (with `If-Match`) and the bound actions."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.odata_http.errors import RequestError
from gateway.odata_http.options import Options
from gateway.odata_http.queries import Call


async def write(request: Request, call: Call, path: str, options: Options) -> Response:
    raise RequestError(405, "METHOD_NOT_ALLOWED", f"{request.method} is not supported here.")

"""Errors the middleware answers before a route runs (401 without a token, 429 past the rate
limit, 413 past the body limit) come in the GraphQL shape `{"errors": [{"message",
"extensions": {"code", ...}}]}`; below `/odata/` this middleware rewrites them into the OData
shape `{"error": {"code", "message", "details", "innererror"}}` (the request id, with the
limit's fields, in `innererror`), so OData clients read every error one way. It sits outside those middleware and touches only error answers of `/odata`.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.odata_http.errors import ODATA_VERSION

PREFIX = "/odata"


def reshape(body: bytes) -> bytes | None:
    """The OData error body for a GraphQL-shaped one; None when it is not one."""
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    errors = parsed.get("errors") if isinstance(parsed, dict) else None
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return None
    first: dict[str, Any] = errors[0]
    extensions = dict(first.get("extensions") or {})
    error: dict[str, Any] = {
        "code": str(extensions.pop("code", "ERROR")),
        "message": str(first.get("message", "")),
        "details": [],
    }
    if extensions:
        error["innererror"] = extensions
    return orjson.dumps({"error": error})


class ODataErrorShape:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        held: Message | None = None
        chunks: list[bytes] = []

        async def send_shaped(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] >= 400:
                given = dict(message.get("headers", []))
                if not given.get(b"content-type", b"").startswith(b"application/json") or (
                    b"odata-version" in given
                ):
                    await send(message)  # already OData's, or not JSON
                    return
                held = message
                return
            if held is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            shaped = reshape(body) or body
            kept = [(k, v) for k, v in held.get("headers", []) if k.lower() != b"content-length"]
            kept += [
                (b"content-length", str(len(shaped)).encode()),
                (b"odata-version", ODATA_VERSION.encode()),
            ]
            await send({**held, "headers": kept})
            await send({"type": "http.response.body", "body": shaped})

        await self.app(scope, receive, send_shaped)

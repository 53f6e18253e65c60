"""The request body limit: a body larger than `max_bytes` gets 413 before anything parses it,
whether it declares its length or streams it. Paths under `exempt` stream their bodies and bound
them themselves (`POST /ingest/{format}`, by `GATEWAY_INGEST_MAX_BYTES`)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.http.errors import error_response
from gateway.http.state import header


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exempt = scope["type"] == "http" and scope["path"].startswith(self.exempt or ("\0",))
        if scope["type"] != "http" or self.max_bytes <= 0 or exempt:
            await self.app(scope, receive, send)
            return
        declared = header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        # Read the whole body first (GraphQL parses it whole anyway), counting as it comes.
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            f"The request body is larger than {self.max_bytes} bytes.",
            {"code": "LIMIT_EXCEEDED", "limit": "requestBodyBytes", "max": self.max_bytes},
            headers={"connection": "close"},
        )
        await response(scope, receive, send)

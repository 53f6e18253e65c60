"""The WebSocket side of `/graphql` (`graphql-transport-ws`): strawberry's handler, with

- a typed error when a connection asks for more subscriptions than allowed (`LIMIT_EXCEEDED`,
  like the query limits, instead of strawberry's bare message);
- keep-alive: the server sends the protocol's `ping` every interval, so idle connections
  survive proxies and dead peers are noticed;
- text frames: the JSON encoder returns bytes, which browsers' `graphql-ws` client cannot parse
  from binary frames;
- the close code for a subscriber that fell too far behind (`SLOW_CONSUMER`), and an abort of
  the connection when that close frame cannot be sent within `CLOSE_GRACE_SECONDS` (the peer
  stopped reading, so the frame waits behind full buffers);
- no "Exception in worker task" log line for a send to a connection that is already closed;
- a document that does not parse is that operation's `error` message (`GRAPHQL_PARSE_FAILED`),
  not a close of the whole connection.

Close codes we use besides the protocol's own (4400, 4401, 4403, 4406, 4408, 4409, 4429):
4413 `SLOW_CONSUMER`, after which a client reconnects and resumes with its last cursor
(`graphql-ws` clients retry on it). A client that does not read at all sees its connection
aborted instead (no close frame; `graphql-ws` reports 1006 and retries too).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any, Final

from graphql import GraphQLError, GraphQLSyntaxError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)
from strawberry.types.execution import PreExecutionError

from gateway.api.common.context import Context
from gateway.api.common.request_errors import with_code
from gateway.http.errors import current_request_id, with_request_id
from gateway.http.state import ABORT, REQUEST_ID, state_of

SLOW_CONSUMER: Final = 4413
SLOW_CONSUMER_REASON: Final = "Subscriber too slow: reconnect and resume with your last cursor"
CLOSE_GRACE_SECONDS: Final = 1.0

_closing: set[asyncio.Task[None]] = set()


def close_slow_consumer(socket: WebSocket, grace: float = CLOSE_GRACE_SECONDS) -> None:
    """Close `socket` with `SLOW_CONSUMER` now, even while a send to it is stuck; abort the
    connection when the close frame is not sent within `grace` seconds."""
    if socket.application_state is not WebSocketState.CONNECTED:
        return
    task = asyncio.create_task(_close_or_abort(socket, grace))
    _closing.add(task)
    task.add_done_callback(_closing.discard)


async def _close_or_abort(socket: WebSocket, grace: float) -> None:
    try:
        async with asyncio.timeout(grace):
            await socket.close(SLOW_CONSUMER, SLOW_CONSUMER_REASON)
        return
    except TimeoutError:
        pass  # the frame waits behind what the peer does not read
    except (OSError, RuntimeError, WebSocketDisconnect):
        return  # the connection is already gone
    abort = socket.scope.get("state", {}).get(ABORT)
    if abort is not None:
        abort()


def _with_request_id(message: Mapping[str, object], socket: WebSocket) -> Mapping[str, object]:
    """An `error` message, or a `next` one with errors, with the connection's request id in each
    error's `extensions.requestId` (the id of its `X-Request-Id` and of its log lines)."""
    kind, payload = message.get("type"), message.get("payload")
    if kind == "error" and isinstance(payload, list):
        return {**message, "payload": with_request_id(payload, _request_id(socket))}
    if kind == "next" and isinstance(payload, dict) and payload.get("errors"):
        errors = with_request_id(payload["errors"], _request_id(socket))
        return {**message, "payload": {**payload, "errors": errors}}
    return message


def _request_id(socket: WebSocket) -> str | None:
    found = state_of(socket.scope).get(REQUEST_ID)
    return str(found) if found else current_request_id()


class TextFrames(ASGIWebSocketAdapter):
    """Sends every message as a text frame."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        encoded = self.view.encode_json(_with_request_id(message, self.ws))
        text = encoded.decode() if isinstance(encoded, bytes) else encoded
        if self.ws.application_state is not WebSocketState.CONNECTED:
            raise WebSocketDisconnected
        try:
            await self.ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class TransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    """strawberry's `graphql-transport-ws` handler with our limits and keep-alive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pings: asyncio.Task[None] | None = None

    @property
    def keep_alive_seconds(self) -> float:
        return float(getattr(self.view, "keep_alive_seconds", 0.0))

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self._pings is None and self.keep_alive_seconds > 0:
            self._pings = asyncio.create_task(self._ping())

    async def _ping(self) -> None:
        with contextlib.suppress(WebSocketDisconnected):
            while True:
                await asyncio.sleep(self.keep_alive_seconds)
                await self.send_message({"type": "ping"})

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            error = GraphQLError(
                f"This connection already has {limit} subscriptions, the most allowed; "
                "complete one first or open another connection.",
                extensions={"code": "LIMIT_EXCEEDED", "limit": "subscriptions", "max": limit},
            )
            await self.send_message(
                {"id": message["id"], "type": "error", "payload": [error.formatted]}
            )
            return
        await super().handle_subscribe(message)

    async def _handle_pre_execution_error(
        self, operation: Operation[Context, None], result: PreExecutionError
    ) -> None:
        """A document that does not parse is that operation's `error` (with its code), as a
        validation error is: strawberry closed the whole connection (4400), ending every other
        subscription on it, and `graphql-ws` clients then retried the same document forever."""
        if result.errors and isinstance(result.errors[0], GraphQLSyntaxError):
            await operation.send_initial_errors([with_code(e) for e in result.errors])
            return
        await super()._handle_pre_execution_error(operation, result)

    async def handle_task_exception(self, error: Exception) -> None:
        if isinstance(error, WebSocketDisconnected):
            return  # a send to a connection that closed meanwhile: nothing went wrong here
        await super().handle_task_exception(error)

    async def shutdown(self) -> None:
        if self._pings is not None:
            self._pings.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pings
        await super().shutdown()

"""A way to abort a WebSocket's connection, for a peer that stopped reading.

ASGI can only close a WebSocket with a close frame, and a server writes that frame only when the
peer has read what is already buffered: a peer that never reads never gets it, and its connection
stays open. This middleware, the outermost, finds the server's transport behind the `send` it is
given (uvicorn's protocols keep it as `transport`) and leaves a function that aborts it in the
scope's state under `ABORT`. Under a server that does not expose it, there is no `ABORT`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http.state import ABORT, state_of


class Abortable:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            abort = transport_abort(send)
            if abort is not None:
                state_of(scope)[ABORT] = abort
        await self.app(scope, receive, send)


def transport_abort(send: Send) -> Callable[[], None] | None:
    """The `abort` of the transport behind the server's own `send`, if it exposes one."""
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    return transport.abort if isinstance(transport, asyncio.Transport) else None

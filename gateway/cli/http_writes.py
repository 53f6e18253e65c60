"""A response's head and body in one system call: uvicorn writes the status line and headers
when the application starts its response, and the body when it sends it, two `send`s and two
TCP segments (the socket has no Nagle delay), so the client wakes twice per response. On the
flat runs list over PostgreSQL the head's write alone took a fifth of a worker's CPU (py-spy):
the kernel's work per segment, whatever its size.

`CoalescingHttpToolsProtocol` is uvicorn's HTTP/1.1 protocol with its transport wrapped: writes
made in one turn of the event loop are kept and handed to the transport together at the end of
it (`writelines`: one vectored write, nothing copied). Anything else asked of the transport
(closing, pausing, its buffer size, a WebSocket upgrade taking it over) first hands over what is
kept, so the bytes go out in the order written, none after a close.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["CoalescingHttpToolsProtocol", "CoalescingTransport"]


class CoalescingTransport:
    """A transport whose writes of one event-loop turn go out in one call."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        chunk = data if isinstance(data, bytes) else bytes(data)  # a buffer may be reused
        if self._pending is None:
            self._pending = [chunk]
            self._loop.call_soon(self.flush)
        else:
            self._pending.append(chunk)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Hand what is kept to the transport (unless it is closing: the peer is gone)."""
        pending, self._pending = self._pending, None
        if not pending or self._transport.is_closing():
            return
        if len(pending) == 1:
            self._transport.write(pending[0])
        else:
            self._transport.writelines(pending)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending = None
        self._transport.abort()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def __getattr__(self, name: str) -> Any:
        # Whatever else (pause_reading, write_eof, set_protocol, get_write_buffer_size, ...):
        # after what is kept, so its effect follows the writes made before it.
        self.flush()
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing each response's head and body together."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # uvicorn's own signature
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]  # a transport in all it is asked

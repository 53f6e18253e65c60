"""One batch commits while the next one is read: the store's statements run in its own thread
(SQLite) or server (PostgreSQL), so parsing and mapping (import) or reading pages (sync) go on
meanwhile. At most one commit is in flight, and a batch's transaction starts only when the one
before it has committed, so batches commit in order.

Leaving the block with an error waits for the commit in flight (what was read before the failure
is committed, as true as ever); leaving it cancelled cancels that commit.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Generic, TypeVar

from gateway.domain.exceptions import GatewayError

T = TypeVar("T")


class OneInFlight(Generic[T]):
    """Commits one at a time, each started while the caller reads on; `done` gets each result in
    order."""

    def __init__(self, done: Callable[[T], None]) -> None:
        self._done = done
        self._pending: asyncio.Future[T] | None = None

    async def submit(self, commit: Callable[[], Awaitable[T]]) -> None:
        """Wait for the commit in flight, then start `commit()`."""
        await self.settle()
        self._pending = asyncio.ensure_future(commit())

    async def settle(self) -> None:
        """Wait for the commit in flight, if any, and hand its result to `done`."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            self._done(await pending)

    async def __aenter__(self) -> OneInFlight[T]:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if error is None:
            await self.settle()
            return
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        if isinstance(error, asyncio.CancelledError):
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError, GatewayError):
                await pending
        else:  # a batch already read is committed all the same
            with contextlib.suppress(GatewayError):
                await pending

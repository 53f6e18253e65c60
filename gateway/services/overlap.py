"""One batch commits while the next one is read: the store's statements run in its own thread
(SQLite) or server (PostgreSQL), so parsing and mapping (import) or reading pages (sync) go on
meanwhile. At most one commit is in flight, and a batch's transaction starts only when the one
before it has committed, so batches commit in order.

Leaving the block with an error waits for the commit in flight (what was read before the failure
is committed, as true as ever); leaving it cancelled cancels that commit.

`MapAhead` uses the wait for the commit in flight: while its statements run in the store's
thread, the next batch's deferred runs are mapped (`DeferredRun.parse`, pure and
store-independent), so the transaction after it only materialises and writes them. It maps ahead
only while batches mostly need mapping (a first sync or import; not a pass that finds every run
unchanged by its digest, where mapping would be wasted).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any, Generic, TypeVar

from gateway.domain.exceptions import GatewayError
from gateway.domain.imports import DeferredRun, Outcome, Record, RecordError, RecordFailure

T = TypeVar("T")


class OneInFlight(Generic[T]):
    """Commits one at a time, each started while the caller reads on; `done` gets each result in
    order."""

    def __init__(self, done: Callable[[T], None]) -> None:
        self._done = done
        self._pending: asyncio.Future[T] | None = None

    @property
    def busy(self) -> bool:
        """A commit is in flight (its result not yet handed to `done`)."""
        return self._pending is not None

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


MAP_STEP = 50
"""Records mapped between two turns of the event loop (so the commit in flight goes on)."""


class MapAhead:
    """Maps the deferred runs of a batch before its commit, while the one before it commits."""

    def __init__(self, *, eager: bool) -> None:
        self.eager = eager

    def observe(self, outcomes: Sequence[Outcome | RecordFailure]) -> None:
        """Map ahead from now on when most records of a committed batch needed mapping (added,
        updated or failed), not when most were unchanged by their digest."""
        if outcomes:
            kept = sum(o is Outcome.UNCHANGED or o is Outcome.SKIPPED for o in outcomes)
            self.eager = kept * 2 < len(outcomes)

    async def map(self, batch: list[tuple[str, Record]], commits: OneInFlight[Any]) -> None:
        """While a commit is in flight, replace each `DeferredRun` of `batch` by the run it maps
        to, in place; one that does not map stays deferred (the commit maps it again and reports
        why it fails). With no commit in flight there is nothing to overlap: the batch's own
        transaction maps what it needs."""
        if not self.eager or not commits.busy:
            return
        for start in range(0, len(batch), MAP_STEP):
            for i in range(start, min(start + MAP_STEP, len(batch))):
                position, record = batch[i]
                if isinstance(record, DeferredRun):
                    with contextlib.suppress(RecordError):
                        batch[i] = (position, record.parse())
            await asyncio.sleep(0)

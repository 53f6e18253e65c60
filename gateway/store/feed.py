"""The change feed: one tailer per server process, fanning run changes out to subscribers.

The tailer reads `run_events WHERE seq > position` (see `gateway.store.changes` for why sequence
order is commit order), resolves each batch once for every distinct subscriber filter, and offers
each subscriber the changes its filter matches. It is woken at once by this process's commits
(`Database.on_commit`) and otherwise polls every `poll_seconds`, so changes committed by another
process over the same database arrive too.

Each subscriber has a bounded queue. A subscriber that falls `queue_bound` changes behind is
dropped (`SubscriberTooSlowError`): it leaves the feed and its queue is freed at once, and
`on_overflow` is called, so the connection can be closed even while a send to that client is
stuck. The client resumes from its last cursor and loses nothing. `FeedStats` counts the drops
and the longest queue any subscriber has held, which never exceeds the bound.

A subscription with a cursor first replays the events after it from the table, in batches, then
takes its queue. It registers before it reads, and delivers only sequence numbers past the last
one it has seen, so the seam between replay and live has no gap and no duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass

from gateway.domain.models import RunEvent
from gateway.metrics import subscription_closed, subscription_dropped, subscription_opened
from gateway.store import changes
from gateway.store.changes import Change, FilterKey
from gateway.store.protocol import Database, StatementCounter

log = logging.getLogger("gateway.feed")

DEFAULT_POLL_SECONDS = 0.15
DEFAULT_QUEUE_BOUND = 1000
BATCH = 256  # events per read, by the tailer and by a replay


class SubscriberTooSlowError(Exception):
    """The subscriber fell too far behind; it was dropped and should resume from its cursor."""


@dataclass(slots=True)
class FeedStats:
    """What the feed has done since it started, for tests and operators."""

    dropped: int = 0  # subscribers dropped for falling `queue_bound` changes behind
    most_pending: int = 0  # the longest queue any subscriber has held (at most the bound)


class Subscriber:
    """One subscription's bounded queue of matched changes."""

    __slots__ = ("_bound", "_on_overflow", "_pending", "_ready", "key", "overflowed")

    def __init__(
        self, key: FilterKey, bound: int, on_overflow: Callable[[Subscriber], None]
    ) -> None:
        self.key = key
        self.overflowed = False
        self._bound = bound
        self._on_overflow = on_overflow
        self._pending: deque[Change] = deque()
        self._ready = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def offer(self, found: Sequence[Change]) -> None:
        if self.overflowed or not found:
            return
        if len(self._pending) + len(found) > self._bound:
            self.overflowed = True
            self._pending.clear()
            self._on_overflow(self)  # first: the connection closes before the stream ends
            self._ready.set()
            return
        self._pending.extend(found)
        self._ready.set()

    async def take(self) -> list[Change]:
        """Everything queued, waiting until something is."""
        while not self._pending and not self.overflowed:
            self._ready.clear()
            await self._ready.wait()
        if self.overflowed:
            raise SubscriberTooSlowError
        taken = list(self._pending)
        self._pending.clear()
        return taken


class ChangeFeed:
    """The process's tailer and its subscribers. Start it once; stop it before the database."""

    def __init__(
        self,
        db: Database,
        *,
        poll_seconds: float = DEFAULT_POLL_SECONDS,
        queue_bound: int = DEFAULT_QUEUE_BOUND,
    ) -> None:
        self.db = db
        self.poll_seconds = poll_seconds
        self.queue_bound = queue_bound
        self.position = 0
        self.batch = min(BATCH, queue_bound)  # a healthy subscriber always has room for one
        self.statements = StatementCounter()  # apart from the requests' count
        self.stats = FeedStats()
        self._subscribers: set[Subscriber] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    async def start(self) -> None:
        async with self.db.read(self.statements) as conn:
            self.position = await changes.latest_seq(conn)
        self.db.on_commit(self._committed)
        self._task = asyncio.create_task(self._run(), name="change-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _committed(self, committed: Sequence[RunEvent]) -> None:
        if committed:
            self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                caught_up = await self.poll()
            except Exception:
                log.exception("reading run events failed; trying again")
                caught_up = True
            if caught_up:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)

    async def poll(self) -> bool:
        """Read and fan out one batch; True when it reached the newest event."""
        async with self.db.read(self.statements) as conn:
            read = await changes.since(conn, self.position, self.batch)
            if not read:
                return True
            subscribers = list(self._subscribers)
            batch = (
                await changes.resolve(conn, read, {s.key for s in subscribers})
                if subscribers
                else None
            )
        self.position = read[-1].seq
        if batch is not None:
            by_key: dict[FilterKey, list[Change]] = {}
            for subscriber in subscribers:
                if subscriber in self._subscribers:
                    if subscriber.key not in by_key:
                        by_key[subscriber.key] = batch.changes(subscriber.key)
                    subscriber.offer(by_key[subscriber.key])
                    if subscriber.pending > self.stats.most_pending:
                        self.stats.most_pending = subscriber.pending
        return len(read) < self.batch

    def subscribe(self, key: FilterKey, on_overflow: Callable[[], None]) -> Subscriber:
        def dropped(subscriber: Subscriber) -> None:
            self.unsubscribe(subscriber)  # no more offers: its memory is freed now
            self.stats.dropped += 1
            subscription_dropped()
            log.info("a subscriber fell %d changes behind and was dropped", self.queue_bound)
            on_overflow()

        subscriber = Subscriber(key, self.queue_bound, dropped)
        self._subscribers.add(subscriber)
        subscription_opened()
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber in self._subscribers:
            self._subscribers.discard(subscriber)
            subscription_closed()

    async def changes(
        self, key: FilterKey, after: int | None, on_overflow: Callable[[], None]
    ) -> AsyncIterator[Change]:
        """The changes `key` matches after the position `after` (from now when None): those
        in the table first, then live ones, each once, in order. Raises
        `SubscriberTooSlowError` when the subscriber falls `queue_bound` changes behind."""
        subscriber = self.subscribe(key, on_overflow)
        try:
            if after is None:
                async with self.db.read(self.statements) as conn:
                    position = await changes.latest_seq(conn)
            else:
                position = after
                while True:
                    async with self.db.read(self.statements) as conn:
                        read = await changes.since(conn, position, self.batch)
                        replayed = (await changes.resolve(conn, read, [key])).changes(key)
                    for change in replayed:
                        yield change
                    if read:
                        position = read[-1].seq
                    if len(read) < self.batch:
                        break
            while True:
                for change in await subscriber.take():
                    if change.event.seq > position:
                        position = change.event.seq
                        yield change
        finally:
            self.unsubscribe(subscriber)

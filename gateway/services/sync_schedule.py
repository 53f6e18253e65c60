"""Syncing every connection each interval while the server runs, once across server processes.

Time is cut into slots of each connection's interval (counted from the epoch); the process that
claims a slot in the store (`sync_slots`, as `schedule_slots` for cron runs: the primary key lets
one claim in) runs that slot's pass, the others skip it. A process runs one pass of a connection
at a time; a pass longer than the interval makes the next slot wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

from gateway.domain.clock import utc_now
from gateway.services.background import periodically
from gateway.services.sync import sync_connection
from gateway.store import connections as store
from gateway.store.protocol import Database, StatementCounter

log = logging.getLogger("gateway.sync")
TICK_SECONDS = 5.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def slot_of(now: datetime, interval: timedelta) -> datetime:
    """The start of the interval slot `now` is in."""
    seconds = max(1, int(interval.total_seconds()))
    elapsed = int((now - _EPOCH).total_seconds())
    return _EPOCH + timedelta(seconds=elapsed - elapsed % seconds)


class SyncScheduler:
    """Claims due slots and runs their passes in the background; `running` by connection id."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.running: dict[str, asyncio.Task[object]] = {}
        self.statements = StatementCounter()  # its look-ups apart from the requests' count

    async def tick(self, now: datetime | None = None) -> list[str]:
        """Claim the current slot of every connection not syncing here; the ids started."""
        now = now or utc_now()
        async with self.db.read(self.statements) as conn:
            every = await store.list_all(conn)
        started = []
        for connection in every:
            if connection.id in self.running:
                continue
            async with self.db.transaction() as tx:
                claimed = await store.claim_slot(
                    tx, connection.id, slot_of(now, connection.interval), now
                )
            if not claimed:
                continue  # this slot was synced already, here or by another process
            task: asyncio.Task[object] = asyncio.create_task(sync_connection(self.db, connection))
            self.running[connection.id] = task
            task.add_done_callback(self._forget(connection.id))
            started.append(connection.id)
        return started

    def _forget(self, id: str) -> Callable[[asyncio.Task[object]], None]:
        def forget(_: asyncio.Task[object]) -> None:
            self.running.pop(id, None)

        return forget

    async def stop(self) -> None:
        for task in list(self.running.values()):
            task.cancel()
        for task in list(self.running.values()):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


@contextlib.asynccontextmanager
async def run_syncs(db: Database, seconds: float = TICK_SECONDS) -> AsyncIterator[SyncScheduler]:
    """Look for due connections now and every few seconds while the server runs."""
    scheduler = SyncScheduler(db)
    try:
        async with periodically(scheduler.tick, seconds, log, first_at_once=True):
            yield scheduler
    finally:
        await scheduler.stop()

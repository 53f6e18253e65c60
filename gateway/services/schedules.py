"""Cron schedules: start each due slot's run once, also with several server processes.

A slot is claimed by inserting `(process_id, slot)` into `schedule_slots` in the same transaction
that creates the run; the primary key turns a second claim (by another server process, which waits
for the writer lock and then sees the row) into a conflict that rolls its run back. After downtime
only the latest missed slot is due (`domain.schedules.due_slot`).

A slot of a process that a connection synced is started on the platform
(`forwarding.start_scheduled`: the slot claimed first, the platform's idempotency token made from
the slot). A scheduled run that nothing here executes (no connection forwards its process to a platform, and
no executor runs in this server, as the demo's does under `--demo`) is not left PENDING without a
word: its status history says why it waits, and the server logs a warning once per process.
"""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import ConflictError, GatewayError
from gateway.domain.models import Run, Trigger
from gateway.domain.schedules import due_slot
from gateway.domain.sources import TriggerType
from gateway.domain.starts import StartOptions
from gateway.services import forwarding, lifecycle
from gateway.services.actor import Actor
from gateway.services.background import periodically
from gateway.store import connections, schedules
from gateway.store.protocol import Database

log = logging.getLogger("gateway.scheduler")
ACTOR = Actor(name="scheduler")
INTERVAL_SECONDS = 15.0
UNEXECUTED = (
    "scheduled; nothing in this gateway executes it (no connection forwards its process to a "
    "platform and no executor runs here): it stays PENDING until an executor reports progress "
    "with updateRun or updateActivity"
)
_reported: set[str] = set()  # processes whose unexecuted scheduled runs were logged


async def fire_due(
    db: Database, now: datetime | None = None, *, executor_running: bool = False
) -> list[Run]:
    """Start the run of every schedule slot that is due and not yet fired; the runs started.
    `executor_running`: an executor in this server moves started runs (the demo's)."""
    now = now or utc_now()
    async with db.read() as conn:
        scheduled = await schedules.scheduled_processes(conn)
    started = []
    for process, last in scheduled:
        assert process.schedule is not None
        slot = due_slot(
            process.schedule, now=now, not_before=process.created_date_time, last_fired=last
        )
        if slot is None:
            continue
        async with db.read() as conn:
            connection = await connections.of_process(conn, process.id)
        options = StartOptions(
            trigger=Trigger(
                type=TriggerType.SCHEDULED, invoked_by="scheduler", source_type=process.schedule
            )
        )
        if connection is not None and forwarding.forwards(connection):
            try:
                started.append(
                    await forwarding.start_scheduled(db, process, connection, slot, options, ACTOR)
                )
            except ConflictError:
                continue  # another server process fired this slot first
            except GatewayError as exc:  # the platform refused or is down: tried next tick
                log.warning(
                    "schedule of %s at %s did not start on %s: %s",
                    process.id,
                    slot,
                    connection.name,
                    exc.message,
                )
            continue
        unexecuted = not executor_running
        try:
            result = await lifecycle.start_run(
                db, process.id, options, ACTOR, slot=slot, reason=UNEXECUTED if unexecuted else None
            )
        except ConflictError:
            continue  # another server process fired this slot first
        except GatewayError as exc:  # throttled, say: tried again next tick, until the next slot
            log.info("schedule of %s at %s did not start: %s", process.id, slot, exc.message)
            continue
        started.append(result.run)
        if unexecuted and process.id not in _reported:
            _reported.add(process.id)
            log.warning(
                "schedule of %s started %s, but nothing in this gateway executes it: no "
                "connection forwards the process and no executor runs here; it stays PENDING "
                "until an executor reports progress (updateRun, updateActivity)",
                process.id,
                result.run.id,
            )
    return started


def run_schedules(
    db: Database, seconds: float = INTERVAL_SECONDS, *, executor_running: bool = False
) -> AbstractAsyncContextManager[None]:
    """Look for due slots now and every few seconds in the background while the server runs."""
    return periodically(
        lambda: fire_due(db, executor_running=executor_running), seconds, log, first_at_once=True
    )

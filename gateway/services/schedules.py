"""Cron schedules: start each due slot's run once, also with several server processes.

A slot is claimed by inserting `(process_id, slot)` into `schedule_slots` in the same transaction
that creates the run; the primary key turns a second claim (by another server process, which waits
for the writer lock and then sees the row) into a conflict that rolls its run back. After downtime
only the latest missed slot is due (`domain.schedules.due_slot`).
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
from gateway.services import lifecycle
from gateway.services.actor import Actor
from gateway.services.background import periodically
from gateway.store import schedules
from gateway.store.protocol import Database

log = logging.getLogger("gateway.scheduler")
ACTOR = Actor(name="scheduler")
INTERVAL_SECONDS = 15.0


async def fire_due(db: Database, now: datetime | None = None) -> list[Run]:
    """Start the run of every schedule slot that is due and not yet fired; the runs started."""
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
        options = StartOptions(
            trigger=Trigger(
                type=TriggerType.SCHEDULED, invoked_by="scheduler", source_type=process.schedule
            )
        )
        try:
            result = await lifecycle.start_run(db, process.id, options, ACTOR, slot=slot)
        except ConflictError:
            continue  # another server process fired this slot first
        except GatewayError as exc:  # throttled, say: tried again next tick, until the next slot
            log.info("schedule of %s at %s did not start: %s", process.id, slot, exc.message)
            continue
        started.append(result.run)
    return started


def run_schedules(
    db: Database, seconds: float = INTERVAL_SECONDS
) -> AbstractAsyncContextManager[None]:
    """Look for due slots now and every few seconds in the background while the server runs."""
    return periodically(lambda: fire_due(db), seconds, log, first_at_once=True)

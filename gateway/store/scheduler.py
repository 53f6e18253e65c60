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

from gateway.domain.clock import from_micros, utc_now
from gateway.domain.exceptions import ConflictError, GatewayError
from gateway.domain.models import Run, Trigger
from gateway.domain.schedules import due_slot
from gateway.domain.sources import TriggerType
from gateway.domain.starts import StartOptions
from gateway.domain.status import ReadinessStatus
from gateway.store import lifecycle
from gateway.store.background import periodically
from gateway.store.codec import process_from_row
from gateway.store.commands import Actor
from gateway.store.database import Database

log = logging.getLogger("gateway.scheduler")
ACTOR = Actor(name="scheduler")
INTERVAL_SECONDS = 15.0


async def fire_due(db: Database, now: datetime | None = None) -> list[Run]:
    """Start the run of every schedule slot that is due and not yet fired; the runs started."""
    now = now or utc_now()
    async with db.read() as conn:
        rows = await conn.fetchall(
            "SELECT p.*, (SELECT max(slot) FROM schedule_slots s WHERE s.process_id = p.id) "
            "AS last_slot FROM processes p WHERE p.schedule IS NOT NULL AND p.readiness_status = ?",
            (ReadinessStatus.READY.value,),
        )
    started = []
    for row in rows:
        process = process_from_row(row)
        last = from_micros(row["last_slot"]) if row["last_slot"] is not None else None
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

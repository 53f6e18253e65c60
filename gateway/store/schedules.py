"""Rows of schedules: the processes with a cron schedule, and the slots they have fired
(`schedule_slots`, one row per fired slot: its primary key makes a slot fire once)."""

from __future__ import annotations

from datetime import datetime

from gateway.domain.clock import from_micros, to_micros
from gateway.domain.models import Process
from gateway.domain.status import ReadinessStatus
from gateway.store.codec import process_from_row
from gateway.store.protocol import Connection, Transaction


async def scheduled_processes(conn: Connection) -> list[tuple[Process, datetime | None]]:
    """Every ready process with a schedule, and the last slot it fired (None: never)."""
    rows = await conn.fetchall(
        "SELECT p.*, (SELECT max(slot) FROM schedule_slots s WHERE s.process_id = p.id) "
        "AS last_slot FROM processes p WHERE p.schedule IS NOT NULL AND p.readiness_status = ?",
        (ReadinessStatus.READY.value,),
    )
    return [
        (
            process_from_row(row),
            from_micros(row["last_slot"]) if row["last_slot"] is not None else None,
        )
        for row in rows
    ]


UNRECORDED = ""
"""The run id of a slot claimed before its run exists (a platform is asked to start it first)."""


async def claim_slot(
    tx: Transaction, process_id: str, slot: datetime, run_id: str, now: datetime
) -> bool:
    """Mark a schedule slot fired by `run_id`; False when it fired before (by any server
    process)."""
    claimed = await tx.execute(
        "INSERT INTO schedule_slots (process_id, slot, run_id, fired_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (process_id, to_micros(slot), run_id, to_micros(now)),
    )
    return claimed > 0


async def record_slot_run(tx: Transaction, process_id: str, slot: datetime, run_id: str) -> None:
    """The run a slot claimed `UNRECORDED` started."""
    await tx.execute(
        "UPDATE schedule_slots SET run_id = ? WHERE process_id = ? AND slot = ?",
        (run_id, process_id, to_micros(slot)),
    )


async def release_slot(tx: Transaction, process_id: str, slot: datetime) -> None:
    """Give back a slot claimed `UNRECORDED` whose run did not start: it is due again."""
    await tx.execute(
        "DELETE FROM schedule_slots WHERE process_id = ? AND slot = ? AND run_id = ?",
        (process_id, to_micros(slot), UNRECORDED),
    )

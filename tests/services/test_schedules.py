"""Schedules fire each slot once, also with two servers on one database; `wait` ends with the run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.domain.models import ActivityDefinition, Trigger
from gateway.domain.process_specs import ProcessPatch, ProcessSpec
from gateway.domain.schedules import due_slot, latest_slot
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.specs import ActivityPatch
from gateway.domain.starts import StartOptions
from gateway.domain.status import RunStatus
from gateway.services import lifecycle
from gateway.services import processes as process_service
from gateway.services import schedules as scheduler
from gateway.services.actor import Actor
from gateway.store import activities, events, runs
from gateway.store.engines import database_for
from gateway.store.protocol import Database
from gateway.store.workspaces import DEFAULT_WORKSPACE_ID

EVERY_12_HOURS = "0 */12 * * *"
CREATED = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_the_latest_slot_is_at_or_before_now() -> None:
    assert latest_slot(EVERY_12_HOURS, at(20, 12)) == at(20, 12)
    assert latest_slot(EVERY_12_HOURS, at(20, 12, 1)) == at(20, 12)
    assert latest_slot(EVERY_12_HOURS, at(20, 11, 59)) == at(20, 0)


def test_after_downtime_only_the_latest_missed_slot_is_due() -> None:
    due = due_slot(EVERY_12_HOURS, now=at(23, 7), not_before=CREATED, last_fired=at(20, 12))
    assert due == at(23, 0)
    assert due_slot(EVERY_12_HOURS, now=at(23, 7), not_before=CREATED, last_fired=at(23, 0)) is None
    # A slot before the process existed is never due.
    assert due_slot(EVERY_12_HOURS, now=at(20, 9), not_before=CREATED, last_fired=None) is None


async def _scheduled_process(db: Database) -> str:
    process = await process_service.create_process(
        db,
        ProcessSpec(
            workspace_id=DEFAULT_WORKSPACE_ID,
            source=Source.GATEWAY,
            kind=ProcessKind.GATEWAY_PROCESS,
            display_name="Twice a day",
            schedule=EVERY_12_HOURS,
            activity_definitions=(
                ActivityDefinition(key="a", display_name="A", kind=ActivityKind.GATEWAY_ACTIVITY),
            ),
        ),
        Actor(name="test"),
    )
    return process.process.id


async def test_two_servers_on_one_database_fire_each_slot_once(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    path = new_location("shared.db")
    async with database_for(path) as one, database_for(path) as two:
        process_id = await _scheduled_process(one)
        # Both servers wake up at the same moment, twice in the same slot, then in the next.
        now = datetime.now(UTC)
        fired = await asyncio.gather(*(scheduler.fire_due(db, now) for db in (one, two, one, two)))
        assert sum(len(f) for f in fired) == 0  # the process is newer than the current slot
        later = latest_slot(EVERY_12_HOURS, now).replace(year=now.year + 1)
        fired = await asyncio.gather(
            *(scheduler.fire_due(db, later) for db in (one, two, one, two))
        )
        started = [run for batch in fired for run in batch]
        assert len(started) == 1
        assert started[0].trigger.type is TriggerType.SCHEDULED
        assert started[0].process_id == process_id
        async with two.read() as conn:
            assert await runs.count(conn) == 1
        next_slot = later + timedelta(hours=12)
        fired = await asyncio.gather(*(scheduler.fire_due(db, next_slot) for db in (two, one)))
        assert sum(len(f) for f in fired) == 1


async def test_a_disabled_schedule_starts_nothing(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    path = new_location("off.db")
    async with database_for(path) as db:
        process_id = await _scheduled_process(db)
        await process_service.update_process(
            db, process_id, ProcessPatch(schedule=None), None, Actor(name="test")
        )
        assert await scheduler.fire_due(db, datetime(2030, 1, 1, tzinfo=UTC)) == []


async def test_wait_returns_as_soon_as_the_run_finishes(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    path = new_location("wait.db")
    async with database_for(path) as db:
        process_id = await _scheduled_process(db)
        actor = Actor(name="test")
        started = await lifecycle.start_run(
            db, process_id, StartOptions(trigger=Trigger(type=TriggerType.API)), actor
        )
        waiting = asyncio.create_task(lifecycle.wait_until_finished(db, started.run, 60))
        await asyncio.sleep(0)
        async with db.read() as conn:
            (act,) = await activities.for_run(conn, started.run.id)
        await lifecycle.update_activity(
            db,
            act.id,
            ActivityPatch(status=RunStatus.RUNNING, start_date_time=at(20, 10)),
            None,
            actor,
        )
        assert not waiting.done()
        await lifecycle.update_activity(
            db,
            act.id,
            ActivityPatch(status=RunStatus.SUCCEEDED, end_date_time=at(20, 11)),
            None,
            actor,
        )
        finished = await asyncio.wait_for(waiting, timeout=5)
        assert finished.status is RunStatus.SUCCEEDED


async def test_a_scheduled_run_nothing_executes_says_so_once(
    new_location: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with database_for(new_location("unexecuted.db")) as db:
        process_id = await _scheduled_process(db)
        first = datetime(2030, 1, 1, 1, tzinfo=UTC)
        with caplog.at_level(logging.WARNING, logger="gateway.scheduler"):
            (run,) = await scheduler.fire_due(db, first)
            (again,) = await scheduler.fire_due(db, first + timedelta(hours=12))
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1  # once per process, not once per slot
        assert process_id in warnings[0] and run.id in warnings[0]
        async with db.read() as conn:
            for started in (run, again):
                (created,) = await events.for_run(conn, started.id)
                assert created.reason == scheduler.UNEXECUTED


async def test_a_scheduled_run_an_executor_moves_is_plainly_scheduled(
    new_location: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with database_for(new_location("executed.db")) as db:
        await _scheduled_process(db)
        with caplog.at_level(logging.WARNING, logger="gateway.scheduler"):
            (run,) = await scheduler.fire_due(
                db, datetime(2030, 1, 1, 1, tzinfo=UTC), executor_running=True
            )
        assert not [r for r in caplog.records if r.levelno == logging.WARNING]
        async with db.read() as conn:
            (created,) = await events.for_run(conn, run.id)
            assert created.reason == "scheduled"

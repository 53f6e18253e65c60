"""Keeps demo runs moving under `serve --demo`: new runs start, activities advance, runs finish.

Everything goes through the store's commands, so each step is a real, evented change.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import GatewayError
from gateway.domain.models import COUNTER_NAMES, Run, RunStatistics, Trigger
from gateway.domain.paging import PageRequest
from gateway.domain.sources import TriggerType
from gateway.domain.specs import ActivityPatch, ActivitySpec, RunPatch, RunSpec
from gateway.domain.status import RunStatus
from gateway.store import activities, commands, processes, runs
from gateway.store.database import Database

log = logging.getLogger("gateway.demo")
STEP_SECONDS = 3.0
MAX_MOVING = 4
ACTOR = commands.Actor(name="demo-executor")
EVERYTHING = PageRequest(limit=500, forward=True, cursor=None)


async def _start_run(db: Database, rng: random.Random) -> None:
    async with db.read() as conn:
        page = await processes.page(conn, EVERYTHING)
    candidates = [p for p in page.items if p.activity_definitions]
    if not candidates:
        return
    process = rng.choice(candidates)
    spec = RunSpec(
        display_name=f"{process.display_name} (live demo)",
        status=RunStatus.QUEUED,
        trigger=Trigger(type=TriggerType.MANUAL, invoked_by="demo"),
        activities=tuple(
            ActivitySpec(
                key=d.key,
                display_name=d.display_name,
                kind=d.kind,
                activity_type=d.activity_type,
                depends_on=d.depends_on,
            )
            for d in process.activity_definitions
            if d.enabled
        ),
    )
    await commands.create_run(db, process.id, spec, ACTOR)


async def _advance(db: Database, run: Run, rng: random.Random) -> None:
    now = utc_now()
    if run.status in (RunStatus.QUEUED, RunStatus.PENDING):
        await commands.update_run(
            db, run.id, RunPatch(status=RunStatus.RUNNING, start_date_time=now), None, ACTOR
        )
        return
    async with db.read() as conn:
        page = (await activities.pages_by_run(conn, [run.id], EVERYTHING))[run.id]
    pending = [a for a in page.items if not a.status.is_terminal]
    if pending:
        activity = pending[0]
        if activity.status is RunStatus.PENDING:
            patch = ActivityPatch(status=RunStatus.RUNNING, start_date_time=now)
        else:
            done = rng.random() < 0.85
            patch = ActivityPatch(
                status=RunStatus.SUCCEEDED if done else RunStatus.FAILED,
                end_date_time=now,
                statistics=RunStatistics(
                    processed=rng.randint(100, 5000), added=rng.randint(0, 100)
                ),
            )
        await commands.update_activity(db, activity.id, patch, None, ACTOR)
        return
    failed = any(a.status is RunStatus.FAILED for a in page.items)
    totals = {name: sum(getattr(a.statistics, name) for a in page.items) for name in COUNTER_NAMES}
    await commands.update_run(
        db,
        run.id,
        RunPatch(
            status=RunStatus.FAILED if failed else RunStatus.SUCCEEDED,
            end_date_time=now,
            statistics=RunStatistics(**totals),
        ),
        None,
        ACTOR,
    )


async def step(db: Database, rng: random.Random) -> None:
    """One tick of the demo: advance the moving runs, and start one if few are moving."""
    async with db.read() as conn:
        recent = await runs.page(conn, EVERYTHING)
    moving = [r for r in recent.items if r.status.is_active and r.trigger.invoked_by == "demo"]
    for run in moving:
        await _advance(db, run, rng)
    if len(moving) < MAX_MOVING and rng.random() < 0.5:
        await _start_run(db, rng)


@contextlib.asynccontextmanager
async def keep_moving(db: Database, seconds: float = STEP_SECONDS) -> AsyncIterator[None]:
    """Run `step` every few seconds in the background while the server runs."""
    rng = random.Random()

    async def loop() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await step(db, rng)
            except GatewayError:
                log.exception("demo step failed; trying again next tick")

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

"""The demo executor, under `serve --demo`: starts runs now and then, and advances every active run
(also those started with `startRun` or by a schedule) through realistic states.

It behaves like a real executor: it only reports activity progress through the lifecycle use cases,
so the runs' statuses, times and statistics roll up by the same rules as in production, and every
step is a real, evented change (subscribers and `statusHistory` see it).
"""

from __future__ import annotations

import dataclasses
import logging
import random
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import GatewayError
from gateway.domain.models import Activity, Run, RunStatistics, Trigger
from gateway.domain.paging import PageRequest
from gateway.domain.rollup import rolled_up_status
from gateway.domain.run_errors import ErrorCategory, RunError
from gateway.domain.sources import TriggerType
from gateway.domain.specs import ActivityPatch, RunPatch
from gateway.domain.starts import StartOptions
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.services import lifecycle
from gateway.services import runs as run_service
from gateway.services.actor import Actor
from gateway.services.background import periodically
from gateway.store import activities, processes, runs
from gateway.store.protocol import Database

log = logging.getLogger("gateway.demo")
STEP_SECONDS = 3.0
MAX_MOVING = 4
MAX_ADVANCED = 50
ACTOR = Actor(name="demo-executor")
EVERYTHING = PageRequest(limit=500, forward=True, cursor=None)
COMPLETED = (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED_WITH_WARNINGS, RunStatus.PARTIALLY_SUCCEEDED)


async def _start_run(db: Database, rng: random.Random) -> None:
    async with db.read() as conn:
        page = await processes.page(conn, EVERYTHING)
    candidates = [
        p
        for p in page.items
        if p.activity_definitions and p.readiness_status is ReadinessStatus.READY
    ]
    if not candidates:
        return
    process = rng.choice(candidates)
    options = StartOptions(
        display_name=f"{process.display_name} (live demo)",
        trigger=Trigger(type=TriggerType.MANUAL, invoked_by="demo"),
    )
    await lifecycle.start_run(db, process.id, options, ACTOR)


def _outcome(rng: random.Random, now_patch: ActivityPatch) -> ActivityPatch:
    """How a running activity ends: mostly well, sometimes with warnings, errors or a failure."""
    processed = rng.randint(100, 5000)
    roll = rng.random()
    if roll < 0.05:
        return ActivityPatch(
            status=RunStatus.FAILED,
            end_date_time=now_patch.end_date_time,
            statistics=RunStatistics(processed=processed, errors=1),
            blocking_error=RunError(
                code="SourceUnavailable",
                message="The source system did not answer (demo).",
                category=ErrorCategory.UPSTREAM,
                retryable=True,
            ),
        )
    warnings = rng.randint(1, 20) if 0.05 <= roll < 0.15 else 0
    failed = rng.randint(1, 10) if 0.15 <= roll < 0.22 else 0
    return ActivityPatch(
        status=RunStatus.SUCCEEDED,
        end_date_time=now_patch.end_date_time,
        statistics=RunStatistics(
            processed=processed,
            added=rng.randint(0, processed // 10),
            updated=rng.randint(0, processed // 10),
            failed=failed,
            errors=failed,
            warnings=warnings,
        ),
    )


RUNNING_LIKE = frozenset({RunStatus.RUNNING, RunStatus.FINALIZING, RunStatus.CANCELLING})
WAITING_LIKE = frozenset({RunStatus.QUEUED, RunStatus.STARTING, RunStatus.WAITING})


def _next_patch(
    run: Run, acts: Sequence[Activity], rng: random.Random
) -> tuple[Activity, ActivityPatch] | None:
    """The next piece of progress of `run`: finish a running activity, resume a waiting one,
    skip one whose upstream did not complete, or start one whose upstream completed. None when
    every activity has finished."""
    now = utc_now()
    status = {a.key: a.status for a in acts}
    for a in acts:
        if a.status in RUNNING_LIKE or (
            a.status in WAITING_LIKE and run.status is RunStatus.CANCELLING
        ):
            if run.status is RunStatus.CANCELLING or a.status is RunStatus.CANCELLING:
                return a, ActivityPatch(
                    status=RunStatus.CANCELLED,
                    start_date_time=a.start_date_time or now,
                    end_date_time=now,
                )
            ended = _outcome(rng, ActivityPatch(end_date_time=now))
            return a, dataclasses.replace(ended, start_date_time=a.start_date_time or now)
    for a in acts:
        if a.status in WAITING_LIKE:
            return a, ActivityPatch(
                status=RunStatus.RUNNING, start_date_time=a.start_date_time or now
            )
    for a in acts:
        if a.status is not RunStatus.PENDING:
            continue
        # An upstream key the run does not have (a definition changed since) does not block.
        upstream = [status.get(k, RunStatus.SUCCEEDED) for k in a.depends_on]
        if run.status is RunStatus.CANCELLING or any(
            s.is_terminal and s not in COMPLETED for s in upstream
        ):
            return a, ActivityPatch(status=RunStatus.SKIPPED)
        if all(s in COMPLETED for s in upstream):
            return a, ActivityPatch(status=RunStatus.RUNNING, start_date_time=now)
    return None


async def _finish(db: Database, run: Run, acts: Sequence[Activity]) -> None:
    """Close a run whose activities have all finished (or that has none) by the roll-up rules."""
    now = utc_now()
    status = rolled_up_status(run.status, acts) if acts else RunStatus.SUCCEEDED
    if run.status is RunStatus.CANCELLING or not status.is_terminal:
        status = RunStatus.CANCELLED if run.status is RunStatus.CANCELLING else RunStatus.SUCCEEDED
    start = run.start_date_time or now
    patch = RunPatch(status=status, start_date_time=start, end_date_time=max(start, now))
    await run_service.update_run(db, run.id, patch, run.e_tag, ACTOR)


async def _advance(db: Database, run: Run, rng: random.Random) -> None:
    async with db.read() as conn:
        acts = await activities.for_run(conn, run.id)
    step = _next_patch(run, acts, rng)
    if step is None:
        await _finish(db, run, acts)
        return
    activity, patch = step
    await lifecycle.update_activity(db, activity.id, patch, activity.e_tag, ACTOR)


async def step(db: Database, rng: random.Random) -> None:
    """One tick of the demo: advance every active run by one step, and start a run if few move."""
    async with db.read() as conn:
        moving = await runs.active(conn, MAX_ADVANCED)
    for run in moving:
        try:
            await _advance(db, run, rng)
        except GatewayError as exc:  # a client changed the run meanwhile: next tick sees it
            log.info("demo executor skipped run %s: %s", run.id, exc.message)
    if len(moving) < MAX_MOVING and rng.random() < 0.5:
        await _start_run(db, rng)


def keep_moving(db: Database, seconds: float = STEP_SECONDS) -> AbstractAsyncContextManager[None]:
    """Run `step` every few seconds in the background while the server runs."""
    rng = random.Random()
    return periodically(lambda: step(db, rng), seconds, log)

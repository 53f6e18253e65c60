"""Lifecycle use cases: start, progress, cancel and retry runs (bulk changes: `services.bulk`).

Each is one transaction that validates, saves and appends its run events; they raise only
`gateway.domain.exceptions` errors, and nothing is changed when they raise.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import (
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
)
from gateway.domain.lifecycle import check_if_match
from gateway.domain.models import Activity, Run, RunChangeKind, RunEvent
from gateway.domain.rollup import roll_up
from gateway.domain.sources import TriggerType
from gateway.domain.specs import ActivityPatch, apply_activity_patch
from gateway.domain.starts import (
    MAX_WAIT_SECONDS,
    NOT_COUNTED,
    StartOptions,
    cancel,
    check_idempotency_key,
    check_throttle,
    fingerprint,
    retry_spec,
    start_spec,
)
from gateway.services.actor import Actor, key_namespace
from gateway.services.runs import insert_run, load_run, lost_race, record
from gateway.store import activities, idempotency, processes, runs, schedules
from gateway.store.protocol import Database, Transaction


@dataclass(frozen=True, slots=True)
class Started:
    run: Run
    replayed: bool


async def _save_run(
    tx: Transaction, current: Run, updated: Run, actor: Actor, reason: str | None = None
) -> None:
    if updated is current:
        return
    if not await runs.update(tx, updated, current.version):
        raise lost_race("run", current.id, current.e_tag)
    await record(tx, updated, RunChangeKind.UPDATED, current.status, actor, reason)


async def _replay(
    tx: Transaction, operation: str, key: str | None, digest: str, now: datetime
) -> Run | None:
    """The run a previous request with `key` made, if it was the same request."""
    if key is None:
        return None
    remembered = await idempotency.recall(tx, operation, key, now)
    if remembered is None:
        return None
    if remembered.request_hash != digest:
        raise IdempotencyKeyReusedError(key)
    found = await runs.get(tx, remembered.result_id)
    if found is None:
        raise NotFoundError("run", remembered.result_id)  # the run made then was deleted since
    return found


async def start_run(
    db: Database,
    process_id: str,
    options: StartOptions,
    actor: Actor,
    *,
    idempotency_key: str | None = None,
    slot: datetime | None = None,
    reason: str | None = None,
) -> Started:
    """Start a run of a process: one activity per enabled definition, status PENDING; `reason`
    (default "scheduled" or "started") is kept in its status history."""
    key = check_idempotency_key(idempotency_key)
    digest = fingerprint(
        "startRun",
        {"process": process_id, "options": dataclasses.asdict(options)},
    )
    async with db.transaction() as tx:
        now = utc_now()
        operation = key_namespace("startRun", actor)
        replayed = await _replay(tx, operation, key, digest, now)
        if replayed is not None:
            return Started(replayed, True)
        process = await processes.get(tx, process_id)
        if process is None or not actor.workspaces.allows(process.workspace_id):
            raise NotFoundError("process", process_id)
        spec = start_spec(process, options)
        if process.throttle is not None:
            since = now - timedelta(seconds=process.throttle.window_seconds)
            starts = await runs.counted_starts(tx, process.id, since, NOT_COUNTED)
            check_throttle(process, process.throttle, starts, now)
        reason = reason or ("scheduled" if slot is not None else "started")
        run = (await insert_run(tx, process, spec, actor, reason=reason))[0]
        if slot is not None and not await schedules.claim_slot(tx, process.id, slot, run.id, now):
            raise ConflictError(
                f"The schedule slot {slot.isoformat()} of {process.id!r} already fired."
            )
        if key is not None:
            await idempotency.remember(tx, operation, key, digest, run.id, now)
        return Started(run, False)


async def wait_until_finished(db: Database, run: Run, seconds: float) -> Run:
    """`run` as it is once it has finished, or after `seconds` (at most `MAX_WAIT_SECONDS`)."""
    if run.status.is_terminal or seconds <= 0:
        return run
    changed = asyncio.Event()

    async def listen(batch: Sequence[RunEvent]) -> None:
        if any(e.run_id == run.id for e in batch):
            changed.set()

    db.on_commit(listen)
    deadline = asyncio.get_running_loop().time() + min(seconds, MAX_WAIT_SECONDS)
    try:
        current: Run | None = run
        while True:
            async with db.read() as conn:
                current = await runs.get(conn, run.id)
            if current is None or current.status.is_terminal:
                return current or run
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return current
            changed.clear()
            # Another server process may finish the run: look again at least once a second.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=min(left, 1.0))
    finally:
        db.remove_listener(listen)


async def update_activity(
    db: Database, id: str, patch: ActivityPatch, if_match: str | None, actor: Actor
) -> tuple[Activity, Run]:
    """Change an activity; its run's status, times and statistics follow (`domain.rollup`)."""
    async with db.transaction() as tx:
        current = (await activities.get_many(tx, [id])).get(id)
        if current is None or not actor.workspaces.allows(current.workspace_id):
            raise NotFoundError("activity", id)
        check_if_match("activity", id, current.e_tag, if_match)
        now = utc_now()
        updated = apply_activity_patch(current, patch, now=now)
        if not await activities.update(tx, updated, current.version):
            raise lost_race("activity", id, current.e_tag)
        run = await load_run(tx, current.run_id, actor)
        rolled = roll_up(run, await activities.for_run(tx, run.id), now=now)
        await _save_run(tx, run, rolled, actor, f"activity {current.key}")
        return updated, rolled


async def cancel_in(
    tx: Transaction, run: Run, reason: str | None, actor: Actor, *, save: bool = True
) -> Run:
    now = utc_now()
    cancelled, changed = cancel(run, await activities.for_run(tx, run.id), now=now)
    if not save:
        return cancelled
    for activity in changed:
        if not await activities.update(tx, activity, activity.version - 1):
            raise lost_race("activity", activity.id, activity.e_tag)
    await _save_run(tx, run, cancelled, actor, reason or "cancelled")
    return cancelled


async def cancel_run(
    db: Database, id: str, reason: str | None, if_match: str | None, actor: Actor
) -> Run:
    """Cancel an active run: CANCELLING while activities still run, then CANCELLED."""
    async with db.transaction() as tx:
        run = await load_run(tx, id, actor)
        check_if_match("run", id, run.e_tag, if_match)
        return await cancel_in(tx, run, reason, actor)


async def retry_run(
    db: Database,
    id: str,
    *,
    from_failure: bool,
    options: StartOptions,
    actor: Actor,
    idempotency_key: str | None = None,
) -> Started:
    """A new attempt of a finished run, linked to it; it becomes the latest attempt."""
    key = check_idempotency_key(idempotency_key)
    digest = fingerprint(
        "retryRun",
        {"run": id, "fromFailure": from_failure, "options": dataclasses.asdict(options)},
    )
    async with db.transaction() as tx:
        now = utc_now()
        operation = key_namespace("retryRun", actor)
        replayed = await _replay(tx, operation, key, digest, now)
        if replayed is not None:
            return Started(replayed, True)
        previous = await load_run(tx, id, actor)
        process = await processes.get(tx, previous.process_id)
        if process is None:  # the foreign key makes this impossible
            raise NotFoundError("process", previous.process_id)
        if options.trigger.type is TriggerType.UNKNOWN:
            options = dataclasses.replace(
                options, trigger=dataclasses.replace(options.trigger, type=TriggerType.RETRY)
            )
        spec = retry_spec(
            previous,
            await activities.for_run(tx, previous.id),
            from_failure=from_failure,
            options=options,
        )
        run = (await insert_run(tx, process, spec, actor, reason="retried", previous=previous))[0]
        superseded = dataclasses.replace(
            previous,
            is_latest_attempt=False,
            last_modified_date_time=now,
            version=previous.version + 1,
        )
        await _save_run(tx, previous, superseded, actor, f"retried as {run.id}")
        rolled = roll_up(run, await activities.for_run(tx, run.id), now=now)
        await _save_run(tx, run, rolled, actor, "carried over")
        if key is not None:
            await idempotency.remember(tx, operation, key, digest, run.id, now)
        return Started(rolled, False)

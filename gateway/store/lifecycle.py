"""Lifecycle use cases: start, progress, cancel, retry and bulk changes of runs.

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

from gateway.domain.clock import to_micros, utc_now
from gateway.domain.exceptions import (
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    ValidationError,
)
from gateway.domain.lifecycle import check_if_match
from gateway.domain.models import Activity, Run, RunEvent, RunEventKind
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
from gateway.domain.status import RunStatus
from gateway.store import activities, idempotency, processes, runs
from gateway.store.commands import (
    Actor,
    delete_attempt,
    insert_run,
    key_namespace,
    load_run,
    lost_race,
    record,
)
from gateway.store.database import Database, Transaction
from gateway.store.paging import ListQuery

MAX_BULK_RUNS = 1000
BULK_SAMPLE = 10


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
    await record(tx, updated, RunEventKind.UPDATED, current.status, actor, reason)


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
) -> Started:
    """Start a run of a process: one activity per enabled definition, status PENDING."""
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
        reason = "scheduled" if slot is not None else "started"
        run = (await insert_run(tx, process, spec, actor, reason=reason))[0]
        if slot is not None:
            await _claim_slot(tx, process.id, slot, run.id, now)
        if key is not None:
            await idempotency.remember(tx, operation, key, digest, run.id, now)
        return Started(run, False)


async def _claim_slot(
    tx: Transaction, process_id: str, slot: datetime, run_id: str, now: datetime
) -> None:
    """Mark a schedule slot fired by `run_id`; a slot fired before (by any server process) is a
    conflict, which rolls the new run back."""
    claimed = await tx.execute(
        "INSERT INTO schedule_slots (process_id, slot, run_id, fired_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (process_id, to_micros(slot), run_id, to_micros(now)),
    )
    if claimed == 0:
        raise ConflictError(
            f"The schedule slot {slot.isoformat()} of {process_id!r} already fired."
        )


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


async def _cancel(
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
        return await _cancel(tx, run, reason, actor)


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


@dataclass(frozen=True, slots=True)
class Outcome:
    run: Run
    changed: bool
    status: RunStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BulkResult:
    matched: int
    changed: int
    outcomes: list[Outcome]
    dry_run: bool


async def _bulk_targets(tx: Transaction, query: ListQuery) -> list[Run]:
    found = await runs.matching(tx, query, MAX_BULK_RUNS + 1)
    if len(found) > MAX_BULK_RUNS:
        raise ValidationError(
            "filter",
            f"matches more than {MAX_BULK_RUNS} runs, the most one request changes; narrow it "
            "(for example by startDateTime) and repeat.",
        )
    return found


async def cancel_runs(db: Database, query: ListQuery, *, dry_run: bool, actor: Actor) -> BulkResult:
    """Cancel every active run of the list; finished runs are reported and left alone."""
    async with db.transaction() as tx:
        outcomes = []
        for run in await _bulk_targets(tx, query):
            if not run.status.is_active:
                outcomes.append(Outcome(run, False, run.status, f"already {run.status.value}"))
            else:
                cancelled = await _cancel(tx, run, "bulk cancel", actor, save=not dry_run)
                outcomes.append(Outcome(run if dry_run else cancelled, True, cancelled.status))
        return BulkResult(len(outcomes), sum(o.changed for o in outcomes), outcomes, dry_run)


async def _blocked_attempts(tx: Transaction, targets: list[Run]) -> dict[str, tuple[str, int]]:
    """The finished targets a bulk delete keeps, each with the latest attempt that retries it
    and is kept: an attempt outside the targets, or kept itself (so a whole chain is kept)."""
    deleted = {r.id for r in targets if r.status.is_terminal}
    links = {
        r.id: await runs.later_attempts(tx, r)
        for r in targets
        if r.id in deleted and not r.is_latest_attempt
    }
    blocked: dict[str, tuple[str, int]] = {}
    changed = True
    while changed:
        changed = False
        for id, later in links.items():
            left = [attempt for attempt in later if attempt[0] not in deleted]
            if id in deleted and left:
                deleted.discard(id)
                blocked[id] = left[0]
                changed = True
    return blocked


async def delete_runs(db: Database, query: ListQuery, *, dry_run: bool, actor: Actor) -> BulkResult:
    """Delete every finished run of the list; active runs are reported and left alone."""
    async with db.transaction() as tx:
        outcomes = []
        targets = await _bulk_targets(tx, query)
        blocked = await _blocked_attempts(tx, targets)
        deleted = frozenset(r.id for r in targets if r.status.is_terminal) - blocked.keys()
        for run in targets:
            if not run.status.is_terminal:
                outcomes.append(
                    Outcome(run, False, run.status, f"{run.status.value}: cancel it first")
                )
            elif run.id in blocked:
                later_id, number = blocked[run.id]
                reason = f"retried by attempt {number} ({later_id}): delete it first"
                outcomes.append(Outcome(run, False, run.status, reason))
            else:
                if not dry_run:
                    await delete_attempt(tx, run, actor, deleted=deleted, reason="bulk delete")
                outcomes.append(Outcome(run, True, run.status))
        return BulkResult(len(outcomes), sum(o.changed for o in outcomes), outcomes, dry_run)

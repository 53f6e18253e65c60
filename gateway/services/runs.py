"""Run use cases: create, update and delete a run, and the helpers every run use case shares
(load a visible run, append its run event, a lost race).

Each is one transaction; they raise only `gateway.domain.exceptions` errors, and nothing is changed
when they raise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import (
    InvalidTransitionError,
    LaterAttemptExistsError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from gateway.domain.ids import IdKind, new_id
from gateway.domain.lifecycle import check_if_match
from gateway.domain.models import Activity, Process, Run, RunChangeKind
from gateway.domain.specs import RunPatch, RunSpec, apply_run_patch, build_run
from gateway.domain.starts import link_attempt
from gateway.domain.status import RunStatus
from gateway.services.actor import Actor
from gateway.store import activities, events, processes, runs
from gateway.store.protocol import Database, Transaction


async def record(
    tx: Transaction,
    run: Run,
    kind: RunChangeKind,
    before: RunStatus | None,
    actor: Actor,
    reason: str | None = None,
) -> None:
    """Append the run event of a change by `actor`, in the change's transaction."""
    await events.append(
        tx,
        run,
        kind,
        from_status=before,
        actor=actor.name,
        reason=reason,
        request_id=actor.request_id,
    )


async def load_run(tx: Transaction, id: str, actor: Actor) -> Run:
    found = await runs.get(tx, id)
    if found is None or not actor.workspaces.allows(found.workspace_id):
        raise NotFoundError("run", id)
    return found


def lost_race(kind: str, id: str, current_e_tag: str) -> PreconditionFailedError:
    return PreconditionFailedError(kind, id, current_e_tag, "(read before this change)")


async def insert_run(
    tx: Transaction,
    process: Process,
    spec: RunSpec,
    actor: Actor,
    *,
    reason: str | None = None,
    previous: Run | None = None,
    now: datetime | None = None,
) -> tuple[Run, list[Activity]]:
    """A new run of `process` and its activities, saved with its CREATED event; the latest
    attempt after `previous` when it retries one. `now` is its creation time (default: now)."""
    run, created = build_run(
        spec,
        process=process,
        id=new_id(IdKind.RUN),
        activity_ids=[new_id(IdKind.ACTIVITY) for _ in spec.activities],
        now=now or utc_now(),
    )
    if previous is not None:
        run = link_attempt(run, previous)
    await runs.insert(tx, run)
    await activities.insert_many(tx, created)
    await record(tx, run, RunChangeKind.CREATED, None, actor, reason)
    return run, created


async def create_run(
    db: Database, process_id: str, spec: RunSpec, actor: Actor
) -> tuple[Run, list[Activity]]:
    async with db.transaction() as tx:
        process = await processes.get(tx, process_id)
        if process is None or not actor.workspaces.allows(process.workspace_id):
            raise ValidationError("processId", f"no process has the id {process_id!r}.")
        return await insert_run(tx, process, spec, actor)


async def update_run(
    db: Database, id: str, patch: RunPatch, if_match: str | None, actor: Actor
) -> Run:
    async with db.transaction() as tx:
        current = await load_run(tx, id, actor)
        check_if_match("run", id, current.e_tag, if_match)
        updated = apply_run_patch(current, patch, now=utc_now())
        if not await runs.update(tx, updated, current.version):
            raise lost_race("run", id, current.e_tag)
        await record(tx, updated, RunChangeKind.UPDATED, current.status, actor)
        return updated


async def delete_run(db: Database, id: str, if_match: str | None, actor: Actor) -> Run:
    async with db.transaction() as tx:
        current = await load_run(tx, id, actor)
        check_if_match("run", id, current.e_tag, if_match)
        if not current.status.is_terminal:
            raise InvalidTransitionError(
                current.status,
                current.status,
                f"The run {id!r} is {current.status.value}; only a finished run can be deleted. "
                "Cancel it first.",
            )
        # A retry marks the run it retries as no longer the latest attempt.
        later = [] if current.is_latest_attempt else await runs.later_attempts(tx, current)
        if later:
            raise LaterAttemptExistsError(id, *later[0])
        await delete_attempt(tx, current, actor, deleted=frozenset({id}))
        return current


async def delete_attempt(
    tx: Transaction, run: Run, actor: Actor, *, deleted: frozenset[str], reason: str | None = None
) -> None:
    """Delete `run` (no later attempt names it); when it was the latest attempt, the attempt
    before it becomes the latest again, unless it is among the `deleted` runs too."""
    await runs.delete(tx, run.id)
    await record(tx, run, RunChangeKind.DELETED, run.status, actor, reason)
    previous_id = run.previous_attempt_run_id
    if not run.is_latest_attempt or previous_id is None or previous_id in deleted:
        return
    previous = await runs.get(tx, previous_id)
    if previous is None or previous.is_latest_attempt:
        return
    latest = replace(
        previous,
        is_latest_attempt=True,
        last_modified_date_time=utc_now(),
        version=previous.version + 1,
    )
    if not await runs.update(tx, latest, previous.version):
        raise lost_race("run", previous.id, previous.e_tag)
    await record(tx, latest, RunChangeKind.UPDATED, previous.status, actor, f"{run.id} deleted")

"""Write use cases: each is one transaction that validates, saves and appends its run events.

Resolvers call these; they raise only `gateway.domain.exceptions` errors, and nothing is changed
when they raise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from gateway.domain.auth import ALL_WORKSPACES, Workspaces
from gateway.domain.clock import utc_now
from gateway.domain.exceptions import (
    ConflictError,
    IdempotencyKeyReusedError,
    InvalidTransitionError,
    LaterAttemptExistsError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
)
from gateway.domain.ids import IdKind, new_id
from gateway.domain.lifecycle import check_if_match
from gateway.domain.models import Activity, Process, Run, RunEventKind
from gateway.domain.process_specs import (
    IfExists,
    ProcessPatch,
    ProcessSpec,
    apply_process_patch,
    build_process,
    patch_of,
)
from gateway.domain.specs import (
    RunPatch,
    RunSpec,
    apply_run_patch,
    build_run,
)
from gateway.domain.starts import check_idempotency_key, fingerprint, link_attempt
from gateway.domain.status import RunStatus
from gateway.store import activities, events, idempotency, processes, runs, workspaces
from gateway.store.database import Database, Transaction


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a change (for the run events), and the workspaces it may change: a record
    outside them is not found, exactly like a missing one."""

    name: str | None = None
    request_id: str | None = None
    workspaces: Workspaces = ALL_WORKSPACES


async def _process(tx: Transaction, id: str, actor: Actor) -> Process:
    found = await processes.get(tx, id)
    if found is None or not actor.workspaces.allows(found.workspace_id):
        raise NotFoundError("process", id)
    return found


async def record(
    tx: Transaction,
    run: Run,
    kind: RunEventKind,
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


def key_namespace(operation: str, actor: Actor) -> str:
    """Idempotency keys are the caller's own: two tokens may use the same key."""
    return f"{operation}/{actor.name}" if actor.name else operation


@dataclass(frozen=True, slots=True)
class ProcessCreated:
    """What `create_process` did: made `process`, or found it (and perhaps changed it)."""

    process: Process
    created: bool
    replayed: bool = False


async def create_process(
    db: Database,
    spec: ProcessSpec,
    actor: Actor,
    *,
    if_exists: IfExists = IfExists.ERROR,
    idempotency_key: str | None = None,
) -> ProcessCreated:
    """A new process, safe to re-run: a process with the same identity (workspace, source, kind,
    sourceId) is refused, returned or updated as `if_exists` says; a repeated idempotency key
    returns the first result."""
    key = check_idempotency_key(idempotency_key)
    digest = fingerprint("createProcess", {"spec": asdict(spec), "ifExists": if_exists.value})
    async with db.transaction() as tx:
        now = utc_now()
        operation = key_namespace("createProcess", actor)
        remembered = await idempotency.recall(tx, operation, key, now) if key else None
        if key is not None and remembered is not None:
            if remembered.request_hash != digest:
                raise IdempotencyKeyReusedError(key)
            first = await _process(tx, remembered.result_id, actor)
            return ProcessCreated(first, created=False, replayed=True)
        visible = actor.workspaces.allows(spec.workspace_id)
        if not visible or not await workspaces.get_many(tx, [spec.workspace_id]):
            raise ValidationError("workspaceId", f"no workspace has the id {spec.workspace_id!r}.")
        process = build_process(spec, id=new_id(IdKind.PROCESS), now=now)
        existing = None
        if spec.source_id is not None:
            existing = await processes.find(
                tx, process.workspace_id, process.source, process.kind, process.source_id
            )
        if existing is None:
            await processes.insert(tx, process)
            result = ProcessCreated(process, created=True)
        elif if_exists is IfExists.ERROR:
            raise ConflictError(
                f"A {process.source.value} process of kind {process.kind.value} with the "
                f"sourceId {process.source_id!r} exists already: {existing.id!r}. Pass "
                "ifExists: RETURN_EXISTING or UPDATE_EXISTING to make a setup safe to re-run.",
                existing_id=existing.id,
            )
        elif if_exists is IfExists.RETURN_EXISTING:
            result = ProcessCreated(existing, created=False)
        else:
            result = ProcessCreated(await _update_to(tx, existing, spec, now), created=False)
        if key is not None:
            await idempotency.remember(tx, operation, key, digest, result.process.id, now)
        return result


async def _update_to(
    tx: Transaction, existing: Process, spec: ProcessSpec, now: datetime
) -> Process:
    """`existing` changed to match `spec`; unchanged (same version) when it matches already."""
    updated = apply_process_patch(existing, patch_of(spec), now=now)
    same = replace(
        updated,
        version=existing.version,
        last_modified_date_time=existing.last_modified_date_time,
    )
    if same == existing:
        return existing
    if not await processes.update(tx, updated, existing.version):
        raise lost_race("process", existing.id, existing.e_tag)
    return updated


async def update_process(
    db: Database, id: str, patch: ProcessPatch, if_match: str | None, actor: Actor
) -> Process:
    async with db.transaction() as tx:
        current = await _process(tx, id, actor)
        check_if_match("process", id, current.e_tag, if_match)
        updated = apply_process_patch(current, patch, now=utc_now())
        if not await processes.update(tx, updated, current.version):
            raise lost_race("process", id, current.e_tag)
        return updated


async def delete_process(db: Database, id: str, if_match: str | None, actor: Actor) -> Process:
    async with db.transaction() as tx:
        current = await _process(tx, id, actor)
        check_if_match("process", id, current.e_tag, if_match)
        if await processes.has_runs(tx, id):
            raise ConflictError(
                f"The process {id!r} still has runs; delete them first (deleteRuns) so that "
                "no run history is lost by accident."
            )
        await processes.delete(tx, id)
        return current


async def insert_run(
    tx: Transaction,
    process: Process,
    spec: RunSpec,
    actor: Actor,
    *,
    reason: str | None = None,
    previous: Run | None = None,
) -> tuple[Run, list[Activity]]:
    """A new run of `process` and its activities, saved with its CREATED event; the latest
    attempt after `previous` when it retries one."""
    run, created = build_run(
        spec,
        process=process,
        id=new_id(IdKind.RUN),
        activity_ids=[new_id(IdKind.ACTIVITY) for _ in spec.activities],
        now=utc_now(),
    )
    if previous is not None:
        run = link_attempt(run, previous)
    await runs.insert(tx, run)
    await activities.insert_many(tx, created)
    await record(tx, run, RunEventKind.CREATED, None, actor, reason)
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
        await record(tx, updated, RunEventKind.UPDATED, current.status, actor)
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
    await record(tx, run, RunEventKind.DELETED, run.status, actor, reason)
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
    await record(tx, latest, RunEventKind.UPDATED, previous.status, actor, f"{run.id} deleted")

"""Process use cases: create, update and delete a process definition, one transaction each."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import (
    ConflictError,
    IdempotencyKeyReusedError,
    NotFoundError,
    ValidationError,
)
from gateway.domain.ids import IdKind, new_id
from gateway.domain.lifecycle import check_if_match
from gateway.domain.models import Process
from gateway.domain.process_specs import (
    IfExists,
    ProcessPatch,
    ProcessSpec,
    apply_process_patch,
    build_process,
    patch_of,
)
from gateway.domain.starts import check_idempotency_key, fingerprint
from gateway.services.actor import Actor, key_namespace
from gateway.services.runs import lost_race
from gateway.store import idempotency, processes, workspaces
from gateway.store.protocol import Database, Transaction


async def _process(tx: Transaction, id: str, actor: Actor) -> Process:
    found = await processes.get(tx, id)
    if found is None or not actor.workspaces.allows(found.workspace_id):
        raise NotFoundError("process", id)
    return found


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

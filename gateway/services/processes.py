"""Process use cases: create, update and delete a process definition, one transaction each."""

from __future__ import annotations

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import ConflictError, NotFoundError, ValidationError
from gateway.domain.ids import IdKind, new_id
from gateway.domain.lifecycle import check_if_match
from gateway.domain.models import Process
from gateway.domain.process_specs import (
    ProcessPatch,
    ProcessSpec,
    apply_process_patch,
    build_process,
)
from gateway.services.actor import Actor
from gateway.services.runs import lost_race
from gateway.store import processes, workspaces
from gateway.store.protocol import Database, Transaction


async def _process(tx: Transaction, id: str, actor: Actor) -> Process:
    found = await processes.get(tx, id)
    if found is None or not actor.workspaces.allows(found.workspace_id):
        raise NotFoundError("process", id)
    return found


async def create_process(db: Database, spec: ProcessSpec, actor: Actor) -> Process:
    async with db.transaction() as tx:
        visible = actor.workspaces.allows(spec.workspace_id)
        if not visible or not await workspaces.get_many(tx, [spec.workspace_id]):
            raise ValidationError("workspaceId", f"no workspace has the id {spec.workspace_id!r}.")
        process = build_process(spec, id=new_id(IdKind.PROCESS), now=utc_now())
        await processes.insert(tx, process)
        return process


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

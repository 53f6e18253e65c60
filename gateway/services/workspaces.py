"""Workspaces: create one (a name, optionally the platform and its id for it), list them."""

from __future__ import annotations

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import ValidationError
from gateway.domain.ids import IdKind, new_id
from gateway.domain.models import Workspace
from gateway.domain.sources import Source
from gateway.store import workspaces
from gateway.store.protocol import Database

MAX_NAME = 200


async def create(
    db: Database, *, display_name: str, source: Source | None = None, source_id: str | None = None
) -> Workspace:
    """A new workspace, in one transaction. The name must be new; so must (source, sourceId)."""
    name = display_name.strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationError("name", f"give a name of 1 to {MAX_NAME} characters.")
    if source_id is not None and source is None:
        raise ValidationError("source-id", "a platform id needs its platform (--source).")
    async with db.transaction() as tx:
        for existing in await workspaces.list_all(tx):
            if existing.display_name == name:
                raise ValidationError("name", f"the workspace {existing.id} is named {name!r}.")
            if (
                source is not None
                and source_id is not None
                and ((existing.source, existing.source_id) == (source, source_id))
            ):
                raise ValidationError(
                    "source-id", f"the workspace {existing.id} is {source.value} {source_id!r}."
                )
        workspace = Workspace(
            id=new_id(IdKind.WORKSPACE),
            display_name=name,
            source=source,
            source_id=source_id,
            created_date_time=utc_now(),
        )
        await workspaces.insert(tx, workspace)
    return workspace


async def list_all(db: Database) -> list[Workspace]:
    async with db.read() as conn:
        return await workspaces.list_all(conn)

"""Recording, listing and removing connections. A connection names the environment variable of
its credential; the credential itself is never given to these, nor stored."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from gateway.domain.auth import Workspaces
from gateway.domain.clock import utc_now
from gateway.domain.connections import (
    DEFAULT_INTERVAL,
    Connection,
    SyncReport,
    check_connection_name,
    check_credential_env,
    check_endpoint,
    check_interval,
    check_options,
)
from gateway.domain.exceptions import ConflictError, NotFoundError, ValidationError
from gateway.domain.ids import IdKind, new_id
from gateway.platforms import registry
from gateway.store import connections as store
from gateway.store import workspaces
from gateway.store.protocol import Database


async def add_connection(
    db: Database,
    *,
    name: str,
    platform: str,
    endpoint: str,
    workspace_id: str,
    credential_env: str | None = None,
    options: Mapping[str, str] | None = None,
    interval: timedelta = DEFAULT_INTERVAL,
) -> Connection:
    """Record a connection; a bad field is a `ValidationError` naming it, a taken name a conflict."""
    check_connection_name(name)
    if platform not in registry.PLATFORMS:
        raise ValidationError(
            "platform", f"{platform!r} is not one of {', '.join(sorted(registry.PLATFORMS))}."
        )
    elsewhere = registry.PLATFORMS[platform].credential_elsewhere
    if credential_env and elsewhere:
        raise ValidationError("credentialEnv", elsewhere)
    given = check_options(options or {})
    problem = registry.check_options(platform, given)
    if problem:
        raise ValidationError("options", problem)
    now = utc_now()
    connection = Connection(
        id=new_id(IdKind.CONNECTION),
        workspace_id=workspace_id,
        name=name,
        platform=platform,
        endpoint=check_endpoint(endpoint),
        options=given,
        credential_env=check_credential_env(credential_env),
        interval=check_interval(interval),
        created_date_time=now,
        last_modified_date_time=now,
    )
    async with db.transaction() as tx:
        if not await workspaces.get_many(tx, [workspace_id]):
            raise ValidationError("workspace", f"no workspace has the id {workspace_id!r}.")
        if await store.by_name(tx, name) is not None:
            raise ConflictError(f"A connection named {name!r} exists already.")
        await store.insert(tx, connection)
    return connection


async def remove_connection(db: Database, name: str) -> Connection:
    """Remove a connection by name; its processes and runs stay (no longer forwarded)."""
    async with db.transaction() as tx:
        found = await store.by_name(tx, name)
        if found is None:
            raise NotFoundError("connection", name)
        await store.delete(tx, found.id)
    return found


async def list_connections(db: Database) -> list[tuple[Connection, SyncReport | None]]:
    async with db.read() as conn:
        found = await store.list_all(conn)
        last = await store.last_reports(conn, [c.id for c in found])
    return [(c, last.get(c.id)) for c in found]


async def by_names(db: Database, names: Sequence[str]) -> list[Connection]:
    """The named connections (every one when `names` is empty); an unknown name is not found."""
    async with db.read() as conn:
        every = await store.list_all(conn)
    if not names:
        return every
    by_name = {c.name: c for c in every}
    missing = [n for n in names if n not in by_name]
    if missing:
        raise NotFoundError("connection", missing[0])
    return [by_name[n] for n in dict.fromkeys(names)]


async def get_connection(
    db: Database, id: str, visible: Workspaces
) -> tuple[Connection, SyncReport | None] | None:
    """A connection by id with its latest report; None when there is none the caller may see."""
    async with db.read() as conn:
        found = await store.get(conn, id)
        if found is None or not visible.allows(found.workspace_id):
            return None
        last = await store.last_reports(conn, [found.id])
    return found, last.get(found.id)


async def page_connections(
    db: Database, workspace_ids: frozenset[str] | None, after: str | None, size: int
) -> tuple[list[tuple[Connection, SyncReport | None]], bool]:
    """A page of connections by id after `after`, with their latest reports; and whether more follow."""
    async with db.read() as conn:
        found = await store.page(conn, workspace_ids, after, size + 1)
        last = await store.last_reports(conn, [c.id for c in found[:size]])
    return [(c, last.get(c.id)) for c in found[:size]], len(found) > size


async def count_connections(db: Database, workspace_ids: frozenset[str] | None) -> int:
    async with db.read() as conn:
        return await store.count(conn, workspace_ids)

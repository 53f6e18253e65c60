"""The `connections` list and the lookup of one connection by id, confined to the caller's
workspaces."""

from __future__ import annotations

from gateway.api.common.context import Info
from gateway.api.common.relay import Connection, Once
from gateway.api.connections.types import PlatformConnection, connection_type
from gateway.domain.paging import PageRequest, decode_cursor, encode_cursor
from gateway.services import connections as service
from gateway.store.paging import Page

ORDERING = "connections:id"


async def connections(
    info: Info, first: int | None, after: str | None
) -> Connection[PlatformConnection]:
    request = PageRequest.from_arguments(first, after, None, None)
    after_id = str(decode_cursor(after, ORDERING, 1, "after")[0]) if after else None
    db = info.context.db
    ids = info.context.workspaces.ids

    async def page() -> Page[PlatformConnection]:
        found, more = await service.page_connections(db, ids, after_id, request.limit)
        return Page(
            items=[connection_type(c, r) for c, r in found],
            cursors=[encode_cursor(ORDERING, (c.id,)) for c, _ in found],
            has_next_page=more,
            has_previous_page=after_id is not None,
        )

    async def count() -> int:
        return await service.count_connections(db, ids)

    return Connection(page=Once(page), count=count)


async def connection_by_id(info: Info, id: str) -> PlatformConnection | None:
    found = await service.get_connection(info.context.db, id, info.context.workspaces)
    return connection_type(*found) if found else None

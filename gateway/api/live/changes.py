"""`runChanges`, the delta query: the changes since a cursor and the cursor to continue from,
for clients that poll instead of holding a WebSocket."""

from __future__ import annotations

from typing import Annotated, Final

import strawberry

from gateway.api.common.context import Info
from gateway.api.common.node import Filter
from gateway.api.live.types import (
    ChangesAfter,
    ChangesWhere,
    RunChange,
    RunChangePage,
    filter_key,
)
from gateway.domain.change_cursors import decode_change_cursor, encode_change_cursor
from gateway.domain.exceptions import InvalidArgumentError
from gateway.domain.paging import MAX_PAGE_SIZE
from gateway.store import changes

DEFAULT_CHANGES: Final = 100
MAX_SCANNED: Final = 5_000  # events read per call, so a filter that matches little stays cheap
_BATCH: Final = 500

ChangesFirst = Annotated[
    int | None,
    strawberry.argument(
        description=f"Return at most n changes (default {DEFAULT_CHANGES}, at most "
        f"{MAX_PAGE_SIZE})."
    ),
]


async def run_changes(
    info: Info,
    after: ChangesAfter = None,
    filter: Filter = None,
    where: ChangesWhere = None,
    first: ChangesFirst = None,
) -> RunChangePage:
    want = DEFAULT_CHANGES if first is None else first
    if not 1 <= want <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(
            "INVALID_PAGE_SIZE", "first", f"first must be between 1 and {MAX_PAGE_SIZE}."
        )
    key = filter_key(filter, where, info.context.workspaces, info.context.db.dialect)
    position = 0 if after is None else decode_change_cursor(after)
    async with info.context.db.read() as conn:
        found, position, more = await changes.page(
            conn, key, position, want=want, batch=_BATCH, scan=MAX_SCANNED
        )
    return RunChangePage(
        changes=[RunChange.of(change) for change in found],
        cursor=encode_change_cursor(position),
        has_more=more,
    )

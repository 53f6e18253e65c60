"""The root `Subscription` type: live run changes over WebSocket (`graphql-transport-ws`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import strawberry
from starlette.websockets import WebSocket

from gateway.api.common.context import Info
from gateway.api.common.loaders import Loaders
from gateway.api.common.node import Filter
from gateway.api.live.types import ChangesAfter, ChangesWhere, RunChange, filter_key
from gateway.api.live.websocket import close_slow_consumer
from gateway.domain.change_cursors import decode_change_cursor
from gateway.store.changes import Change
from gateway.store.feed import SubscriberTooSlowError


def _close_when_too_slow(info: Info) -> Callable[[], None]:
    """Close the subscriber's WebSocket at once, even while a send to it is stuck."""

    def close() -> None:
        socket = info.context.request
        if isinstance(socket, WebSocket):
            close_slow_consumer(socket)

    return close


async def _deliver(info: Info, source: AsyncIterator[Change]) -> AsyncIterator[RunChange]:
    try:
        async for change in source:
            # The context lives as long as the connection: fresh loaders, so nested fields
            # (activities, process) are read as they are now, not as the first change saw them.
            info.context.loaders = Loaders(info.context.db, info.context.workspaces)
            yield RunChange.of(change)
    except SubscriberTooSlowError:
        return  # the connection is being closed with SLOW_CONSUMER


@strawberry.type(description="Live updates, over a WebSocket speaking `graphql-transport-ws`.")
class Subscription:
    @strawberry.subscription(
        description="Every change to the runs that match `filter` and `where` (the same filter "
        "as `runs`), as it commits, from any server process over the same database. Without "
        "`after` it starts now; with it, it first replays the changes since that cursor."
    )
    async def run_changed(
        self,
        info: Info,
        filter: Filter = None,
        where: ChangesWhere = None,
        after: ChangesAfter = None,
    ) -> AsyncIterator[RunChange]:
        key = filter_key(filter, where, info.context.workspaces, info.context.db.dialect)
        position = None if after is None else decode_change_cursor(after)
        feed = info.context.feed
        if feed is None:
            raise RuntimeError("The change feed is not running.")
        return _deliver(info, feed.changes(key, position, _close_when_too_slow(info)))

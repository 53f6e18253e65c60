"""Relay connections with `nodes` and `totalCount` (OData's `$count`), over keyset cursors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

from gateway.store.paging import Page

NodeT = TypeVar("NodeT")


@strawberry.type(description="Where a page starts and ends, and whether more pages follow.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="True when a page follows this one.")
    has_previous_page: bool = strawberry.field(description="True when a page precedes this one.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first edge; null on an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last edge; pass it as `after` for the next page."
    )


@strawberry.type(description="A node and the cursor that points at it.")
class Edge(Generic[NodeT]):
    node: NodeT = strawberry.field(description="The node.")
    cursor: str = strawberry.field(
        description="An opaque cursor: pass it as `after` or `before` to page from this node."
    )


@strawberry.type(
    description="One page of a list, Relay style. Pages never skip or repeat a node while nodes "
    "are added: cursors are keyset positions, not offsets."
)
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(description="The nodes of this page with cursors.")
    nodes: list[NodeT] = strawberry.field(description="The nodes of this page, without cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page starts and ends.")
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        description="How many nodes the whole list has (OData `$count`). Counted only when "
        "selected."
    )
    async def total_count(self) -> int:
        return await self.count()


def connection(page: Page[NodeT], count: Callable[[], Awaitable[int]]) -> Connection[NodeT]:
    """A connection for a store page; `count` runs only if `totalCount` is selected."""
    return Connection(
        edges=[Edge(node=n, cursor=c) for n, c in zip(page.items, page.cursors, strict=True)],
        nodes=page.items,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        ),
        count=count,
    )

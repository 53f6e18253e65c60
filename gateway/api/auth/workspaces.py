"""The `Workspace` type: a tenant, Databricks workspace, DataZone domain or Data Factory factory."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.api.common.node import Node, served_from
from gateway.domain import models
from gateway.domain.paging import PageRequest, decode_cursor, encode_cursor
from gateway.domain.sources import Source
from gateway.store.paging import Page

ORDERING = "workspaces:id asc"


@strawberry.type(
    description="Where processes and runs live: a Graph tenant, a Databricks workspace, a "
    "DataZone domain or a Data Factory factory."
)
class Workspace(Node):
    display_name: str = strawberry.field(description="The workspace's name.")
    source: Source | None = strawberry.field(
        description="The platform it belongs to; null for the gateway's own workspaces."
    )
    source_id: str | None = strawberry.field(
        description="The platform's id for it (tenant id, workspace URL, domain id)."
    )
    created_date_time: datetime = strawberry.field(description="When it was added.")

    is_type_of = served_from(models.Workspace)


def workspace_page(found: list[models.Workspace], request: PageRequest) -> Page[models.Workspace]:
    """One page of `found` in id order (the order of creation; ids are time-ordered), Relay
    style. Workspaces are few, so the page is cut from the caller's whole list."""
    ordered = sorted(found, key=lambda w: w.id)
    if request.cursor is not None:
        argument = "after" if request.forward else "before"
        (key,) = decode_cursor(request.cursor, ORDERING, 1, argument)
        if not isinstance(key, str):
            key = str(key)
        ordered = [w for w in ordered if (w.id > key if request.forward else w.id < key)]
    if request.forward:
        items = ordered[: request.limit]
        has_next, has_previous = len(ordered) > request.limit, request.cursor is not None
    else:
        items = ordered[-request.limit :] if request.limit else []
        has_next, has_previous = request.cursor is not None, len(ordered) > request.limit
    cursors = [encode_cursor(ORDERING, (w.id,)) for w in items]
    return Page(items, cursors, has_next, has_previous)

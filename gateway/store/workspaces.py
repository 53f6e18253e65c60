"""Workspaces: tenants, Databricks workspaces, DataZone domains, Data Factory factories."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.clock import to_micros
from gateway.domain.models import Workspace
from gateway.store.codec import workspace_from_row
from gateway.store.protocol import Connection

DEFAULT_WORKSPACE_ID = "ws_00000000000000000000000000"

TABLE = "workspaces w"


async def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Workspace]:
    rows = await conn.fetch_by_id("workspaces", ids)
    return {id: workspace_from_row(row) for id, row in rows.items()}


async def list_all(conn: Connection) -> list[Workspace]:
    rows = await conn.fetchall("SELECT * FROM workspaces ORDER BY created_at, id")
    return [workspace_from_row(row) for row in rows]


async def insert(conn: Connection, workspace: Workspace) -> None:
    await conn.execute(
        "INSERT INTO workspaces (id, display_name, source, source_id, created_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (
            workspace.id,
            workspace.display_name,
            workspace.source.value if workspace.source else None,
            workspace.source_id,
            to_micros(workspace.created_date_time),
        ),
    )

"""Exports: every workspace and process, and the runs a filter selects with their activities, read
in id order from one snapshot, a page at a time (constant memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from gateway.domain.auth import ALL_WORKSPACES
from gateway.domain.models import Activity, Process, Run, Workspace
from gateway.domain.paging import PageRequest
from gateway.odata import order_by
from gateway.store import runs, workspaces
from gateway.store.catalogs import RUNS
from gateway.store.codec import activity_from_row, process_from_row
from gateway.store.paging import ListQuery, build_query
from gateway.store.protocol import Database

PAGE = 500
BY_ID = ListQuery(RUNS.entity, order_by(RUNS, []))

Exported = Workspace | Process | Run | Activity


async def export_records(db: Database, *, filter: str | None = None) -> AsyncIterator[Exported]:
    """Workspaces, processes, then each selected run followed by its activities; all by id."""
    query = build_query(RUNS, BY_ID, workspaces=ALL_WORKSPACES, filter=filter)
    async with db.read() as conn:
        await conn.execute("BEGIN")
        try:
            for workspace in sorted(await workspaces.list_all(conn), key=lambda w: w.id):
                yield workspace
            for row in await conn.fetchall("SELECT * FROM processes ORDER BY id"):
                yield process_from_row(row)
            cursor: str | None = None
            while True:
                page = await runs.page(conn, PageRequest(PAGE, True, cursor), query)
                if not page.items:
                    break
                ids = [run.id for run in page.items]
                marks = ", ".join("?" * len(ids))
                rows = await conn.fetchall(
                    f"SELECT * FROM activities WHERE run_id IN ({marks}) "
                    "ORDER BY run_id, sequence, id",
                    ids,
                )
                by_run: dict[str, list[Activity]] = {}
                for row in rows:
                    by_run.setdefault(row["run_id"], []).append(activity_from_row(row))
                for run in page.items:
                    yield run
                    for activity in by_run.get(run.id, ()):
                        yield activity
                if not page.has_next_page:
                    break
                cursor = page.cursors[-1]
        finally:
            await conn.execute("COMMIT")

"""Processes: reads and writes of the `processes` table."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.models import Process
from gateway.domain.paging import PageRequest
from gateway.store.codec import insert_sql, process_from_row, process_to_params, update_sql
from gateway.store.database import Connection, Row
from gateway.store.paging import Ordering, Page, SortKey, fetch_page

NEWEST_FIRST = Ordering("processes.created", (SortKey("p.created_at", True), SortKey("p.id", True)))


def _key(row: Row) -> tuple[int, str]:
    return (row["created_at"], row["id"])


async def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Process]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = await conn.fetchall(f"SELECT * FROM processes WHERE id IN ({marks})", list(ids))
    return {row["id"]: process_from_row(row) for row in rows}


async def get(conn: Connection, id: str) -> Process | None:
    return (await get_many(conn, [id])).get(id)


async def page(conn: Connection, request: PageRequest) -> Page[Process]:
    return await fetch_page(
        conn,
        select="SELECT p.* FROM processes p",
        where=(),
        params=(),
        ordering=NEWEST_FIRST,
        page=request,
        convert=process_from_row,
        key_of=_key,
    )


async def count(conn: Connection) -> int:
    row = await conn.fetchone("SELECT count(*) FROM processes")
    return int(row[0]) if row else 0


async def insert(conn: Connection, process: Process) -> None:
    params = process_to_params(process)
    await conn.execute(insert_sql("processes", params), params)


async def update(conn: Connection, process: Process, expected_version: int) -> bool:
    """Save the next version; False if another writer got there first."""
    params = process_to_params(process)
    changed = await conn.execute(
        update_sql("processes", params), {**params, "expected_version": expected_version}
    )
    return changed == 1


async def delete(conn: Connection, id: str) -> None:
    await conn.execute("DELETE FROM processes WHERE id = ?", (id,))


async def has_runs(conn: Connection, id: str) -> bool:
    row = await conn.fetchone("SELECT 1 FROM runs WHERE process_id = ? LIMIT 1", (id,))
    return row is not None

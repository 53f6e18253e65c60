"""Processes: reads and writes of the `processes` table."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.models import Process
from gateway.domain.paging import PageRequest
from gateway.domain.sources import ProcessKind, Source
from gateway.odata import order_by
from gateway.store import paging
from gateway.store.catalogs import PROCESSES
from gateway.store.codec import insert_sql, process_from_row, process_to_params, update_sql
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection, Row

NEWEST_FIRST = ListQuery(PROCESSES.entity, order_by(PROCESSES, [("createdDateTime", True)]))
TABLE = "processes p"


async def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Process]:
    rows = await conn.fetch_by_id("processes", ids)
    return {id: process_from_row(row) for id, row in rows.items()}


async def get(conn: Connection, id: str) -> Process | None:
    return (await get_many(conn, [id])).get(id)


async def page(
    conn: Connection, request: PageRequest, query: ListQuery = NEWEST_FIRST
) -> Page[Process]:
    return await paging.fetch_page(
        conn, table=TABLE, query=query, page=request, convert=process_from_row
    )


async def rows_page(
    conn: Connection, request: PageRequest, query: ListQuery, columns: Sequence[str]
) -> Page[Row]:
    """One page as plain tuples of `columns` (catalog SQL, alias `p`), not records, with the
    last row's cursor alone."""
    return await paging.fetch_page(
        conn,
        table=TABLE,
        query=query,
        page=request,
        convert=paging.as_is,
        columns=columns,
        cursors="last",
    )


async def rows_by_id(conn: Connection, ids: Sequence[str], columns: Sequence[str]) -> list[Row]:
    """The processes with these ids as plain tuples of `columns` (catalog SQL), in one statement."""
    return await paging.fetch_rows_by_id(conn, table=TABLE, ids=ids, columns=columns)


async def count(conn: Connection, query: ListQuery = NEWEST_FIRST) -> int:
    return await paging.count(conn, table=TABLE, query=query)


async def insert(conn: Connection, process: Process) -> None:
    params = process_to_params(process)
    await conn.execute(insert_sql("processes", params), params)


async def find(
    conn: Connection, workspace_id: str, source: Source, kind: ProcessKind, source_id: str
) -> Process | None:
    """The process with this identity (the table's unique key), if any."""
    row = await conn.fetchone(
        "SELECT * FROM processes "
        "WHERE workspace_id = ? AND source = ? AND kind = ? AND source_id = ?",
        (workspace_id, source.value, kind.value, source_id),
    )
    return process_from_row(row) if row is not None else None


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

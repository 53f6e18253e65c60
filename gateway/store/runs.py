"""Runs: reads and writes of the `runs` table."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.models import Run
from gateway.domain.paging import PageRequest
from gateway.store.codec import insert_sql, run_from_row, run_to_params, update_sql
from gateway.store.database import Connection, Row
from gateway.store.paging import Ordering, Page, SortKey, fetch_page, fetch_pages_by_parent

NEWEST_FIRST = Ordering("runs.created", (SortKey("r.created_at", True), SortKey("r.id", True)))


def _key(row: Row) -> tuple[int, str]:
    return (row["created_at"], row["id"])


async def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Run]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = await conn.fetchall(f"SELECT * FROM runs WHERE id IN ({marks})", list(ids))
    return {row["id"]: run_from_row(row) for row in rows}


async def get(conn: Connection, id: str) -> Run | None:
    return (await get_many(conn, [id])).get(id)


async def page(conn: Connection, request: PageRequest) -> Page[Run]:
    return await fetch_page(
        conn,
        select="SELECT r.* FROM runs r",
        where=(),
        params=(),
        ordering=NEWEST_FIRST,
        page=request,
        convert=run_from_row,
        key_of=_key,
    )


async def count(conn: Connection) -> int:
    row = await conn.fetchone("SELECT count(*) FROM runs")
    return int(row[0]) if row else 0


async def pages_by_process(
    conn: Connection, process_ids: Sequence[str], request: PageRequest
) -> dict[str, Page[Run]]:
    """One page of runs for each process, in one statement."""
    return await fetch_pages_by_parent(
        conn,
        table="runs r",
        parent_column="r.process_id",
        parent_ids=process_ids,
        ordering=NEWEST_FIRST,
        page=request,
        convert=run_from_row,
        key_of=_key,
    )


async def count_by_process(conn: Connection, process_ids: Sequence[str]) -> dict[str, int]:
    if not process_ids:
        return {}
    marks = ", ".join("?" * len(process_ids))
    rows = await conn.fetchall(
        f"SELECT process_id, count(*) FROM runs WHERE process_id IN ({marks}) GROUP BY process_id",
        list(process_ids),
    )
    counts = dict.fromkeys(process_ids, 0)
    counts.update({row[0]: row[1] for row in rows})
    return counts


async def insert(conn: Connection, run: Run) -> None:
    params = run_to_params(run)
    await conn.execute(insert_sql("runs", params), params)


async def update(conn: Connection, run: Run, expected_version: int) -> bool:
    """Save the next version; False if another writer got there first."""
    params = run_to_params(run)
    changed = await conn.execute(
        update_sql("runs", params), {**params, "expected_version": expected_version}
    )
    return changed == 1


async def delete(conn: Connection, id: str) -> None:
    """Delete a run; its activities go with it (ON DELETE CASCADE)."""
    await conn.execute("DELETE FROM runs WHERE id = ?", (id,))

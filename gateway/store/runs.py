"""Runs: reads and writes of the `runs` table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from gateway.domain.clock import from_micros, to_micros
from gateway.domain.models import Run
from gateway.domain.paging import PageRequest
from gateway.domain.status import ACTIVE_STATUSES, RunStatus
from gateway.odata import order_by
from gateway.store import bulk, paging
from gateway.store.catalogs import RUNS
from gateway.store.codec import insert_sql, run_from_row, run_to_params, update_sql
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection, Row

NEWEST_FIRST = ListQuery(RUNS.entity, order_by(RUNS, [("createdDateTime", True)]))
TABLE = "runs r"


async def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Run]:
    rows = await conn.fetch_by_id("runs", ids)
    return {id: run_from_row(row) for id, row in rows.items()}


async def get(conn: Connection, id: str) -> Run | None:
    return (await get_many(conn, [id])).get(id)


async def page(
    conn: Connection, request: PageRequest, query: ListQuery = NEWEST_FIRST
) -> Page[Run]:
    return await paging.fetch_page(
        conn, table=TABLE, query=query, page=request, convert=run_from_row
    )


async def rows_page(
    conn: Connection, request: PageRequest, query: ListQuery, columns: Sequence[str]
) -> Page[Row]:
    """One page as plain tuples of `columns` (catalog SQL, alias `r`), not records, with the
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
    """The runs with these ids as plain tuples of `columns` (catalog SQL), in one statement."""
    return await paging.fetch_rows_by_id(conn, table=TABLE, ids=ids, columns=columns)


async def count(conn: Connection, query: ListQuery = NEWEST_FIRST) -> int:
    return await paging.count(conn, table=TABLE, query=query)


async def pages_by_process(
    conn: Connection,
    process_ids: Sequence[str],
    request: PageRequest,
    query: ListQuery = NEWEST_FIRST,
) -> dict[str, Page[Run]]:
    """One page of runs for each process, in one statement."""
    return await paging.fetch_pages_by_parent(
        conn,
        table=TABLE,
        parent_column="r.process_id",
        parent_ids=process_ids,
        query=query,
        page=request,
        convert=run_from_row,
    )


async def row_pages_by_process(
    conn: Connection,
    process_ids: Sequence[str],
    request: PageRequest,
    query: ListQuery,
    columns: Sequence[str],
) -> dict[str, Page[Row]]:
    """One page of runs for each process as plain tuples of `columns` (and the last row's
    cursor), in one statement."""
    return await paging.fetch_pages_by_parent(
        conn,
        table=TABLE,
        parent_column="r.process_id",
        parent_ids=process_ids,
        query=query,
        page=request,
        convert=paging.as_is,
        columns=columns,
        cursors="last",
    )


async def count_by_process(
    conn: Connection, process_ids: Sequence[str], query: ListQuery = NEWEST_FIRST
) -> dict[str, int]:
    return await paging.count_by_parent(
        conn, table=TABLE, parent_column="r.process_id", parent_ids=process_ids, query=query
    )


async def insert(conn: Connection, run: Run) -> None:
    params = run_to_params(run)
    await conn.execute(insert_sql("runs", params), params)


async def insert_many(
    conn: Connection, new: Sequence[Run], fingerprints: Mapping[str, str] | None = None
) -> None:
    """Insert `new`; `fingerprints` (by run id) are the digests of the platform records that
    imported runs were made from."""
    if not new:
        return
    rows = [run_to_params(run) for run in new]
    if fingerprints:
        for row in rows:
            row["source_hash"] = fingerprints.get(row["id"])
    await bulk.insert_rows(conn, "runs", rows)


async def update(
    conn: Connection, run: Run, expected_version: int, fingerprint: str | None = None
) -> bool:
    """Save the next version; False if another writer got there first. `fingerprint`: the digest
    of the platform record an import made it from (any other write clears it)."""
    params = run_to_params(run)
    params["source_hash"] = fingerprint
    changed = await conn.execute(
        update_sql("runs", params), {**params, "expected_version": expected_version}
    )
    return changed == 1


async def delete(conn: Connection, id: str) -> None:
    """Delete a run; its activities go with it (ON DELETE CASCADE)."""
    await conn.execute("DELETE FROM runs WHERE id = ?", (id,))


async def later_attempts(conn: Connection, run: Run) -> list[tuple[str, int]]:
    """(id, attempt number) of the attempts that name `run` as their original or previous
    attempt, latest first. Attempts share their process, whose index narrows the search."""
    rows = await conn.fetchall(
        "SELECT id, attempt_number FROM runs WHERE process_id = ? "
        "AND (previous_attempt_run_id = ? OR original_attempt_run_id = ?) "
        "ORDER BY attempt_number DESC, id DESC",
        (run.process_id, run.id, run.id),
    )
    return [(str(row[0]), int(row[1])) for row in rows]


async def matching(conn: Connection, query: ListQuery, limit: int) -> list[Run]:
    """Up to `limit` runs of the list, in its order."""
    return await paging.fetch_matching(
        conn, table=TABLE, query=query, limit=limit, convert=run_from_row
    )


async def counted_starts(
    conn: Connection, process_id: str, since: datetime, not_counted: Iterable[RunStatus]
) -> list[datetime]:
    """Creation times of the process's runs since `since`, but for those in `not_counted`."""
    skip = [s.value for s in not_counted]
    marks = ", ".join("?" * len(skip))
    rows = await conn.fetchall(
        f"SELECT created_at FROM runs WHERE process_id = ? AND created_at >= ? "
        f"AND status NOT IN ({marks})",
        (process_id, to_micros(since), *skip),
    )
    return [from_micros(row[0]) for row in rows]


async def active(conn: Connection, limit: int) -> list[Run]:
    """Up to `limit` runs that have not finished, oldest first."""
    marks = ", ".join("?" * len(ACTIVE_STATUSES))
    rows = await conn.fetchall(
        f"SELECT * FROM runs WHERE status IN ({marks}) ORDER BY created_at, id LIMIT ?",
        (*(s.value for s in ACTIVE_STATUSES), limit),
    )
    return [run_from_row(row) for row in rows]

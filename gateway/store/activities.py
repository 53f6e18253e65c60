"""Activities: reads and writes of the `activities` table."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.models import Activity
from gateway.domain.paging import PageRequest
from gateway.odata import order_by
from gateway.store import bulk, paging
from gateway.store.catalogs import ACTIVITIES
from gateway.store.codec import activity_from_row, activity_to_params, update_sql
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection, Row

IN_RUN_ORDER = ListQuery(ACTIVITIES.entity, order_by(ACTIVITIES, [("sequence", False)]))
NEWEST_FIRST = ListQuery(ACTIVITIES.entity, order_by(ACTIVITIES, [("createdDateTime", True)]))
TABLE = "activities a"


async def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Activity]:
    rows = await conn.fetch_by_id("activities", ids)
    return {id: activity_from_row(row) for id, row in rows.items()}


async def page(
    conn: Connection, request: PageRequest, query: ListQuery = NEWEST_FIRST
) -> Page[Activity]:
    """One page of the activities of every run (the OData `Activities` set)."""
    return await paging.fetch_page(
        conn, table=TABLE, query=query, page=request, convert=activity_from_row
    )


async def rows_page(
    conn: Connection, request: PageRequest, query: ListQuery, columns: Sequence[str]
) -> Page[Row]:
    """One page as plain tuples of `columns` (catalog SQL, alias `a`), not records, with the
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


async def count(conn: Connection, query: ListQuery = NEWEST_FIRST) -> int:
    return await paging.count(conn, table=TABLE, query=query)


async def pages_by_run(
    conn: Connection,
    run_ids: Sequence[str],
    request: PageRequest,
    query: ListQuery = IN_RUN_ORDER,
) -> dict[str, Page[Activity]]:
    """One page of activities for each run, in one statement."""
    return await paging.fetch_pages_by_parent(
        conn,
        table=TABLE,
        parent_column="a.run_id",
        parent_ids=run_ids,
        query=query,
        page=request,
        convert=activity_from_row,
    )


async def row_pages_by_run(
    conn: Connection,
    run_ids: Sequence[str],
    request: PageRequest,
    query: ListQuery,
    columns: Sequence[str],
) -> dict[str, Page[Row]]:
    """One page of activities for each run as plain tuples of `columns` (and the last row's
    cursor), in one statement."""
    return await paging.fetch_pages_by_parent(
        conn,
        table=TABLE,
        parent_column="a.run_id",
        parent_ids=run_ids,
        query=query,
        page=request,
        convert=paging.as_is,
        columns=columns,
        cursors="last",
    )


async def count_by_run(
    conn: Connection, run_ids: Sequence[str], query: ListQuery = IN_RUN_ORDER
) -> dict[str, int]:
    return await paging.count_by_parent(
        conn, table=TABLE, parent_column="a.run_id", parent_ids=run_ids, query=query
    )


async def insert_many(conn: Connection, activities: Sequence[Activity]) -> None:
    if not activities:
        return
    rows = [activity_to_params(a) for a in activities]
    await bulk.insert_rows(conn, "activities", rows)


async def update(conn: Connection, activity: Activity, expected_version: int) -> bool:
    """Save the next version; False if another writer got there first."""
    params = activity_to_params(activity)
    changed = await conn.execute(
        update_sql("activities", params), {**params, "expected_version": expected_version}
    )
    return changed == 1


async def for_run(conn: Connection, run_id: str) -> list[Activity]:
    """All activities of a run, in order."""
    rows = await conn.fetchall(
        "SELECT * FROM activities WHERE run_id = ? ORDER BY sequence, id", (run_id,)
    )
    return [activity_from_row(row) for row in rows]

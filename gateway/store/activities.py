"""Activities: reads and writes of the `activities` table."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.models import Activity
from gateway.domain.paging import PageRequest
from gateway.store.codec import activity_from_row, activity_to_params, insert_sql, update_sql
from gateway.store.database import Connection, Row
from gateway.store.paging import Ordering, Page, SortKey, fetch_pages_by_parent

IN_RUN_ORDER = Ordering(
    "activities.sequence", (SortKey("a.sequence", False), SortKey("a.id", False))
)


def _key(row: Row) -> tuple[int, str]:
    return (row["sequence"], row["id"])


async def get_many(conn: Connection, ids: Sequence[str]) -> dict[str, Activity]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = await conn.fetchall(f"SELECT * FROM activities WHERE id IN ({marks})", list(ids))
    return {row["id"]: activity_from_row(row) for row in rows}


async def pages_by_run(
    conn: Connection, run_ids: Sequence[str], request: PageRequest
) -> dict[str, Page[Activity]]:
    """One page of activities for each run, in one statement."""
    return await fetch_pages_by_parent(
        conn,
        table="activities a",
        parent_column="a.run_id",
        parent_ids=run_ids,
        ordering=IN_RUN_ORDER,
        page=request,
        convert=activity_from_row,
        key_of=_key,
    )


async def count_by_run(conn: Connection, run_ids: Sequence[str]) -> dict[str, int]:
    if not run_ids:
        return {}
    marks = ", ".join("?" * len(run_ids))
    rows = await conn.fetchall(
        f"SELECT run_id, count(*) FROM activities WHERE run_id IN ({marks}) GROUP BY run_id",
        list(run_ids),
    )
    counts = dict.fromkeys(run_ids, 0)
    counts.update({row[0]: row[1] for row in rows})
    return counts


async def insert_many(conn: Connection, activities: Sequence[Activity]) -> None:
    if not activities:
        return
    rows = [activity_to_params(a) for a in activities]
    await conn.execute_many(insert_sql("activities", rows[0]), rows)


async def update(conn: Connection, activity: Activity, expected_version: int) -> bool:
    """Save the next version; False if another writer got there first."""
    params = activity_to_params(activity)
    changed = await conn.execute(
        update_sql("activities", params), {**params, "expected_version": expected_version}
    )
    return changed == 1

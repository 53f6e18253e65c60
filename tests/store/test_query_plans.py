"""Filters and orderings the catalogs mark as indexed are served by an index (EXPLAIN QUERY PLAN),
and a keyset page deep in the list seeks instead of scanning from the start."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from gateway.domain.auth import ALL_WORKSPACES, Workspaces
from gateway.domain.paging import PageRequest
from gateway.store import runs
from gateway.store.catalogs import RUNS
from gateway.store.paging import build_query
from gateway.store.protocol import Connection, Database

pytestmark = pytest.mark.sqlite_only  # the plans are SQLite's (EXPLAIN QUERY PLAN)


async def _plan(db: Database, **arguments: str) -> str:
    query = build_query(RUNS, runs.NEWEST_FIRST, workspaces=ALL_WORKSPACES, **arguments)
    async with db.read() as conn:
        first = await runs.page(conn, PageRequest(5, True, None), query)
        cursor = first.cursors[-1] if first.cursors else None
        await runs.page(conn, PageRequest(5, True, cursor), query)
        sql, params = db.statements.last
        return await _search(conn, sql, params)


async def _search(conn: Connection, sql: str, params: Sequence[Any]) -> str:
    """The plan of a page's search. A page with conditions finds its rows' rowids in a
    subquery, then reads and sorts those (at most a page of them: the top level's sort, left
    out here); the subquery is the search to check."""
    rows = await conn.fetchall("EXPLAIN QUERY PLAN " + sql, params)
    return "\n".join(
        row["detail"]
        for row in rows
        if not (row["parent"] == 0 and row["detail"] == "USE TEMP B-TREE FOR ORDER BY")
    )


@pytest.mark.parametrize(
    ("arguments", "index"),
    [
        ({}, "runs_by_created"),
        ({"filter": "status eq 'FAILED'"}, "runs_by_status"),
        ({"filter": "status in ('FAILED', 'TIMED_OUT')"}, "runs_by_status"),
        ({"order_by": "startDateTime desc"}, "runs_by_started"),
        ({"order_by": "endDateTime"}, "runs_by_ended"),
        ({"order_by": "lastModifiedDateTime desc"}, "runs_by_last_modified"),
        ({"order_by": "durations/totalMs desc"}, "runs_by_total_ms"),
        ({"filter": "source eq 'DATABRICKS'"}, "runs_by_source"),
        ({"filter": "jobId eq 1042"}, "runs_by_job"),
        ({"filter": "blockingError/category eq 'QUOTA'"}, "runs_by_error_category"),
        ({"filter": "process/id eq 'proc_x'"}, "runs_by_process"),
        ({"filter": "createdDateTime ge 2026-10-01T00:00:00Z"}, "runs_by_created"),
    ],
)
async def test_indexed_filters_and_orderings_use_their_index(
    demo_db: Database, arguments: dict[str, str], index: str
) -> None:
    plan = await _plan(demo_db, **arguments)
    assert f"USING INDEX {index}" in plan or f"USING COVERING INDEX {index}" in plan, plan
    assert "SCAN r\n" not in plan + "\n", plan
    if "status in" not in arguments.get("filter", ""):
        # An `in` list is several index ranges, merged by a sort; a single value is one range
        # already in order.
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


async def test_every_indexed_catalog_field_is_tested() -> None:
    indexed = {path for path, field in RUNS.fields.items() if field.indexed}
    assert indexed == {
        "source",
        "status",
        "createdDateTime",
        "startDateTime",
        "endDateTime",
        "lastModifiedDateTime",
        "durations/totalMs",
        "blockingError/category",
        "process/id",
        "jobId",
        "dataSourceId",
    }


async def test_a_list_confined_to_one_workspace_seeks_its_index(demo_db: Database) -> None:
    query = build_query(
        RUNS,
        runs.NEWEST_FIRST,
        workspaces=Workspaces(frozenset({"ws_0DEM0C0NT0S000000000000000"})),
    )
    async with demo_db.read() as conn:
        first = await runs.page(conn, PageRequest(5, True, None), query)
        await runs.page(conn, PageRequest(5, True, first.cursors[-1]), query)
        sql, params = demo_db.statements.last
        plan = await _search(conn, sql, params)
    assert "runs_by_workspace" in plan and "TEMP B-TREE" not in plan, plan


async def test_a_range_on_one_key_ordered_by_another_sorts_index_entries_not_rows(
    demo_db: Database,
) -> None:
    """A week's runs, newest first: the rowids are found and sorted from a covering index, and
    only the page's rows are read from the table."""
    plan = await _plan(
        demo_db,
        filter="startDateTime ge 2026-10-01T00:00:00Z and startDateTime lt 2026-10-08T00:00:00Z",
    )
    lines = plan.splitlines()
    assert lines[0] == "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)", plan
    assert any("USING COVERING INDEX" in line and "started_at>" in line for line in lines), plan

"""A report reads the covering index `runs_statistics` when its filter's columns are in it, and
a startDateTime window is a range of it; other filters leave the choice to the planner."""

from __future__ import annotations

import pytest

from gateway.domain.aggregates import RunGroupKey, TimeInterval
from gateway.domain.auth import ALL_WORKSPACES
from gateway.store import runs, statistics
from gateway.store.catalogs import RUNS
from gateway.store.paging import build_query
from gateway.store.protocol import Database

pytestmark = pytest.mark.sqlite_only  # the plans are SQLite's (EXPLAIN QUERY PLAN)


async def _plan(db: Database, filter: str | None) -> str:
    query = build_query(RUNS, runs.NEWEST_FIRST, workspaces=ALL_WORKSPACES, filter=filter)
    async with db.read() as conn:
        await statistics.report(
            conn, query, [RunGroupKey.SOURCE], TimeInterval.DAY, with_recoveries=False
        )
        sql, params = db.statements.last
        rows = await conn.fetchall("EXPLAIN QUERY PLAN " + sql, params)
    return "\n".join(row["detail"] for row in rows)


@pytest.mark.parametrize(
    ("filter", "detail"),
    [
        (None, "SCAN r USING COVERING INDEX runs_statistics"),
        ("status eq 'FAILED' and statistics/errors gt 0", "USING COVERING INDEX runs_statistics"),
        (
            "startDateTime ge 2026-10-25T00:00:00Z and startDateTime lt 2026-10-26T00:00:00Z",
            "SEARCH r USING COVERING INDEX runs_statistics (started_at>? AND started_at<?)",
        ),
    ],
)
async def test_covered_filters_read_the_covering_index(
    demo_db: Database, filter: str | None, detail: str
) -> None:
    assert detail in await _plan(demo_db, filter)


async def test_a_filter_on_another_column_reads_the_table(demo_db: Database) -> None:
    plan = await _plan(demo_db, "contains(displayName, 'Nightly')")
    assert "runs_statistics" not in plan, plan

"""Counts by status and workspace come from `run_counts` (migration 0008), which triggers keep
equal to the runs themselves through every write: a count through the API always equals
`count(*)` over the runs, before and after creating, updating, cancelling and deleting runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gateway.domain.auth import ALL_WORKSPACES, Workspaces
from gateway.store import runs
from gateway.store.catalogs import RUNS
from gateway.store.paging import build_query
from gateway.store.protocol import Database
from tests import pg
from tests.conftest import GraphQLClient
from tests.security import CONTOSO

COUNT = "query ($filter: String) { runs(filter: $filter) { totalCount } }"
FILTERS = [
    None,
    "status eq 'FAILED'",
    "status in ('FAILED', 'TIMED_OUT', 'RUNNING')",
    "status eq 'SUCCEEDED'",
    "status eq 'FAILED' and source eq 'DATABRICKS'",  # not from the kept counts
]
BULK = """
mutation ($filter: String) {
  %s(filter: $filter, dryRun: false) { __typename ... on BulkRunsPayload { changed } }
}
"""


def _rows(path: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    return pg.rows(path, sql, params)


def _check(path: Path, gql: GraphQLClient) -> None:
    kept = {(w, s): n for w, s, n in _rows(path, "SELECT * FROM run_counts") if n}
    actual = {
        (w, s): n
        for w, s, n in _rows(path, "SELECT workspace_id, status, count(*) FROM runs GROUP BY 1, 2")
    }
    assert kept == actual
    for filter in FILTERS:
        total = gql.data(COUNT, {"filter": filter})["runs"]["totalCount"]
        where = ""
        if filter is not None:
            where = " WHERE " + filter.replace(" eq ", " = ")  # these filters are also SQL
        assert total == _rows(path, f"SELECT count(*) FROM runs{where}")[0][0], filter


def test_counts_by_status_stay_equal_to_the_runs_through_every_write(
    demo_path: Path, gql: GraphQLClient
) -> None:
    _check(demo_path, gql)
    (run_id,) = _rows(demo_path, "SELECT id FROM runs WHERE status = 'RUNNING' LIMIT 1")[0]
    (process_id,) = _rows(demo_path, "SELECT id FROM processes LIMIT 1")[0]

    created = gql.data(
        "mutation ($input: CreateRunInput!) { createRun(input: $input) { __typename } }",
        {"input": {"processId": process_id, "status": "FAILED"}},
    )
    assert created["createRun"]["__typename"] == "CreateRunPayload"
    updated = gql.data(
        "mutation ($id: ID!) { updateRun(id: $id, input: {status: FAILED}) { __typename } }",
        {"id": run_id},
    )
    assert updated["updateRun"]["__typename"] == "UpdateRunPayload"
    _check(demo_path, gql)
    deleted = gql.data("mutation ($id: ID!) { deleteRun(id: $id) { __typename } }", {"id": run_id})
    assert deleted["deleteRun"]["__typename"] == "DeleteRunPayload"
    _check(demo_path, gql)

    window = "createdDateTime ge 2026-10-25T00:00:00Z"
    assert gql.data(BULK % "cancelRuns", {"filter": window})["cancelRuns"]["changed"] > 0
    _check(demo_path, gql)
    assert gql.data(BULK % "deleteRuns", {"filter": window})["deleteRuns"]["changed"] > 0
    _check(demo_path, gql)


def test_a_confined_count_reads_its_workspaces_only(demo_path: Path, gql: GraphQLClient) -> None:
    in_contoso = _rows(
        demo_path,
        "SELECT count(*) FROM runs WHERE workspace_id = ? AND status = 'FAILED'",
        (CONTOSO,),
    )[0][0]
    kept = _rows(
        demo_path,
        "SELECT coalesce(sum(runs), 0) FROM run_counts WHERE workspace_id = ? AND status = 'FAILED'",
        (CONTOSO,),
    )[0][0]
    assert kept == in_contoso > 0


async def test_only_counts_by_status_and_workspace_read_the_kept_counts(demo_db: Database) -> None:
    confined = Workspaces(frozenset({CONTOSO}))
    cases = [
        (ALL_WORKSPACES, None, True),
        (ALL_WORKSPACES, "status eq 'FAILED'", True),
        (confined, "status in ('FAILED', 'TIMED_OUT')", True),
        (confined, "status eq 'FAILED' and source eq 'DATABRICKS'", False),
        (ALL_WORKSPACES, "status ne 'FAILED'", False),
    ]
    for workspaces, filter, kept in cases:
        query = build_query(RUNS, runs.NEWEST_FIRST, workspaces=workspaces, filter=filter)
        async with demo_db.read() as conn:
            total = await runs.count(conn, query)
            sql, _ = demo_db.statements.last
            ((expected,),) = await conn.fetchall(
                "SELECT count(*) FROM runs r WHERE " + " AND ".join(c.sql for c in query.where)
                if query.where
                else "SELECT count(*) FROM runs r",
                [p for c in query.where for p in c.params],
            )
        assert ("FROM run_counts" in sql) == kept, (filter, sql)
        assert total == expected, filter

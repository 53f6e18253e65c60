"""The lifecycle mutations under tokens: `startRun` and `retryRun` need `runs:start`, the others
`runs:write`; a process or run in another workspace is not found, and bulk changes only reach the
caller's workspaces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from gateway.domain.auth import Scope
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, FABRIKAM, TokenClient, make_token, rows

START = """
mutation ($p: ID!) {
  startRun(input: {processId: $p}) {
    __typename ... on StartRunPayload { run { id workspace { id } } }
    ... on ForbiddenError { requiredScope }
  }
}
"""
CANCEL = "mutation ($id: ID!) { cancelRun(id: $id) { __typename } }"
RETRY = "mutation ($id: ID!) { retryRun(id: $id) { __typename ... on ForbiddenError { requiredScope } } }"
BULK = """
mutation ($f: String) {
  cancelRuns(filter: $f, dryRun: true) {
    __typename ... on BulkRunsPayload { matched outcomes { runId } }
  }
}
"""


def _client(
    path: Path, factory: Callable[..., GraphQLClient], scopes: set[Scope], workspaces: list[str]
) -> TokenClient:
    return TokenClient(factory(path, auth="token"), make_token(path, scopes, workspaces))


def _first(path: Path, sql: str, workspace: str) -> str:
    return str(rows(path, sql, [workspace])[0][0])


def test_lifecycle_mutations_need_their_scope_and_stay_in_the_callers_workspaces(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    ready = "SELECT id FROM processes WHERE workspace_id = ? AND readiness_status = 'READY' LIMIT 1"
    process_c, process_f = _first(demo_path, ready, CONTOSO), _first(demo_path, ready, FABRIKAM)
    active = (
        "SELECT id FROM runs WHERE workspace_id = ? AND status IN ('PENDING', 'QUEUED', 'RUNNING') "
        "LIMIT 1"
    )
    run_f = _first(demo_path, active, FABRIKAM)
    finished = "SELECT id FROM runs WHERE workspace_id = ? AND status = 'FAILED' AND is_latest_attempt = 1 LIMIT 1"
    failed_c = _first(demo_path, finished, CONTOSO)
    before = rows(demo_path, "SELECT count(*) FROM runs")

    writer = _client(demo_path, client_factory, {Scope.RUNS_WRITE, Scope.RUNS_READ}, [CONTOSO])
    refused: dict[str, Any] = writer.data(START, {"p": process_c})["startRun"]
    assert refused == {"__typename": "ForbiddenError", "requiredScope": "runs:start"}
    assert writer.data(RETRY, {"id": failed_c})["retryRun"]["requiredScope"] == "runs:start"
    assert writer.data(CANCEL, {"id": run_f})["cancelRun"]["__typename"] == "NotFoundError"
    bulk = writer.data(BULK, {"f": "isActive eq true"})["cancelRuns"]
    in_contoso = "SELECT count(*) FROM runs WHERE workspace_id = ? AND status IN ('PENDING', 'QUEUED', 'STARTING', 'RUNNING', 'WAITING', 'CANCELLING', 'FINALIZING')"
    assert bulk["matched"] == rows(demo_path, in_contoso, [CONTOSO])[0][0]
    ids = [o["runId"] for o in bulk["outcomes"]]
    marks = ", ".join("?" * len(ids))
    assert {
        r[0] for r in rows(demo_path, f"SELECT workspace_id FROM runs WHERE id IN ({marks})", ids)
    } <= {CONTOSO}
    assert rows(demo_path, "SELECT count(*) FROM runs") == before

    starter = _client(demo_path, client_factory, {Scope.RUNS_START, Scope.RUNS_READ}, [CONTOSO])
    assert starter.data(START, {"p": process_f})["startRun"]["__typename"] == "NotFoundError"
    started = starter.data(START, {"p": process_c})["startRun"]
    assert started["__typename"] == "StartRunPayload"
    assert started["run"]["workspace"]["id"] == CONTOSO
    assert starter.data(CANCEL, {"id": started["run"]["id"]})["cancelRun"] == {
        "__typename": "ForbiddenError"
    }

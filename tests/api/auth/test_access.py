"""Scopes and workspaces on every root field: a record in another workspace is indistinguishable
from one that does not exist (lists, counts, filters on relations, cursors, node lookups,
mutations), and an operation without its scope is refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLUnionType, get_named_type
from strawberry.types.base import StrawberryObjectDefinition

from gateway.api.auth.access import REQUIRED_SCOPES
from gateway.api.schema import schema
from gateway.domain.auth import Scope
from gateway.store.workspaces import DEFAULT_WORKSPACE_ID
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, FABRIKAM, TokenClient, make_token, rows

SCOPES = {
    "read": {Scope.RUNS_READ},
    "write": {Scope.RUNS_WRITE},
    "start": {Scope.RUNS_START},
    "read+write": {Scope.RUNS_READ, Scope.RUNS_WRITE},
    "admin": {Scope.ADMIN},
}
WORKSPACES = {"contoso": [CONTOSO], "fabrikam": [FABRIKAM], "all": None}

READ = """
query Everything($ids: [ID!]!, $runC: ID!, $runF: ID!, $actC: ID!, $actF: ID!, $procC: ID!,
                 $procF: ID!, $byName: String!) {
  runs(first: 500) { totalCount nodes { id workspace { id } } }
  processes(first: 100) {
    totalCount
    nodes { workspace { id } runs(first: 200) { totalCount nodes { workspace { id } } } }
  }
  workspaces { totalCount nodes { id } }
  nodes(ids: $ids) { id }
  nodeC: node(id: $runC) { id }
  nodeF: node(id: $runF) { id }
  runC: run(id: $runC) { id previousAttemptRun { id } }
  runF: run(id: $runF) { id }
  actC: activity(id: $actC) { id }
  actF: activity(id: $actF) { id }
  procC: process(id: $procC) { id }
  procF: process(id: $procF) { id }
  byName: runs(filter: $byName) { totalCount }
  withActivities: runs(filter: "activities/any(a: a/key ne '')") { totalCount }
  search: runs(search: "a OR e OR i OR o OR u") { totalCount }
  capabilities { limits { name } }
}
"""


def _samples(path: Path) -> dict[str, Any]:
    def one(sql: str, ws: str) -> str:
        return str(rows(path, sql, [ws])[0][0])

    found: dict[str, Any] = {}
    for key, ws in (("C", CONTOSO), ("F", FABRIKAM)):
        found[f"run{key}"] = one("SELECT id FROM runs WHERE workspace_id = ? ORDER BY id", ws)
        found[f"act{key}"] = one("SELECT id FROM activities WHERE workspace_id = ? ORDER BY id", ws)
        found[f"proc{key}"] = one("SELECT id FROM processes WHERE workspace_id = ? ORDER BY id", ws)
    name = rows(path, "SELECT display_name FROM processes WHERE workspace_id = ?", [FABRIKAM])[0][0]
    found["byName"] = f"process/displayName eq '{name}'"
    found["ids"] = [found[k] for k in ("runC", "runF", "actC", "actF", "procC", "procF")]
    return found


def _count(path: Path, sql: str, allowed: set[str]) -> int:
    marks = ", ".join("?" * len(allowed))
    return int(rows(path, sql.format(marks=marks), sorted(allowed))[0][0])


@pytest.mark.parametrize("workspaces", list(WORKSPACES), ids=list(WORKSPACES))
@pytest.mark.parametrize("scopes", list(SCOPES), ids=list(SCOPES))
def test_every_query_field_sees_only_the_callers_workspaces(
    demo_path: Path, client_factory: Callable[..., GraphQLClient], scopes: str, workspaces: str
) -> None:
    given = WORKSPACES[workspaces]
    token = make_token(demo_path, SCOPES[scopes], given)
    client = TokenClient(client_factory(demo_path, auth="token"), token)
    allowed = {CONTOSO, FABRIKAM} if given is None else set(given)
    samples = _samples(demo_path)
    body = client(READ, samples)

    if not ({Scope.RUNS_READ, Scope.ADMIN} & SCOPES[scopes]):
        assert body["data"] is None
        assert body["errors"][0]["extensions"] == {
            "code": "FORBIDDEN",
            "requiredScope": "runs:read",
        }
        return
    assert "errors" not in body, body["errors"]
    data = body["data"]
    runs = data["runs"]
    assert runs["totalCount"] == _count(
        demo_path, "SELECT count(*) FROM runs WHERE workspace_id IN ({marks})", allowed
    )
    assert {n["workspace"]["id"] for n in runs["nodes"]} == allowed
    processes = data["processes"]
    assert processes["totalCount"] == _count(
        demo_path, "SELECT count(*) FROM processes WHERE workspace_id IN ({marks})", allowed
    )
    for process in processes["nodes"]:
        assert {r["workspace"]["id"] for r in process["runs"]["nodes"]} <= allowed
        assert process["workspace"]["id"] in allowed
    assert data["workspaces"]["totalCount"] == len(data["workspaces"]["nodes"])
    assert {w["id"] for w in data["workspaces"]["nodes"]} == (
        allowed | {DEFAULT_WORKSPACE_ID} if given is None else allowed
    )
    # Lookups: null outside the caller's workspaces, exactly as for a missing id.
    visible = {"C": CONTOSO in allowed, "F": FABRIKAM in allowed}
    for key in ("C", "F"):
        for field in ("node", "run", "act", "proc"):
            found = data[f"{field}{key}"]
            assert (found is not None) is visible[key], (field, key)
    expected_nodes = [
        id if visible[k] else None
        for id, k in zip(samples["ids"], ["C", "F", "C", "F", "C", "F"], strict=True)
    ]
    assert [n["id"] if n else None for n in data["nodes"]] == expected_nodes
    # Filters through relations reach only rows of the caller's workspaces.
    assert data["byName"]["totalCount"] == (
        0
        if not visible["F"]
        else _count(
            demo_path,
            "SELECT count(*) FROM runs r JOIN processes p ON p.id = r.process_id "
            f"WHERE {samples['byName'].replace('process/displayName eq', 'p.display_name =')} "
            "AND r.workspace_id IN ({marks})",
            allowed,
        )
    )
    assert data["withActivities"]["totalCount"] == _count(
        demo_path,
        "SELECT count(*) FROM runs r WHERE r.workspace_id IN ({marks}) "
        "AND EXISTS (SELECT 1 FROM activities a WHERE a.run_id = r.id)",
        allowed,
    )
    assert data["search"]["totalCount"] <= runs["totalCount"]
    assert data["capabilities"]["limits"]


MUTATIONS = """
mutation Change($runC: ID!, $procC: ID!, $procF: ID!, $runF: ID!) {
  updateRun(id: $runC, input: {displayName: "renamed"}) { __typename }
  deleteRun(id: $runF) { __typename }
  updateProcess(id: $procC, input: {description: "changed"}) { __typename }
  deleteProcess(id: $procC) { __typename }
  createRun(input: {processId: $procF, sourceStatus: "Succeeded"}) { __typename }
  createProcess(input: {source: GATEWAY, kind: GATEWAY_PROCESS, sourceId: "p1", displayName: "P"}) {
    __typename
    ... on CreateProcessPayload { process { workspace { id } } }
  }
  intoFabrikam: createProcess(input: {source: GATEWAY, kind: GATEWAY_PROCESS, sourceId: "p2",
                                      displayName: "P", workspaceId: "ws_0DEM0FABR1KAM0000000000000"}) {
    __typename
  }
}
"""


@pytest.mark.parametrize("workspaces", list(WORKSPACES), ids=list(WORKSPACES))
@pytest.mark.parametrize("scopes", list(SCOPES), ids=list(SCOPES))
def test_every_mutation_needs_its_scope_and_a_visible_target(
    demo_path: Path, client_factory: Callable[..., GraphQLClient], scopes: str, workspaces: str
) -> None:
    given = WORKSPACES[workspaces]
    token = make_token(demo_path, SCOPES[scopes], given)
    client = TokenClient(client_factory(demo_path, auth="token"), token)
    allowed = {CONTOSO, FABRIKAM} if given is None else set(given)
    samples = _samples(demo_path)
    finished = rows(
        demo_path,
        "SELECT id FROM runs WHERE workspace_id = ? AND status IN ('SUCCEEDED', 'FAILED')",
        [FABRIKAM],
    )[0][0]
    before = rows(demo_path, "SELECT count(*), max(version) FROM runs")
    data = client.data(
        MUTATIONS,
        {k: samples[k] for k in ("runC", "procC", "procF")} | {"runF": finished},
    )
    kinds = {name: value["__typename"] for name, value in data.items()}
    if not ({Scope.RUNS_WRITE, Scope.ADMIN} & SCOPES[scopes]):
        assert set(kinds.values()) == {"ForbiddenError"}
        assert rows(demo_path, "SELECT count(*), max(version) FROM runs") == before
        return
    c, f = CONTOSO in allowed, FABRIKAM in allowed
    assert kinds["updateRun"] == ("UpdateRunPayload" if c else "NotFoundError")
    assert kinds["deleteRun"] == ("DeleteRunPayload" if f else "NotFoundError")
    assert kinds["updateProcess"] == ("UpdateProcessPayload" if c else "NotFoundError")
    assert kinds["deleteProcess"] == ("ConflictError" if c else "NotFoundError")  # it has runs
    assert kinds["createRun"] == ("CreateRunPayload" if f else "ValidationError")
    assert kinds["createProcess"] == "CreateProcessPayload"
    home = given[0] if given is not None else DEFAULT_WORKSPACE_ID
    assert data["createProcess"]["process"]["workspace"]["id"] == home
    assert kinds["intoFabrikam"] == ("CreateProcessPayload" if f else "ValidationError")


def test_every_mutation_declares_its_scope_and_can_answer_forbidden() -> None:
    mutation = schema.get_type_by_name("Mutation")
    assert isinstance(mutation, StrawberryObjectDefinition)
    for field in mutation.fields:
        resolver = field.base_resolver
        assert resolver is not None
        assert isinstance(REQUIRED_SCOPES.get(resolver.wrapped_func), Scope), (
            f"{field.python_name} has no @requires(...)"
        )
    graphql_mutation = schema._schema.mutation_type
    assert graphql_mutation is not None
    for name, graphql_field in graphql_mutation.fields.items():
        result = get_named_type(graphql_field.type)
        assert isinstance(result, GraphQLUnionType), name
        assert "ForbiddenError" in {t.name for t in result.types}, name


def test_a_cursor_from_another_workspace_only_pages_the_callers_rows(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    admin = TokenClient(
        client_factory(demo_path, auth="token"), make_token(demo_path, {Scope.ADMIN}, None)
    )
    page = admin.data("{ runs(first: 5) { pageInfo { endCursor } } }")
    cursor = page["runs"]["pageInfo"]["endCursor"]
    contoso = TokenClient(admin, make_token(demo_path, {Scope.RUNS_READ}, [CONTOSO]))
    data = contoso.data(
        "query ($c: String) { runs(first: 500, after: $c) { nodes { workspace { id } } } }",
        {"c": cursor},
    )
    assert {n["workspace"]["id"] for n in data["runs"]["nodes"]} == {CONTOSO}

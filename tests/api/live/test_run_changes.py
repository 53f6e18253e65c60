"""`runChanges` (the delta query) and the WebSocket's limits, through the app in process."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import Settings
from tests import pg
from tests.conftest import GraphQLClient

CHANGES = """query ($after: String, $filter: String, $first: Int) {
  runChanges(after: $after, filter: $filter, first: $first) {
    cursor hasMore changes { cursor kind runId toStatus fromStatus run { id } }
  }
}"""


def _head(gql: GraphQLClient) -> str:
    cursor = None
    while True:
        page = gql.data(CHANGES, {"after": cursor, "first": 500})["runChanges"]
        cursor = page["cursor"]
        if not page["hasMore"]:
            return str(cursor)


def _run(gql: GraphQLClient, status: str = "RUNNING") -> str:
    process = gql.data("{ processes(first: 1) { nodes { id } } }")["processes"]["nodes"][0]["id"]
    created = gql.data(
        "mutation ($i: CreateRunInput!) { createRun(input: $i) { ... on CreateRunPayload "
        "{ run { id } } } }",
        {"i": {"processId": process, "status": status}},
    )
    run_id: str = created["createRun"]["run"]["id"]
    return run_id


def test_the_delta_query_pages_through_the_changes_since_a_cursor(gql: GraphQLClient) -> None:
    head = _head(gql)
    made = [_run(gql) for _ in range(3)]
    gql.data(
        "mutation ($id: ID!) { updateRun(id: $id, input: {status: FAILED}) { __typename } }",
        {"id": made[1]},
    )
    gql.data("mutation ($id: ID!) { deleteRun(id: $id) { __typename } }", {"id": made[1]})
    first = gql.data(CHANGES, {"after": head, "first": 2})["runChanges"]
    assert [(c["kind"], c["runId"]) for c in first["changes"]] == [
        ("CREATED", made[0]),
        ("CREATED", made[1]),
    ]
    assert first["hasMore"]
    rest = gql.data(CHANGES, {"after": first["cursor"]})["runChanges"]
    assert [(c["kind"], c["runId"], c["toStatus"]) for c in rest["changes"]] == [
        ("CREATED", made[2], "RUNNING"),
        ("UPDATED", made[1], "FAILED"),
        ("DELETED", made[1], None),
    ]
    assert rest["changes"][-1]["run"] is None and rest["changes"][-1]["fromStatus"] == "FAILED"
    assert not rest["hasMore"]
    # a filter sees the run as it was at each change; the tombstone matches its last state
    failed = gql.data(CHANGES, {"after": head, "filter": "status eq 'FAILED'"})["runChanges"]
    assert [(c["kind"], c["runId"]) for c in failed["changes"]] == [
        ("UPDATED", made[1]),
        ("DELETED", made[1]),
    ]
    assert failed["cursor"] == rest["cursor"]  # past the changes it skipped
    empty = gql.data(CHANGES, {"after": rest["cursor"]})["runChanges"]
    assert empty == {"cursor": rest["cursor"], "hasMore": False, "changes": []}


def test_bad_cursors_and_sizes_are_typed_errors(gql: GraphQLClient) -> None:
    runs_cursor = gql.data("{ runs(first: 1) { pageInfo { endCursor } } }")["runs"]["pageInfo"]
    for variables, code in (
        ({"after": "nonsense"}, "INVALID_CURSOR"),
        ({"after": runs_cursor["endCursor"]}, "INVALID_CURSOR"),
        ({"first": 0}, "INVALID_PAGE_SIZE"),
        ({"filter": "status eq"}, "INVALID_FILTER"),
    ):
        body = gql(CHANGES, variables)
        assert body["errors"][0]["extensions"]["code"] == code, (variables, body)


def _subscribe(ws: Any, id: str, arguments: str = "") -> None:
    query = f"subscription {{ runChanged{arguments} {{ cursor kind }} }}"
    ws.send_json({"id": id, "type": "subscribe", "payload": {"query": query}})


def test_the_websocket_limits_subscriptions_and_pings(demo_path: Path) -> None:
    settings = Settings(
        database=str(demo_path), live_subscriptions=2, live_keep_alive_ms=50, scheduler=False
    )
    with (
        TestClient(create_app(settings)) as http,
        http.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json() == {"type": "connection_ack"}
        _subscribe(ws, "1")
        _subscribe(ws, "2", "(filter: \"status eq 'FAILED'\")")
        _subscribe(ws, "3")
        refused = ws.receive_text()  # a text frame, as browsers' graphql-ws client needs
        while refused == '{"type":"ping"}':  # a ping may come first on a busy machine
            refused = ws.receive_text()
        assert '"id":"3"' in refused and '"LIMIT_EXCEEDED"' in refused
        assert ws.receive_json() == {"type": "ping"}
        _subscribe(ws, "4", '(after: "nonsense")')
        error = ws.receive_json()
        while error["type"] == "ping":
            error = ws.receive_json()
        assert error["type"] == "error" and error["id"] == "4"  # the limit counts live ones
        assert error["payload"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        ws.send_json({"id": "1", "type": "complete"})
        _subscribe(ws, "5", '(after: "nonsense")')
        error = ws.receive_json()
        while error["type"] == "ping":
            error = ws.receive_json()
        assert error["id"] == "5"
        assert error["payload"][0]["extensions"]["code"] == "INVALID_CURSOR"


def test_the_tombstone_tables_keep_the_columns_of_runs_and_activities(
    demo_path: Path, client_factory: Callable[[Path], GraphQLClient]
) -> None:
    client_factory(demo_path)  # migrated

    def columns(table: str) -> list[str]:
        return pg.columns(demo_path, table)

    assert columns("deleted_runs") == columns("runs")
    assert columns("run_states") == ["seq", *columns("runs")]
    assert columns("deleted_activities") == columns("activities")


def test_a_subscription_over_http_is_a_clear_request_error(empty_gql: GraphQLClient) -> None:
    for method in ("post", "get"):
        kwargs: dict[str, Any] = (
            {"json": {"query": "subscription { runChanged { kind } }"}}
            if method == "post"
            else {"params": {"query": "subscription { runChanged { kind } }"}}
        )
        response = getattr(empty_gql.http, method)(
            "/graphql", headers={"accept": "application/graphql-response+json"}, **kwargs
        )
        assert response.status_code == 400, response.text
        assert "WebSocket" in response.json()["errors"][0]["message"]

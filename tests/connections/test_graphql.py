"""Connections over GraphQL: `connections`, `node`, `syncConnection` and its reports, against the
fake Databricks workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import GraphQLClient
from tests.connections.helpers import add_connection
from tests.fakes.databricks import TOKEN, FakeDatabricks
from tests.fakes.server import serve_app

CONNECTIONS = """{ connections(first: 10) { totalCount edges { cursor node {
  id name platform endpoint workspaceId credentialEnv intervalSeconds options { key value }
  lastSync { status added } } } } }"""
SYNC = """mutation ($id: ID!) { syncConnection(id: $id) {
  __typename
  ... on SyncConnectionPayload {
    connection { name lastSync { status } }
    report { status added updated unchanged failed durationSeconds startedAt endedAt
             error { code message } } }
  ... on NotFoundError { code message } } }"""
RUNS = """{ runs(filter: "source eq 'DATABRICKS'", first: 1) { totalCount
  nodes { ... on DatabricksRun { sourceId activities { totalCount } } } } }"""


@pytest.fixture
def fake() -> Iterator[tuple[FakeDatabricks, str]]:
    fake = FakeDatabricks()
    fake.add_runs(30)
    with serve_app(fake.app()) as url:
        yield fake, url


@pytest.fixture
def gql(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    fake: tuple[FakeDatabricks, str],
    client_factory: Callable[..., GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
) -> GraphQLClient:
    path = new_location("gateway.db")
    add_connection(
        path, "prod", "databricks", fake[1], "--interval", "10m", credential_env="DBX_TOKEN"
    )
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.01")
    return client_factory(path, sync=False)


def test_connections_list_and_sync(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBX_TOKEN", TOKEN)
    listed = gql.data(CONNECTIONS)["connections"]
    assert listed["totalCount"] == 1
    node = listed["edges"][0]["node"]
    assert node["name"] == "prod" and node["platform"] == "databricks"
    assert node["credentialEnv"] == "DBX_TOKEN" and node["intervalSeconds"] == 600
    assert node["lastSync"] is None and node["id"].startswith("conn_")
    assert (
        gql.data(
            "query ($id: ID!) { node(id: $id) { id ... on Connection { name } } }",
            {"id": node["id"]},
        )["node"]["name"]
        == "prod"
    )

    first = gql.data(SYNC, {"id": node["id"]})["syncConnection"]
    assert first["report"]["status"] == "SUCCEEDED"
    assert (first["report"]["added"], first["report"]["updated"], first["report"]["failed"]) == (
        30,
        0,
        0,
    )
    assert first["report"]["error"] is None and first["report"]["durationSeconds"] >= 0
    assert first["connection"]["lastSync"]["status"] == "SUCCEEDED"
    runs = gql.data(RUNS)["runs"]
    assert runs["totalCount"] == 30 and runs["nodes"][0]["activities"]["totalCount"] == 2

    second = gql.data(SYNC, {"id": node["id"]})["syncConnection"]["report"]
    assert (second["added"], second["updated"], second["failed"]) == (0, 0, 0)
    assert gql.data(RUNS)["runs"]["totalCount"] == 30
    assert gql.data(CONNECTIONS)["connections"]["edges"][0]["node"]["lastSync"] == {
        "status": "SUCCEEDED",
        "added": 0,
    }


def test_a_wrong_credential_is_a_failed_report_without_the_secret(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "dapi-not-the-right-one-42"
    monkeypatch.setenv("DBX_TOKEN", secret)
    id = gql.data(CONNECTIONS)["connections"]["edges"][0]["node"]["id"]
    response = gql.http.post("/graphql", json={"query": SYNC, "variables": {"id": id}})
    assert secret not in response.text and TOKEN not in response.text
    report = response.json()["data"]["syncConnection"]["report"]
    assert report["status"] == "FAILED" and report["added"] == 0
    assert report["error"]["code"] == "PLATFORM_AUTH"
    assert report["error"]["message"].startswith("connection 'prod': the platform refused")
    assert gql.data(RUNS)["runs"]["totalCount"] == 0


def test_sync_connection_of_no_connection(gql: GraphQLClient) -> None:
    missing = "conn_00000000000000000000000000"
    got = gql.data(SYNC, {"id": missing})["syncConnection"]
    assert got["__typename"] == "NotFoundError" and missing in got["message"]


def _sample(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_a_sync_pass_shows_in_metrics(gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBX_TOKEN", TOKEN)
    ok = 'gateway_syncs_total{connection="prod",outcome="ok"}'
    before = _sample(gql.http.get("/metrics").text, ok) or 0.0
    node = gql.data(CONNECTIONS)["connections"]["edges"][0]["node"]
    assert gql.data(SYNC, {"id": node["id"]})["syncConnection"]["report"]["status"] == "SUCCEEDED"
    text = gql.http.get("/metrics").text
    assert _sample(text, ok) == before + 1
    lag = _sample(text, 'gateway_sync_lag_seconds{connection="prod"}')
    assert lag is not None and lag >= 0
    assert _sample(text, 'gateway_sync_last_success_timestamp_seconds{connection="prod"}')

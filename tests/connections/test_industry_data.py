"""A Graph industry data connection end to end against the fake Graph: `gateway sync` on the command
line (`@odata.nextLink` pages, each run's activities, re-read and compared), and startRun through
GraphQL (Graph's start answers no id; the started run is found by listing)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from tests.conftest import GraphQLClient
from tests.connections.helpers import add_connection, gateway, sync_line
from tests.fakes.industry_data import GRAPH_TOKEN, FakeIndustryData

ENV = {"GRAPH_TOKEN": GRAPH_TOKEN}
RUNS = 5


@pytest.fixture
def fake() -> Iterator[FakeIndustryData]:
    fake = FakeIndustryData(page_size=2)
    for _ in range(RUNS - 1):
        fake.add_run(started=datetime.now(UTC) - timedelta(days=3))
    fake.add_run(status="running")
    with fake.running():
        yield fake


@pytest.fixture
def database(new_location: Callable[[str], Path], tmp_path: Path, fake: FakeIndustryData) -> Path:
    path = new_location("gateway.db")
    add_connection(path, "sds", "industry-data", fake.url, credential_env="GRAPH_TOKEN")
    return path


def test_first_sync_imports_every_run_once_then_nothing_changes(
    tmp_path: Path, database: Path, fake: FakeIndustryData
) -> None:
    assert sync_line(database, "sds", ENV) == (
        0,
        f"sds: SUCCEEDED, added {RUNS}, updated 0, unchanged 0, failed 0",
    )
    assert fake.calls["runs"] == 3 and fake.calls["activities"] == RUNS
    assert sync_line(database, "sds", ENV) == (
        0,
        f"sds: SUCCEEDED, added 0, updated 0, unchanged {RUNS}, failed 0",
    )
    # Runs that had ended before the last pass are listed again but their activities are not.
    assert fake.calls["activities"] == RUNS + 1
    out = tmp_path / "export.ndjson"
    assert gateway(database, "export", "--output", str(out)).returncode == 0
    types = Counter(orjson.loads(line)["type"] for line in out.read_bytes().splitlines())
    assert types["run"] == RUNS and types["activity"] == 2 * RUNS


def test_a_changed_run_and_a_new_one(database: Path, fake: FakeIndustryData) -> None:
    assert sync_line(database, "sds", ENV)[0] == 0
    running = next(r["id"] for r in fake.runs.values() if r["status"] == "running")
    fake.change_run(running, status="completedWithWarnings")
    fake.add_run()
    assert sync_line(database, "sds", ENV) == (
        0,
        f"sds: SUCCEEDED, added 1, updated 1, unchanged {RUNS - 1}, failed 0",
    )


def test_429_is_waited_out(database: Path, fake: FakeIndustryData) -> None:
    fake.fail_next("runs", 429, after=1, retry_after=0.05)
    fake.fail_next("activities", 502)
    assert sync_line(database, "sds", ENV) == (
        0,
        f"sds: SUCCEEDED, added {RUNS}, updated 0, unchanged 0, failed 0",
    )
    assert fake.calls["runs"] == 3 + 1 and fake.calls["activities"] == RUNS + 1


def test_a_wrong_credential_fails_that_connection_and_shows_no_secret(
    tmp_path: Path, database: Path
) -> None:
    secret = "eyJ0eXAi-graph-wrong-secret"
    done = gateway(database, "sync", env={"GRAPH_TOKEN": secret}, spawn=True)
    assert done.returncode == 1
    line = next(x for x in done.stdout.splitlines() if x.startswith("sds: "))
    assert "connection 'sds': the platform refused the credential (401" in line
    assert "Access token validation failure" in line
    for text in (done.stdout, done.stderr):
        assert secret not in text and GRAPH_TOKEN not in text
    for path in tmp_path.glob("gateway.db*"):
        assert secret.encode() not in path.read_bytes()


START = """mutation ($input: StartRunInput!) { startRun(input: $input) { __typename
  ... on StartRunPayload { replayed run { id sourceId status sourceStatus } }
  ... on PlatformError { code message } } }"""
CANCEL = """mutation ($id: ID!) { cancelRun(id: $id) { __typename
  ... on PlatformError { code message } } }"""
SYNC = """mutation ($id: ID!) { syncConnection(id: $id) { ... on SyncConnectionPayload {
  report { status added updated unchanged failed failures { position message } } } } }"""


@pytest.fixture
def gql(
    database: Path,
    client_factory: Callable[..., GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
) -> GraphQLClient:
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.01")
    monkeypatch.setenv("GRAPH_TOKEN", GRAPH_TOKEN)
    client = client_factory(database, sync=False)
    id = client.data("{ connections { nodes { id } } }")["connections"]["nodes"][0]["id"]
    assert client.data(SYNC, {"id": id})["syncConnection"]["report"]["added"] == RUNS
    return client


def test_start_calls_graph_once_and_records_the_run_it_started(
    gql: GraphQLClient, fake: FakeIndustryData
) -> None:
    nodes = gql.data("{ processes(filter: \"source eq 'INDUSTRY_DATA'\") { nodes { id } } }")[
        "processes"
    ]["nodes"]
    start = {"input": {"processId": nodes[0]["id"], "idempotencyKey": "on-demand-1"}}
    first = gql.data(START, start)["startRun"]
    again = gql.data(START, start)["startRun"]
    assert first["__typename"] == "StartRunPayload" and not first["replayed"], first
    assert again["replayed"] and again["run"]["id"] == first["run"]["id"]
    assert fake.calls["start"] == 1
    run = first["run"]
    assert fake.runs[run["sourceId"]]["status"] == run["sourceStatus"] == "running"
    id = gql.data("{ connections { nodes { id } } }")["connections"]["nodes"][0]["id"]
    report = gql.data(SYNC, {"id": id})["syncConnection"]["report"]
    assert report["added"] == 0  # Graph's record of the run is that run
    status = gql.data("query ($id: ID!) { run(id: $id) { status } }", {"id": run["id"]})
    assert status["run"]["status"] == "RUNNING"
    refused = gql.data(CANCEL, {"id": run["id"]})["cancelRun"]
    assert refused["__typename"] == "PlatformError" and "cannot be cancelled" in refused["message"]

"""A Data Factory connection end to end against the fake Data Factory: `gateway sync` on the command
line (pages, the lastUpdated window, a changed run and a new one, faults, a wrong credential), and
startRun, cancelRun and retryRun (Data Factory's rerun) through GraphQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import GraphQLClient
from tests.connections.helpers import add_connection, gateway, sync_line
from tests.fakes.data_factory import ADF_TOKEN, FakeDataFactory

OPTIONS = (
    "--option",
    "subscription=sub-1",
    "--option",
    "resource-group=rg-data",
    "--option",
    "factory=factory-1",
)
ENV = {"ADF_TOKEN": ADF_TOKEN}
RUNS = 7  # four pages of two


@pytest.fixture
def fake() -> Iterator[FakeDataFactory]:
    fake = FakeDataFactory(page_size=2)
    for i in range(RUNS - 1):
        fake.add_run("CopySales" if i % 2 else "LoadOrders", activities=2)
    fake.add_run("CopySales", status="InProgress", run_id="run-in-progress")
    with fake.running():
        yield fake


@pytest.fixture
def database(new_location: Callable[[str], Path], tmp_path: Path, fake: FakeDataFactory) -> Path:
    path = new_location("gateway.db")
    add_connection(path, "adf", "data-factory", fake.url, *OPTIONS, credential_env="ADF_TOKEN")
    return path


def test_first_sync_imports_every_run_once_then_nothing_changes(
    tmp_path: Path, database: Path, fake: FakeDataFactory
) -> None:
    assert sync_line(database, "adf", ENV) == (
        0,
        f"adf: SUCCEEDED, added {RUNS}, updated 0, unchanged 0, failed 0",
    )
    assert fake.calls["queryPipelineRuns"] == 4
    assert fake.calls["queryActivityruns"] == RUNS
    # The second pass asks only for what changed since the first (the lastUpdated window).
    assert sync_line(database, "adf", ENV) == (
        0,
        "adf: SUCCEEDED, added 0, updated 0, unchanged 0, failed 0",
    )
    window = fake.requests_of("queryPipelineRuns")[-1].json()
    first = fake.requests_of("queryPipelineRuns")[0].json()
    assert window["lastUpdatedAfter"] > first["lastUpdatedAfter"]
    out = tmp_path / "export.ndjson"
    assert gateway(database, "export", "--output", str(out)).returncode == 0
    records = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    types = Counter(r["type"] for r in records)
    assert types["run"] == RUNS and types["activity"] == 2 * (RUNS - 1) + 1
    assert {r["sourceId"] for r in records if r["type"] == "process"} == {"CopySales", "LoadOrders"}


def test_a_changed_run_and_a_new_one(database: Path, fake: FakeDataFactory) -> None:
    assert sync_line(database, "adf", ENV)[0] == 0
    fake.change_run("run-in-progress", status="Succeeded")
    fake.add_run("LoadOrders", updated=datetime.now(UTC))
    assert sync_line(database, "adf", ENV) == (
        0,
        "adf: SUCCEEDED, added 1, updated 1, unchanged 0, failed 0",
    )


def test_429_and_503_are_waited_out(database: Path, fake: FakeDataFactory) -> None:
    fake.fail_next("queryPipelineRuns", 429, retry_after=0.05)
    fake.fail_next("queryActivityruns", 503, after=2)
    assert sync_line(database, "adf", ENV) == (
        0,
        f"adf: SUCCEEDED, added {RUNS}, updated 0, unchanged 0, failed 0",
    )
    assert fake.calls["queryPipelineRuns"] == 4 + 1
    assert fake.calls["queryActivityruns"] == RUNS + 1


def test_a_page_failing_half_way_keeps_the_watermark(database: Path, fake: FakeDataFactory) -> None:
    fake.fail_next("queryPipelineRuns", 500, times=5, after=1)  # page 2 fails past every retry
    code, line = sync_line(database, "adf", ENV)
    assert code == 1 and line.startswith("adf: FAILED, added 2, updated 0, unchanged 0,"), line
    assert "500" in line
    assert sync_line(database, "adf", ENV) == (
        0,
        f"adf: SUCCEEDED, added {RUNS - 2}, updated 0, unchanged 2, failed 0",
    )


def test_a_wrong_credential_fails_that_connection_and_shows_no_secret(
    tmp_path: Path, database: Path, fake: FakeDataFactory
) -> None:
    add_connection(database, "other", "data-factory", fake.url, *OPTIONS, credential_env="OTHER")
    secret = "eyJ0eXAi-wrong-and-secret-adf"
    done = gateway(database, "sync", env={"ADF_TOKEN": secret, "OTHER": ADF_TOKEN}, spawn=True)
    assert done.returncode == 1
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert lines["adf"].startswith("FAILED, added 0")
    assert "connection 'adf': the platform refused the credential (401" in lines["adf"]
    assert "The access token is invalid" in lines["adf"]
    assert lines["other"].startswith(f"SUCCEEDED, added {RUNS}")
    listed = gateway(database, "connection", "list")
    for text in (done.stdout, done.stderr, listed.stdout, listed.stderr):
        assert secret not in text and ADF_TOKEN not in text
    for path in tmp_path.glob("gateway.db*"):
        data = path.read_bytes()
        assert secret.encode() not in data and ADF_TOKEN.encode() not in data


# -- forwarding through GraphQL -------------------------------------------------------------

RUN = "id sourceId status sourceStatus attemptNumber originalAttemptRun { id }"
START = f"""mutation ($input: StartRunInput!) {{ startRun(input: $input) {{ __typename
  ... on StartRunPayload {{ replayed run {{ {RUN} }} }}
  ... on PlatformError {{ code message connection }} }} }}"""
CANCEL = f"""mutation ($id: ID!) {{ cancelRun(id: $id) {{ __typename
  ... on CancelRunPayload {{ run {{ {RUN} }} }}
  ... on PlatformError {{ code message }} }} }}"""
RETRY = f"""mutation ($id: ID!, $key: String) {{ retryRun(id: $id, input: {{idempotencyKey: $key}}) {{
  __typename ... on RetryRunPayload {{ replayed run {{ {RUN} }} }}
  ... on PlatformError {{ code message }} }} }}"""
SYNC = """mutation ($id: ID!) { syncConnection(id: $id) { ... on SyncConnectionPayload {
  report { status added updated unchanged failures { position message } error { code message } } } } }"""
RUN_BY_ID = f"query ($id: ID!) {{ run(id: $id) {{ {RUN} }} }}"


@pytest.fixture
def gql(
    database: Path,
    client_factory: Callable[..., GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
) -> GraphQLClient:
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.01")
    monkeypatch.setenv("ADF_TOKEN", ADF_TOKEN)
    client = client_factory(database, sync=False)
    sync(client)
    return client


def sync(gql: GraphQLClient) -> dict[str, Any]:
    id = gql.data("{ connections { nodes { id } } }")["connections"]["nodes"][0]["id"]
    report: dict[str, Any] = gql.data(SYNC, {"id": id})["syncConnection"]["report"]
    assert report["status"] == "SUCCEEDED", report
    return report


def pipeline(gql: GraphQLClient, name: str) -> str:
    nodes = gql.data(
        "query ($f: String!) { processes(filter: $f) { nodes { id } } }",
        {"f": f"source eq 'DATA_FACTORY' and sourceId eq '{name}'"},
    )["processes"]["nodes"]
    assert len(nodes) == 1
    return str(nodes[0]["id"])


def test_start_cancel_and_rerun_call_data_factory_once_each(
    gql: GraphQLClient, fake: FakeDataFactory
) -> None:
    start = {
        "input": {
            "processId": pipeline(gql, "CopySales"),
            "idempotencyKey": "nightly-2026-12-03",
            "parameters": {"window": "2026-12-03"},
        }
    }
    first = gql.data(START, start)["startRun"]
    again = gql.data(START, start)["startRun"]
    assert first["__typename"] == "StartRunPayload" and not first["replayed"], first
    assert again["replayed"] and again["run"]["id"] == first["run"]["id"]
    assert fake.calls["createRun"] == 1
    run = first["run"]
    assert run["sourceId"] in fake.runs and run["sourceStatus"] == "Queued"
    assert fake.runs[run["sourceId"]]["parameters"] == {"window": "2026-12-03"}

    report = sync(gql)  # Data Factory's record of the run is that run, not a second one
    assert (report["added"], report["updated"]) == (0, 1)
    assert gql.data(RUN_BY_ID, {"id": run["id"]})["run"]["sourceStatus"] == "InProgress"

    cancelled = gql.data(CANCEL, {"id": run["id"]})["cancelRun"]
    twice = gql.data(CANCEL, {"id": run["id"]})["cancelRun"]
    assert cancelled["run"]["status"] == twice["run"]["status"] == "CANCELLING"
    assert fake.calls["cancel"] == 1
    sync(gql)  # the platform's Cancelled is taken, though Data Factory dates it before our note
    assert gql.data(RUN_BY_ID, {"id": run["id"]})["run"]["status"] == "CANCELLED"

    retried = gql.data(RETRY, {"id": run["id"], "key": "rerun-1"})["retryRun"]
    replay = gql.data(RETRY, {"id": run["id"], "key": "rerun-1"})["retryRun"]
    assert retried["__typename"] == "RetryRunPayload" and not retried["replayed"], retried
    assert replay["replayed"] and replay["run"]["id"] == retried["run"]["id"]
    assert fake.calls["createRun"] == 2
    new = retried["run"]
    assert new["id"] != run["id"] and new["sourceId"] != run["sourceId"]
    assert new["attemptNumber"] == 2 and new["originalAttemptRun"]["id"] == run["id"]
    rerun = fake.requests_of("createRun")[-1].query
    assert (rerun["referencePipelineRunId"], rerun["isRecovery"]) == (run["sourceId"], "true")
    report = sync(gql)  # the rerun, in the first run's run group, is the same new attempt
    assert report["added"] == 0
    assert gql.data(RUN_BY_ID, {"id": new["id"]})["run"]["originalAttemptRun"]["id"] == run["id"]


def test_a_refusal_is_typed_and_records_nothing(gql: GraphQLClient, fake: FakeDataFactory) -> None:
    fake.fail_next(
        "createRun", 400, body={"error": {"code": "BadRequest", "message": "Pipeline is disabled."}}
    )
    process = pipeline(gql, "LoadOrders")
    count = "query ($f: String!) { runs(filter: $f) { totalCount } }"
    before = gql.data(count, {"f": f"process/id eq '{process}'"})["runs"]["totalCount"]
    got = gql.data(START, {"input": {"processId": process, "idempotencyKey": "k"}})["startRun"]
    assert got["__typename"] == "PlatformError" and got["code"] == "PLATFORM_REFUSED", got
    assert got["connection"] == "adf" and "Pipeline is disabled." in got["message"]
    assert ADF_TOKEN not in got["message"]
    assert gql.data(count, {"f": f"process/id eq '{process}'"})["runs"]["totalCount"] == before

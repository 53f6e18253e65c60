"""startRun, cancelRun and retryRun on a process a Databricks connection synced call the fake
workspace once each (also when the same idempotency key is sent twice); a refusal is a typed
error and records nothing; a process with no connection keeps the gateway's own behaviour."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GraphQLClient
from tests.connections.helpers import add_connection
from tests.fakes.databricks import TOKEN, FakeDatabricks
from tests.fakes.server import serve_app

RUN = "id sourceId status sourceStatus attemptNumber isLatestAttempt"
START = f"""mutation ($input: StartRunInput!) {{ startRun(input: $input) {{ __typename
  ... on StartRunPayload {{ replayed run {{ {RUN} process {{ id }} }} }}
  ... on PlatformError {{ code message connection platformCode }} }} }}"""
CANCEL = f"""mutation ($id: ID!) {{ cancelRun(id: $id) {{ __typename
  ... on CancelRunPayload {{ run {{ {RUN} }} }}
  ... on PlatformError {{ code message }} }} }}"""
RETRY = f"""mutation ($id: ID!, $key: String) {{ retryRun(id: $id, input: {{idempotencyKey: $key}}) {{
  __typename ... on RetryRunPayload {{ replayed run {{ {RUN} }} }}
  ... on PlatformError {{ code message }} }} }}"""
SYNC = """mutation ($id: ID!) { syncConnection(id: $id) { ... on SyncConnectionPayload {
  report { status added updated unchanged } } } }"""
RUN_BY_ID = f"query ($id: ID!) {{ run(id: $id) {{ {RUN} }} }}"
RUNS_OF = """query ($f: String!) { runs(filter: $f) { totalCount } }"""


@pytest.fixture
def fake() -> Iterator[tuple[FakeDatabricks, str]]:
    fake = FakeDatabricks()
    fake.add_runs(6, jobs=2)
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
    add_connection(path, "prod", "databricks", fake[1], credential_env="DBX_TOKEN")
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.01")
    monkeypatch.setenv("DBX_TOKEN", TOKEN)
    client = client_factory(path, sync=False)
    sync(client)
    return client


def sync(gql: GraphQLClient) -> dict[str, Any]:
    id = gql.data("{ connections { nodes { id } } }")["connections"]["nodes"][0]["id"]
    report: dict[str, Any] = gql.data(SYNC, {"id": id})["syncConnection"]["report"]
    assert report["status"] == "SUCCEEDED"
    return report


def job_process(gql: GraphQLClient, job_id: int) -> str:
    nodes = gql.data(
        "query ($f: String!) { processes(filter: $f) { nodes { id } } }",
        {"f": f"source eq 'DATABRICKS' and sourceId eq '{job_id}'"},
    )["processes"]["nodes"]
    assert len(nodes) == 1
    return str(nodes[0]["id"])


def calls(fake: FakeDatabricks, path: str) -> int:
    return fake.faults.count("POST", f"/api/2.2/jobs/{path}")


def test_start_cancel_retry_call_the_platform_once_each(
    gql: GraphQLClient, fake: tuple[FakeDatabricks, str]
) -> None:
    server, _ = fake
    process = job_process(gql, 1)
    start = {"input": {"processId": process, "idempotencyKey": "nightly-1"}}
    first = gql.data(START, start)["startRun"]
    again = gql.data(START, start)["startRun"]
    assert first["__typename"] == "StartRunPayload" and not first["replayed"]
    assert again["replayed"] and again["run"]["id"] == first["run"]["id"]
    assert calls(server, "run-now") == 1 and len(server.tokens) == 1
    run = first["run"]
    assert run["sourceId"] == str(next(iter(server.tokens.values())))
    # the platform's answer, mapped with its status map (a Databricks PENDING run is starting)
    assert (run["status"], run["sourceStatus"]) == ("STARTING", "PENDING")
    assert run["process"]["id"] == process

    report = sync(gql)  # the platform's own record of the run is the same run, not a second one
    assert report["added"] == 0 and report["updated"] == 1
    assert gql.data(RUNS_OF, {"f": f"process/id eq '{process}'"})["runs"]["totalCount"] == 4

    cancelled = gql.data(CANCEL, {"id": run["id"]})["cancelRun"]
    twice = gql.data(CANCEL, {"id": run["id"]})["cancelRun"]
    assert cancelled["run"]["status"] == twice["run"]["status"] == "CANCELLING"
    assert calls(server, "runs/cancel") == 1
    sync(gql)
    assert gql.data(RUN_BY_ID, {"id": run["id"]})["run"]["status"] == "CANCELLED"

    retried = gql.data(RETRY, {"id": run["id"], "key": "retry-1"})["retryRun"]
    replay = gql.data(RETRY, {"id": run["id"], "key": "retry-1"})["retryRun"]
    assert retried["__typename"] == "RetryRunPayload" and not retried["replayed"]
    assert replay["replayed"] and replay["run"]["id"] == retried["run"]["id"] == run["id"]
    assert retried["run"]["status"] == "STARTING" and retried["run"]["sourceId"] == run["sourceId"]
    assert calls(server, "runs/repair") == 1 and server.repairs == [int(run["sourceId"])]
    sync(gql)
    assert gql.data(RUN_BY_ID, {"id": run["id"]})["run"]["status"] == "RUNNING"


def test_a_refusal_is_typed_and_records_nothing(
    gql: GraphQLClient, fake: tuple[FakeDatabricks, str]
) -> None:
    server, _ = fake
    server.refuse_run_now = True
    process = job_process(gql, 2)
    before = gql.data(RUNS_OF, {"f": f"process/id eq '{process}'"})["runs"]["totalCount"]
    got = gql.data(START, {"input": {"processId": process, "idempotencyKey": "k"}})["startRun"]
    assert got["__typename"] == "PlatformError" and got["code"] == "PLATFORM_REFUSED"
    assert got["connection"] == "prod" and got["platformCode"] == "INVALID_STATE"
    assert "The job is paused" in got["message"] and TOKEN not in got["message"]
    assert gql.data(RUNS_OF, {"f": f"process/id eq '{process}'"})["runs"]["totalCount"] == before
    # a finished run is not cancelled on the platform: refused before any call
    done = gql.data("{ runs(filter: \"source eq 'DATABRICKS'\", first: 1) { nodes { id } } }")
    refused = gql.data(CANCEL, {"id": done["runs"]["nodes"][0]["id"]})["cancelRun"]
    assert refused["__typename"] == "InvalidTransitionError"
    assert calls(server, "runs/cancel") == 0


def test_a_process_without_a_connection_keeps_todays_start(
    gql: GraphQLClient, fake: tuple[FakeDatabricks, str]
) -> None:
    server, _ = fake
    made = gql.data(
        """mutation { createProcess(input: {source: GATEWAY, kind: GATEWAY_PROCESS,
             sourceId: "local", displayName: "Local"}) {
             ... on CreateProcessPayload { process { id } } } }"""
    )["createProcess"]["process"]["id"]
    got = gql.data(START, {"input": {"processId": made}})["startRun"]
    assert got["__typename"] == "StartRunPayload" and got["run"]["status"] == "PENDING"
    assert got["run"]["sourceId"] is None or not got["run"]["sourceId"].isdigit()
    assert calls(server, "run-now") == 0

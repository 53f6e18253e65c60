"""A DataZone connection end to end against the fake DataZone (boto3, SigV4 with the AWS credentials
of the environment): `gateway sync` on the command line, where every pass re-reads and compares
(an equal run is unchanged), and startRun / retryRun through GraphQL with `clientToken`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.conftest import GraphQLClient
from tests.connections.helpers import add_connection, gateway, sync_line
from tests.fakes.datazone import ACCESS_KEY, SECRET_KEY, FakeDataZone

AWS = {
    "AWS_ACCESS_KEY_ID": ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    "AWS_EC2_METADATA_DISABLED": "true",
}
RUNS = 5 + 2


@pytest.fixture
def fake() -> Iterator[FakeDataZone]:
    fake = FakeDataZone(page_size=2)
    for _ in range(5):
        fake.add_run("ds-sales")
    fake.add_run("ds-hr")
    fake.add_run("ds-hr", status="RUNNING")
    with fake.running():
        yield fake


def options(fake: FakeDataZone) -> tuple[str, ...]:
    return (
        "--option",
        f"domain={fake.domain}",
        "--option",
        "data-source=ds-sales,ds-hr",
        "--option",
        f"region={fake.region}",
        "--option",
        "page-size=2",
    )


@pytest.fixture
def database(new_location: Callable[[str], Path], tmp_path: Path, fake: FakeDataZone) -> Path:
    path = new_location("gateway.db")
    add_connection(path, "dz", "datazone", fake.url, *options(fake))
    return path


def test_first_sync_imports_every_run_once_then_nothing_changes(
    tmp_path: Path, database: Path, fake: FakeDataZone
) -> None:
    assert sync_line(database, "dz", AWS) == (
        0,
        f"dz: SUCCEEDED, added {RUNS}, updated 0, unchanged 0, failed 0",
    )
    assert fake.calls["ListDataSourceRuns"] == 3 + 1
    # DataZone filters by no change time: the pass reads every run again, and nothing changed.
    assert sync_line(database, "dz", AWS) == (
        0,
        f"dz: SUCCEEDED, added 0, updated 0, unchanged {RUNS}, failed 0",
    )
    listed = fake.requests_of("ListDataSourceRuns")
    assert all(r.headers["authorization"].startswith("AWS4-HMAC-SHA256 ") for r in listed)
    out = tmp_path / "export.ndjson"
    assert gateway(database, "export", "--output", str(out)).returncode == 0
    types = Counter(orjson.loads(line)["type"] for line in out.read_bytes().splitlines())
    assert types["run"] == RUNS and types["activity"] == 3 * RUNS and types["process"] == 2


def test_a_changed_run_and_a_new_one(database: Path, fake: FakeDataZone) -> None:
    assert sync_line(database, "dz", AWS)[0] == 0
    running = next(r["id"] for r in fake.runs["ds-hr"] if r["status"] == "RUNNING")
    fake.change_run(running, status="SUCCESS")
    fake.add_run("ds-sales")
    assert sync_line(database, "dz", AWS) == (
        0,
        f"dz: SUCCEEDED, added 1, updated 1, unchanged {RUNS - 1}, failed 0",
    )


def test_throttling_is_waited_out(database: Path, fake: FakeDataZone) -> None:
    fake.fail_next(
        "ListDataSourceRuns",
        429,
        after=1,
        retry_after=0.05,
        headers={"x-amzn-ErrorType": "ThrottlingException"},
        body={"message": "Rate exceeded"},
    )
    fake.fail_next("StartDataSourceRun", 500)  # not asked for by a sync
    assert sync_line(database, "dz", AWS) == (
        0,
        f"dz: SUCCEEDED, added {RUNS}, updated 0, unchanged 0, failed 0",
    )
    assert fake.calls["ListDataSourceRuns"] == 4 + 1


def test_wrong_credentials_fail_the_connection_and_show_no_secret(
    tmp_path: Path, database: Path, fake: FakeDataZone
) -> None:
    wrong = {
        **AWS,
        "AWS_ACCESS_KEY_ID": "AKIDWRONG0000000000X",
        "AWS_SECRET_ACCESS_KEY": "wr0ng-s3cret",
    }
    done = gateway(database, "sync", env=wrong, spawn=True)
    assert done.returncode == 1
    line = next(x for x in done.stdout.splitlines() if x.startswith("dz: "))
    assert line.startswith("dz: FAILED, added 0")
    assert "connection 'dz': AWS refused the credentials (403 UnrecognizedClientException" in line
    for text in (done.stdout, done.stderr):
        assert "wr0ng-s3cret" not in text and SECRET_KEY not in text
    for path in tmp_path.glob("gateway.db*"):
        assert b"wr0ng-s3cret" not in path.read_bytes()
    unset = {k: v for k, v in AWS.items() if not k.startswith("AWS_ACCESS") and "SECRET" not in k}
    code, line = sync_line(database, "dz", unset)
    assert code == 1 and "no AWS credentials" in line


def test_credential_env_is_refused_for_datazone(database: Path, fake: FakeDataZone) -> None:
    done = gateway(
        database,
        "connection",
        "add",
        "dz-2",
        "--platform",
        "datazone",
        "--endpoint",
        fake.url,
        *options(fake),
        "--credential-env",
        "AWS_SECRET_ACCESS_KEY",
    )
    assert done.returncode == 2
    assert "standard AWS credentials" in done.stderr and "--credential-env" in done.stderr
    listed = gateway(database, "connection", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["dz"]


# -- forwarding through GraphQL -------------------------------------------------------------

RUN = "id sourceId status sourceStatus attemptNumber originalAttemptRun { id }"
START = f"""mutation ($input: StartRunInput!) {{ startRun(input: $input) {{ __typename
  ... on StartRunPayload {{ replayed run {{ {RUN} }} }}
  ... on PlatformError {{ code message connection }} }} }}"""
CANCEL = """mutation ($id: ID!) { cancelRun(id: $id) { __typename
  ... on PlatformError { code message } } }"""
RETRY = f"""mutation ($id: ID!, $key: String) {{ retryRun(id: $id, input: {{idempotencyKey: $key}}) {{
  __typename ... on RetryRunPayload {{ replayed run {{ {RUN} }} }}
  ... on PlatformError {{ code message }} }} }}"""
SYNC = """mutation ($id: ID!) { syncConnection(id: $id) { ... on SyncConnectionPayload {
  report { status added updated unchanged failed failures { position message } } } } }"""


@pytest.fixture
def gql(
    database: Path,
    client_factory: Callable[..., GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
) -> GraphQLClient:
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.01")
    for name, value in AWS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    client = client_factory(database, sync=False)
    sync(client)
    return client


def sync(gql: GraphQLClient) -> dict[str, Any]:
    id = gql.data("{ connections { nodes { id } } }")["connections"]["nodes"][0]["id"]
    report: dict[str, Any] = gql.data(SYNC, {"id": id})["syncConnection"]["report"]
    assert report["status"] == "SUCCEEDED", report["failures"]
    return report


def data_source(gql: GraphQLClient, source: str) -> str:
    nodes = gql.data(
        "query ($f: String!) { processes(filter: $f) { nodes { id } } }",
        {"f": f"source eq 'DATAZONE' and sourceId eq '{source}'"},
    )["processes"]["nodes"]
    assert len(nodes) == 1
    return str(nodes[0]["id"])


def test_start_and_retry_call_datazone_once_each_and_cancel_is_refused(
    gql: GraphQLClient, fake: FakeDataZone
) -> None:
    start = {"input": {"processId": data_source(gql, "ds-sales"), "idempotencyKey": "scan-1"}}
    first = gql.data(START, start)["startRun"]
    again = gql.data(START, start)["startRun"]
    assert first["__typename"] == "StartRunPayload" and not first["replayed"], first
    assert again["replayed"] and again["run"]["id"] == first["run"]["id"]
    assert fake.calls["StartDataSourceRun"] == 1
    run = first["run"]
    assert run["sourceStatus"] == "REQUESTED" and run["status"] == "PENDING"
    token = fake.requests_of("StartDataSourceRun")[0].json()["clientToken"]
    assert fake.tokens[token] == run["sourceId"]

    report = sync(gql)  # DataZone's record of the run is that run
    assert report["added"] == 0

    refused = gql.data(CANCEL, {"id": run["id"]})["cancelRun"]
    assert refused["__typename"] == "PlatformError" and refused["code"] == "PLATFORM_REFUSED"
    assert "no way to cancel" in refused["message"]

    fake.change_run(run["sourceId"], status="FAILED")
    sync(gql)
    retried = gql.data(RETRY, {"id": run["id"], "key": "again-1"})["retryRun"]
    replay = gql.data(RETRY, {"id": run["id"], "key": "again-1"})["retryRun"]
    assert retried["__typename"] == "RetryRunPayload" and not retried["replayed"], retried
    assert replay["replayed"] and replay["run"]["id"] == retried["run"]["id"]
    assert fake.calls["StartDataSourceRun"] == 2 and fake.calls["GetDataSourceRun"] == 1
    new = retried["run"]
    assert new["sourceId"] != run["sourceId"] and new["originalAttemptRun"]["id"] == run["id"]


def test_a_start_is_recorded_in_the_state_datazone_answered_and_the_next_sync_moves_it(
    gql: GraphQLClient, fake: FakeDataZone
) -> None:
    fake.start_status = "RUNNING"  # the data source started at once
    process = data_source(gql, "ds-hr")
    got = gql.data(START, {"input": {"processId": process}})["startRun"]
    assert got["__typename"] == "StartRunPayload", got
    run = got["run"]
    assert (run["status"], run["sourceStatus"]) == ("RUNNING", "RUNNING")
    detail = "query ($id: ID!) { run(id: $id) { status sourceStatus startDateTime } }"
    assert gql.data(detail, {"id": run["id"]})["run"]["startDateTime"] is not None
    fake.change_run(run["sourceId"], status="SUCCESS")
    report = sync(gql)
    assert (report["added"], report["updated"]) == (0, 1)
    after = gql.data(detail, {"id": run["id"]})["run"]
    assert (after["status"], after["sourceStatus"]) == ("SUCCEEDED", "SUCCESS")

"""A Databricks connection end to end, through the command line, against the fake workspace."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from tests.connections.helpers import add_connection, gateway, sync_line
from tests.fakes.databricks import TOKEN, FakeDatabricks
from tests.fakes.server import serve_app

LIST = "/api/2.2/jobs/runs/list"
ENV = {"DBX_TOKEN": TOKEN}


@pytest.fixture
def fake() -> Iterator[tuple[FakeDatabricks, str]]:
    fake = FakeDatabricks()
    fake.add_runs(60)
    with serve_app(fake.app()) as url:
        yield fake, url


@pytest.fixture
def database(
    new_location: Callable[[str], Path], tmp_path: Path, fake: tuple[FakeDatabricks, str]
) -> Path:
    path = new_location("gateway.db")
    add_connection(path, "prod", "databricks", fake[1], credential_env="DBX_TOKEN")
    return path


def test_first_sync_imports_every_run_once_then_nothing_changes(
    tmp_path: Path, database: Path, fake: tuple[FakeDatabricks, str]
) -> None:
    server, _ = fake
    assert sync_line(database, "prod", ENV) == (
        0,
        "prod: SUCCEEDED, added 60, updated 0, unchanged 0, failed 0",
    )
    assert server.faults.count("GET", LIST) == 3  # pages of 25, 25 and 10
    code, line = sync_line(database, "prod", ENV)
    assert code == 0 and ", added 0, updated 0," in line and "failed 0" in line
    out = tmp_path / "export.ndjson"
    assert gateway(database, "export", "--output", str(out)).returncode == 0
    types = Counter(orjson.loads(line)["type"] for line in out.read_bytes().splitlines())
    assert types["run"] == 60 and types["activity"] == 120 and types["process"] == 3


def test_a_changed_run_and_a_new_one(database: Path, fake: tuple[FakeDatabricks, str]) -> None:
    server, _ = fake
    assert sync_line(database, "prod", ENV)[0] == 0
    server.change(59, life="TERMINATED", result="FAILED")
    server.add_runs(1, first=61)
    code, line = sync_line(database, "prod", ENV)
    assert code == 0 and line.startswith("prod: SUCCEEDED, added 1, updated 1,"), line


def test_429_is_waited_out(database: Path, fake: tuple[FakeDatabricks, str]) -> None:
    server, _ = fake
    server.faults.add(LIST, 429, retry_after="1")
    server.faults.add(LIST, 503)
    assert sync_line(database, "prod", ENV) == (
        0,
        "prod: SUCCEEDED, added 60, updated 0, unchanged 0, failed 0",
    )
    assert server.faults.faulted == 2 and server.faults.count("GET", LIST) == 5


def test_a_page_failing_half_way_keeps_the_watermark(
    database: Path, fake: tuple[FakeDatabricks, str]
) -> None:
    server, _ = fake
    server.faults.add(LIST, 500, times=5, skip=1)  # page 2 fails past every retry
    code, line = sync_line(database, "prod", ENV)
    assert code == 1 and line.startswith("prod: FAILED, added 25, updated 0, unchanged 0,")
    assert "500" in line and "giving up" in line
    code, line = sync_line(database, "prod", ENV)  # the watermark stayed: all is read again
    assert (code, line) == (0, "prod: SUCCEEDED, added 35, updated 0, unchanged 25, failed 0")


def test_a_wrong_credential_fails_that_connection_and_shows_no_secret(
    tmp_path: Path, database: Path, fake: tuple[FakeDatabricks, str]
) -> None:
    _, url = fake
    add_connection(database, "other", "databricks", url, credential_env="OTHER_TOKEN")
    secret = "dapi-wrong-and-secret-0000"
    done = gateway(database, "sync", env={"DBX_TOKEN": secret, "OTHER_TOKEN": TOKEN}, spawn=True)
    assert done.returncode == 1
    lines = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert lines["prod"].startswith("FAILED, added 0")
    assert "connection 'prod': the platform refused the credential (401" in lines["prod"]
    assert lines["other"].startswith("SUCCEEDED, added 60")  # the others go on
    listed = gateway(database, "connection", "list")
    assert "prod" in listed.stdout and "credential-env=DBX_TOKEN" in listed.stdout
    for text in (done.stdout, done.stderr, listed.stdout, listed.stderr):
        assert secret not in text and TOKEN not in text
    for path in tmp_path.glob("gateway.db*"):
        assert secret.encode() not in path.read_bytes() and TOKEN.encode() not in path.read_bytes()


def test_an_unset_credential_variable_is_named(database: Path) -> None:
    code, line = sync_line(database, "prod", {})
    assert code == 1 and "the environment variable DBX_TOKEN (its credential) is not set" in line


def test_connection_add_refuses_bad_input_and_changes_nothing(database: Path) -> None:
    cases = [
        (["--platform", "databricks", "--endpoint", "https://u:p@h.example"], "user or password"),
        (["--platform", "databricks", "--endpoint", "ftp://h"], "http:// or https://"),
        (["--platform", "data-factory", "--endpoint", "https://h"], "needs the option"),
        (["--platform", "databricks", "--endpoint", "https://h", "--interval", "1s"], "between"),
        (
            ["--platform", "databricks", "--endpoint", "https://h", "--credential-env", "a b"],
            "name of an environment variable",
        ),
    ]
    for args, message in cases:
        done = gateway(database, "connection", "add", "new", *args)
        assert done.returncode == 2 and message in done.stderr, (args, done.stderr)
    taken = gateway(
        database, "connection", "add", "prod", "--platform", "databricks", "--endpoint", "https://h"
    )
    assert taken.returncode == 2 and "exists already" in taken.stderr
    listed = gateway(database, "connection", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["prod"]
    removed = gateway(database, "connection", "remove", "prod")
    assert removed.returncode == 0 and gateway(database, "connection", "list").stdout == ""
    assert gateway(database, "connection", "remove", "prod").returncode == 1

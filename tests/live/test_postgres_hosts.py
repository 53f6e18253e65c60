"""Two `gateway serve` processes over one PostgreSQL database, as two hosts behind a load
balancer: what one writes the other reads at once, a subscriber of one receives the other's
writes, one idempotency key started twenty times across both makes one run, and killing one
process loses nothing it acknowledged."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests import pg
from tests.servers import serve_process

from .server import Api, Subscriber, serve

pytestmark = pytest.mark.slow

START = """mutation ($input: StartRunInput!) { startRun(input: $input) {
  __typename ... on StartRunPayload { replayed run { id } } } }"""


@pytest.fixture
def hosts(tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """Two servers over one new database: their URLs, and the database's."""
    with (
        pg.temporary_database() as url,
        serve(url, tmp_path / "one.log") as one,  # type: ignore[arg-type]  # a URL, not a Path
        serve(url, tmp_path / "two.log") as two,  # type: ignore[arg-type]  # a URL, not a Path
    ):
        yield one, two, url


def _ready_process(api: Api, source_id: str) -> str:
    result = api.data(
        """mutation ($input: CreateProcessInput!) { createProcess(input: $input) {
             ... on CreateProcessPayload { process { id } } } }""",
        {
            "input": {
                "source": "GATEWAY",
                "kind": "GATEWAY_PROCESS",
                "sourceId": source_id,
                "displayName": f"Process {source_id}",
                "readinessStatus": "READY",
            }
        },
    )
    process_id: str = result["createProcess"]["process"]["id"]
    return process_id


def test_a_write_through_one_is_read_through_the_other_at_once(
    hosts: tuple[str, str, str],
) -> None:
    one, two, _ = hosts
    process = Api(one).process("shared")
    for i in range(5):
        run_id = Api(one).run(process, displayName=f"run {i}")
        found = Api(two).data(
            "query ($id: ID!) { run(id: $id) { id displayName } }", {"id": run_id}
        )
        assert found["run"] == {"id": run_id, "displayName": f"run {i}"}
        Api(two).update(run_id, "FAILED")
        status = Api(one).data("query ($id: ID!) { run(id: $id) { status } }", {"id": run_id})
        assert status["run"]["status"] == "FAILED"


async def test_a_subscriber_of_one_receives_the_writes_of_the_other(
    hosts: tuple[str, str, str],
) -> None:
    one, two, _ = hosts
    process = Api(two).process("watched")
    async with Subscriber.open(one) as sub:
        await sub.subscribe(
            "1", f'(after: "{Api(one).head()}", filter: "process/id eq \'{process}\'")'
        )
        made = [Api(two).run(process) for _ in range(3)]
        Api(two).update(made[0], "SUCCEEDED")
        got = (await sub.changes(4))["1"]
    assert [(c["kind"], c["runId"]) for c in got] == [
        *(("CREATED", r) for r in made),
        ("UPDATED", made[0]),
    ]


def test_twenty_starts_with_one_key_across_both_make_one_run(hosts: tuple[str, str, str]) -> None:
    one, two, url = hosts
    process = _ready_process(Api(one), "keyed")

    def start(i: int) -> dict[str, Any]:
        response = httpx2.post(
            f"{(one, two)[i % 2]}/graphql",
            json={
                "query": START,
                "variables": {"input": {"processId": process, "idempotencyKey": "k-1"}},
            },
            timeout=60,
        )
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        result: dict[str, Any] = body["data"]["startRun"]
        return result

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(start, range(20)))
    assert {r["__typename"] for r in results} == {"StartRunPayload"}
    assert len({r["run"]["id"] for r in results}) == 1
    assert sorted(r["replayed"] for r in results) == [False] + [True] * 19
    assert pg.rows(url, "SELECT count(*) FROM runs WHERE process_id = ?", (process,)) == [(1,)]


def test_killing_one_process_loses_nothing_it_acknowledged(
    tmp_path: Path, hosts: tuple[str, str, str]
) -> None:
    one, two, url = hosts
    process = Api(one).process("durable")
    with serve_process(url, tmp_path / "three.log") as (three, server):  # type: ignore[arg-type]  # a URL
        acknowledged = [Api(three).run(process) for _ in range(10)]
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
    found = Api(two).data(
        "query ($f: String) { runs(filter: $f, first: 100) { totalCount nodes { id } } }",
        {"f": f"process/id eq '{process}'"},
    )["runs"]
    assert found["totalCount"] == 10
    assert sorted(n["id"] for n in found["nodes"]) == sorted(acknowledged)
    changes = Api(one).changes(filter=f"process/id eq '{process}'")
    assert sorted(c["runId"] for c in changes) == sorted(acknowledged)

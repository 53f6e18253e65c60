"""`gateway serve` syncs each connection every interval, once across server processes, and the
synced runs reach `runChanged` subscribers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import pg
from tests.connections.helpers import add_connection
from tests.fakes.databricks import TOKEN, FakeDatabricks
from tests.fakes.server import serve_app
from tests.live.server import Subscriber
from tests.servers import serve_process

pytestmark = pytest.mark.slow
LIST = "/api/2.2/jobs/runs/list"
INTERVAL = 10  # seconds, the shortest a connection takes


@pytest.fixture
def fake() -> Iterator[tuple[FakeDatabricks, str]]:
    fake = FakeDatabricks()
    with serve_app(fake.app()) as url:
        yield fake, url


def _reports(database: Path) -> list[int]:
    return [int(str(row[0])) for row in pg.rows(database, "SELECT started_at FROM sync_reports")]


async def test_two_servers_sync_each_slot_once_and_subscribers_see_it(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    fake: tuple[FakeDatabricks, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server, url = fake
    database = new_location("gateway.db")
    add_connection(
        database,
        "prod",
        "databricks",
        url,
        "--interval",
        f"{INTERVAL}s",
        credential_env="DBX_TOKEN",
    )
    monkeypatch.setenv("DBX_TOKEN", TOKEN)
    settings = {"sync_tick": "1", "sync": "true"}
    log = tmp_path / "server.log"
    with (
        serve_process(database, log, **settings) as (first, _),
        serve_process(database, log, **settings) as (_second, _),
    ):
        async with Subscriber.open(first) as sub:
            await sub.subscribe("synced", "(filter: \"source eq 'DATABRICKS'\")")
            await asyncio.sleep(0.5)  # the subscription is registered before the runs appear
            server.add_runs(5)
            got = (await sub.changes(5))["synced"]
        assert sorted(c["kind"] for c in got) == ["CREATED"] * 5
        for _ in range(50):  # a pass that has called the fake but not yet kept its report
            reports = _reports(database)
            if server.faults.count("GET", LIST) == len(reports):
                break
            await asyncio.sleep(0.1)
    slots = [started // (INTERVAL * 1_000_000) for started in reports]
    assert len(slots) >= 2 and len(set(slots)) == len(slots)  # one pass per slot, not one each
    assert server.faults.count("GET", LIST) == len(reports)
    assert "secret" not in log.read_text() and TOKEN not in log.read_text()

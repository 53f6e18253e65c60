"""`runChanged` against the real server (uvicorn on a free port) with a real WebSocket client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from gateway.domain.models import RunEventKind
from gateway.store import events, runs
from gateway.store.database import Database

from .server import Api, Subscriber, serve

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with serve(tmp_path / "live.db", tmp_path / "server.log") as url:
        yield url


def _without_run(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if k != "run"} for c in changes]


def _kinds(changes: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(c["kind"], c["runId"], c["status"]) for c in changes]


async def test_each_subscriber_gets_the_changes_its_filter_matches(server: str) -> None:
    api = Api(server)
    a, b = api.process("a"), api.process("b")
    head = api.head()
    async with Subscriber.open(server) as sub:
        after = f'after: "{head}"'
        await sub.subscribe("all", f"({after})")
        await sub.subscribe("a", f"(filter: \"process/id eq '{a}'\", {after})")
        await sub.subscribe("failed", f"(where: {{status: {{eq: FAILED}}}}, {after})")
        run_a, run_b = api.run(a), api.run(b)
        api.update(run_b, "FAILED")
        api.update(run_a, "SUCCEEDED")
        api.delete(run_b)  # matched `failed` before it was deleted: its tombstone goes there
        marker = api.run(a, "FAILED")  # every filter but one matches; it ends each stream
        got = await sub.changes(6 + 3 + 3)
    assert _kinds(got["all"]) == [
        ("CREATED", run_a, "RUNNING"),
        ("CREATED", run_b, "RUNNING"),
        ("UPDATED", run_b, "FAILED"),
        ("UPDATED", run_a, "SUCCEEDED"),
        ("DELETED", run_b, None),
        ("CREATED", marker, "FAILED"),
    ]
    assert _kinds(got["a"]) == [
        ("CREATED", run_a, "RUNNING"),
        ("UPDATED", run_a, "SUCCEEDED"),
        ("CREATED", marker, "FAILED"),
    ]
    assert _kinds(got["failed"]) == [
        ("UPDATED", run_b, "FAILED"),
        ("DELETED", run_b, None),
        ("CREATED", marker, "FAILED"),
    ]
    deleted = got["all"][4]
    assert deleted["run"] is None and deleted["previousStatus"] == "FAILED"
    assert got["all"][0]["run"]["id"] == run_a
    # the delta query gives the same changes and cursors
    assert _without_run(api.changes(head)) == _without_run(got["all"])


async def test_a_resumed_subscription_loses_and_repeats_nothing(server: str) -> None:
    api = Api(server)
    process = api.process("p")
    head = api.head()
    received: list[dict[str, Any]] = []
    async with Subscriber.open(server) as sub:
        await sub.subscribe("1", f'(after: "{head}")')
        first = api.run(process)
        received += (await sub.changes(1))["1"]
    # while no one listens: more changes than one replay batch
    made = [api.run(process) for _ in range(300)]

    async def keep_changing() -> None:
        for run_id in made[:40]:
            await asyncio.to_thread(api.update, run_id, "SUCCEEDED")

    async with Subscriber.open(server) as sub:
        await sub.subscribe("1", f'(after: "{received[-1]["cursor"]}")')
        changing = asyncio.create_task(keep_changing())  # across the replay/live seam
        received += (await sub.changes(300 + 40))["1"]
        await changing
    assert _without_run(received) == _without_run(api.changes(head))
    assert [c["runId"] for c in received[:301]] == [first, *made]
    assert len({c["cursor"] for c in received}) == len(received) == 341


async def test_a_change_made_through_another_process_reaches_the_subscriber(
    tmp_path: Path,
) -> None:
    database = tmp_path / "shared.db"
    with (
        serve(database, tmp_path / "one.log") as one,
        serve(database, tmp_path / "two.log") as two,
    ):
        process = Api(two).process("p")
        async with Subscriber.open(one) as sub:
            await sub.subscribe(
                "1", f'(after: "{Api(one).head()}", filter: "process/id eq \'{process}\'")'
            )
            run_id = Api(two).run(process)
            Api(two).update(run_id, "FAILED")
            got = (await sub.changes(2))["1"]
    assert _kinds(got) == [("CREATED", run_id, "RUNNING"), ("UPDATED", run_id, "FAILED")]


async def _flood(database: Path, run_id: str, count: int) -> None:
    """`count` changes to one run, committed by this process (another writer)."""
    async with Database(database, readers=1) as db, db.transaction() as tx:
        run = await runs.get(tx, run_id)
        assert run is not None
        for _ in range(count):
            await events.append(tx, run, RunEventKind.UPDATED, from_status=run.status, actor="t")


async def test_a_subscriber_that_never_reads_is_dropped_and_resumes(tmp_path: Path) -> None:
    database = tmp_path / "slow.db"
    settings = {"live_queue": "50", "live_keep_alive_ms": "0"}
    with serve(database, tmp_path / "server.log", **settings) as url:
        api = Api(url)
        run_id = api.run(api.process("p"), displayName="x" * 512)
        head = api.head()
        # A small receive window, no compression and large messages (about 8 kB each, 8 MB in
        # all, more than the socket buffers hold), so the server's sends back up.
        raw = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        fields = "cursor " + " ".join(f"n{i}: run {{ displayName }}" for i in range(16))
        options = {"sock": raw, "max_queue": 1, "compression": None, "ping_interval": None}
        received: list[str] = []
        async with Subscriber.open(url, **options) as sub:
            await sub.subscribe("1", f'(after: "{head}")', fields=fields)
            await _flood(database, run_id, 1000)
            await asyncio.sleep(3)  # the flood is read and fanned out; we read nothing
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                while True:  # what the server had sent before it dropped us
                    message = json.loads(await asyncio.wait_for(sub.ws.recv(), 5))
                    assert message["type"] == "next", message
                    received.append(message["payload"]["data"]["runChanged"]["cursor"])
        # The server kept no more than its buffers and the queue bound: it stopped sending.
        assert 0 < len(received) < 1000
        async with Subscriber.open(url) as sub:  # resuming loses and repeats nothing
            await sub.subscribe("1", f'(after: "{received[-1]}")', fields="cursor")
            rest = (await sub.changes(1000 - len(received)))["1"]
        assert [c["cursor"] for c in rest] == [c["cursor"] for c in api.changes(received[-1])]
        assert len(set(received) | {c["cursor"] for c in rest}) == 1000

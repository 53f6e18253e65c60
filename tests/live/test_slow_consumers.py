"""Slow consumers against a real server (uvicorn, in this process, so the test can look at the
feed and the server's connections) with a real WebSocket client."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from gateway.api.live.websocket import SLOW_CONSUMER
from gateway.config import Settings
from gateway.domain.models import RunChangeKind
from gateway.store import events, runs
from gateway.store.engines import database_for
from gateway.store.feed import ChangeFeed

from .server import Api, Subscriber, serve_here

pytestmark = pytest.mark.slow


def _settings(database: Path, queue: int) -> Settings:
    return Settings(
        database=str(database), create=True, live_queue=queue, live_keep_alive_ms=0, scheduler=False
    )


async def _flood(database: Path, run_id: str, count: int) -> None:
    """`count` changes to one run, committed through another connection (another writer)."""
    async with database_for(database, readers=1) as db, db.transaction() as tx:
        run = await runs.get(tx, run_id)
        assert run is not None
        for _ in range(count):
            await events.append(tx, run, RunChangeKind.UPDATED, from_status=run.status, actor="t")


async def _until(condition: Any, seconds: float) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 (the server's state, in this process)
            await asyncio.sleep(0.05)


async def test_a_consumer_that_never_reads_is_cut_off_and_the_server_keeps_no_more(
    new_location: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    database = new_location("slow.db")
    async with serve_here(_settings(database, 50)) as (url, app, server):
        feed: ChangeFeed = app.state.feed
        api = Api(url)
        process = await asyncio.to_thread(api.process, "p")
        run_id = await asyncio.to_thread(api.run, process, displayName="x" * 512)
        head = await asyncio.to_thread(api.head)
        # A small receive window, no compression and large messages (about 8 kB each, 8 MB in
        # all, more than the socket buffers hold), so the server's sends back up.
        raw = socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])))
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.setblocking(False)
        fields = "cursor " + " ".join(f"n{i}: run {{ displayName }}" for i in range(16))
        options = {"sock": raw, "max_queue": 1, "compression": None, "ping_interval": None}
        received: list[str] = []
        async with Subscriber.open(url, **options) as sub:
            await sub.subscribe("1", f'(after: "{head}")', fields=fields)
            await _until(lambda: feed.subscribers == 1, 10)
            await _flood(database, run_id, 1000)
            # We read nothing: the server drops the subscriber, frees its queue, and, as the
            # close frame cannot reach us, aborts the connection.
            await _until(lambda: feed.stats.dropped == 1, 20)
            assert feed.subscribers == 0
            await _until(lambda: not server.server_state.connections, 10)
            assert feed.stats.most_pending <= 50  # never more than the bound
            with pytest.raises(ConnectionClosed):  # and we see the connection end
                while True:  # after what the server had sent before
                    message = json.loads(await asyncio.wait_for(sub.ws.recv(), 10))
                    assert message["type"] == "next", message
                    received.append(message["payload"]["data"]["runChanged"]["cursor"])
            assert sub.ws.close_code in (SLOW_CONSUMER, 1006)
        assert len(received) < 1000
        after = received[-1] if received else head
        async with Subscriber.open(url) as sub:  # resuming loses and repeats nothing
            await sub.subscribe("1", f'(after: "{after}")', fields="cursor")
            rest = (await sub.changes(1000 - len(received)))["1"]
        expected = await asyncio.to_thread(api.changes, after)
        assert [c["cursor"] for c in rest] == [c["cursor"] for c in expected]
        assert len(set(received) | {c["cursor"] for c in rest}) == 1000


async def test_a_dropped_consumer_that_still_reads_gets_the_close_code(
    new_location: Callable[[str], Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = new_location("close.db")
    async with serve_here(_settings(database, 5)) as (url, app, _):
        feed: ChangeFeed = app.state.feed
        async with Subscriber.open(url) as sub:
            await sub.subscribe("1")
            await _until(lambda: feed.subscribers == 1, 10)
            # More than the bound at once, as a tailer that read faster than we took would.
            (subscriber,) = feed._subscribers
            subscriber.offer([None] * 6)  # type: ignore[list-item]
            with pytest.raises(ConnectionClosed) as closed:
                await sub.message()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == SLOW_CONSUMER == 4413
        assert "resume with your last cursor" in closed.value.rcvd.reason
        assert feed.stats.dropped == 1 and feed.subscribers == 0
        # the subscription's end on a closed connection is not reported as a failure
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

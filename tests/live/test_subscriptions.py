"""`runChanged` against the real server (uvicorn on a free port) with a real WebSocket client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .server import Api, Subscriber, serve

pytestmark = pytest.mark.slow


@pytest.fixture
def server(new_location: Callable[[str], Path], tmp_path: Path) -> Iterator[str]:
    with serve(new_location("live.db"), tmp_path / "server.log") as url:
        yield url


def _without_run(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.items() if k != "run"} for c in changes]


def _kinds(changes: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(c["kind"], c["runId"], c["toStatus"]) for c in changes]


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
    assert deleted["run"] is None and deleted["fromStatus"] == "FAILED"
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
    new_location: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    database = new_location("shared.db")
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

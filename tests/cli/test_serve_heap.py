"""A served application, once started, keeps what it built out of the garbage collector's sight
and lets it run after many more new objects than Python's default (`settle_heap`): the nested
list builds thousands of short-lived dicts a request, and the default collector spent 11-12% of
a worker's CPU on them for nothing to reclaim."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.cli import heap, startup


@pytest.fixture
def collector() -> Iterator[None]:
    """The collector as it was, after the test."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_served_application_settles_its_heap_once_started(
    empty_location: Path, monkeypatch: pytest.MonkeyPatch, collector: None
) -> None:
    monkeypatch.setenv("GATEWAY_DATABASE", str(empty_location))
    monkeypatch.setenv("GATEWAY_CREATE", "true")
    monkeypatch.setenv("GATEWAY_SCHEDULER", "false")
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    app = startup.application()  # what uvicorn serves (`gateway serve`, every worker)
    seen: dict[str, Any] = {}

    async def lifespan() -> list[str]:
        sent: list[str] = []
        started = asyncio.Event()
        messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

        async def receive() -> dict[str, str]:
            message = next(messages)
            if message["type"] == "lifespan.shutdown":
                await started.wait()
            return message

        async def send(message: dict[str, str]) -> None:
            sent.append(message["type"])
            if message["type"] == "lifespan.startup.complete":
                seen["threshold"] = gc.get_threshold()[0]
                seen["frozen"] = gc.get_freeze_count()
                started.set()

        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
        return sent

    sent = asyncio.run(lifespan())
    assert sent == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert seen["threshold"] == heap.YOUNG_OBJECTS > 700
    assert seen["frozen"] > 10_000  # the schema, the modules, the plans' compiler


def test_a_bulk_command_settles_the_heap_for_its_length_then_gives_it_back(
    collector: None,
) -> None:
    """`gateway import` and `gateway sync` run inside `bulk_heap`: settled while they run, the
    collector as it was afterwards (they may run inside another program, such as these tests)."""
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    with heap.bulk_heap():
        assert gc.get_threshold()[0] == heap.YOUNG_OBJECTS
        assert gc.get_freeze_count() > 10_000
    assert gc.get_threshold() == (700, 10, 10)
    assert gc.get_freeze_count() == 0


def test_a_bulk_command_inside_a_settled_program_leaves_its_heap_frozen(collector: None) -> None:
    """Run inside a program that settled its own heap, `bulk_heap` gives back the threshold and
    does not unfreeze what the program froze."""
    heap.settle_heap()
    frozen = gc.get_freeze_count()
    gc.set_threshold(5_000, 10, 10)
    with heap.bulk_heap():
        assert gc.get_threshold()[0] == heap.YOUNG_OBJECTS
    assert gc.get_threshold() == (5_000, 10, 10)
    assert gc.get_freeze_count() >= frozen > 0

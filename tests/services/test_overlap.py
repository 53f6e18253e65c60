"""`OneInFlight`, the one-commit-in-flight pipeline of imports and syncs: results in order, one
commit at a time; an error leaves the commit in flight to finish; a cancel cancels it."""

from __future__ import annotations

import asyncio
import functools

import pytest

from gateway.services.overlap import OneInFlight


def test_commits_run_one_at_a_time_in_order() -> None:
    running: list[int] = []
    done: list[int] = []

    async def commit(n: int) -> int:
        running.append(n)
        assert len(running) == 1, running  # never two at once
        await asyncio.sleep(0.01)
        running.remove(n)
        return n

    async def scenario() -> None:
        async with OneInFlight(done.append) as commits:
            for n in range(5):
                await commits.submit(functools.partial(commit, n))

    asyncio.run(scenario())
    assert done == [0, 1, 2, 3, 4]


def test_an_error_lets_the_commit_in_flight_finish() -> None:
    finished: list[str] = []

    async def commit() -> str:
        await asyncio.sleep(0.01)
        finished.append("committed")
        return "ok"

    async def scenario() -> None:
        async with OneInFlight(lambda _: None) as commits:
            await commits.submit(commit)
            raise ValueError("the reader failed")

    with pytest.raises(ValueError, match="the reader failed"):
        asyncio.run(scenario())
    assert finished == ["committed"]


def test_a_cancel_cancels_the_commit_in_flight() -> None:
    finished: list[str] = []

    async def commit() -> str:
        await asyncio.sleep(10)
        finished.append("committed")
        return "ok"

    async def scenario() -> None:
        async def work() -> None:
            async with OneInFlight(lambda _: None) as commits:
                await commits.submit(commit)
                await asyncio.sleep(10)

        task = asyncio.create_task(work())
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert finished == []

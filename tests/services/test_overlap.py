"""`OneInFlight`, the one-commit-in-flight pipeline of imports and syncs: results in order, one
commit at a time; an error leaves the commit in flight to finish; a cancel cancels it. `MapAhead`
maps a batch's deferred runs while the commit before it is in flight."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable

import pytest

from gateway.domain.imports import (
    DeferredRun,
    ImportedRun,
    Outcome,
    ProcessRef,
    Record,
    RecordError,
    RecordFailure,
)
from gateway.domain.sources import ProcessKind, Source
from gateway.domain.specs import RunSpec
from gateway.services.overlap import MAP_STEP, MapAhead, OneInFlight


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


def _deferred(source_id: str, parse: Callable[[], ImportedRun]) -> DeferredRun:
    ref = ProcessRef(
        source=Source.DATABRICKS, kind=ProcessKind.DATABRICKS_JOB, source_id="7", display_name="j"
    )
    return DeferredRun(
        process=ref,
        source_id=source_id,
        original_attempt_source_id=None,
        fingerprint="f",
        parse=parse,
    )


def _refused() -> ImportedRun:
    raise RecordError("state: is required.")


def test_map_ahead_maps_deferred_runs_only_while_a_commit_is_in_flight() -> None:
    mapped = ImportedRun(process=_deferred("x", _refused).process, spec=RunSpec(source_id="1"))
    ticks: list[int] = []

    async def commit() -> str:
        for n in range(10):  # the commit in flight goes on between steps of the mapping
            ticks.append(n)
            await asyncio.sleep(0)
        return "ok"

    async def scenario() -> list[tuple[str, Record]]:
        batch: list[tuple[str, Record]] = [
            (f"record {i}", _deferred(str(i), lambda: mapped)) for i in range(MAP_STEP * 3)
        ]
        batch.append(("record last", _deferred("bad", _refused)))
        ahead = MapAhead(eager=True)
        async with OneInFlight(lambda _: None) as commits:
            await ahead.map(batch, commits)  # nothing in flight: nothing to overlap
            assert all(isinstance(r, DeferredRun) for _, r in batch)
            await commits.submit(commit)
            await ahead.map(batch, commits)
            assert ticks, "the commit ran while the batch was mapped"
        return batch

    batch = asyncio.run(scenario())
    assert [r for _, r in batch[:-1]] == [mapped] * (MAP_STEP * 3)
    assert isinstance(
        batch[-1][1], DeferredRun
    )  # refused: mapped again (and reported) in the commit


def test_map_ahead_stops_once_a_batch_was_mostly_unchanged() -> None:
    ahead = MapAhead(eager=True)
    ahead.observe([Outcome.UNCHANGED] * 6 + [Outcome.ADDED] * 4)
    assert not ahead.eager

    async def scenario() -> list[tuple[str, Record]]:
        batch: list[tuple[str, Record]] = [("record 1", _deferred("1", _refused))]
        async with OneInFlight(lambda _: None) as commits:
            await commits.submit(functools.partial(asyncio.sleep, 0.01))
            await ahead.map(batch, commits)  # not eager: left deferred, not even tried
        return batch

    assert isinstance(asyncio.run(scenario())[0][1], DeferredRun)
    ahead.observe(
        [Outcome.ADDED] * 6 + [RecordFailure("record 1", "bad")] + [Outcome.UNCHANGED] * 3
    )
    assert ahead.eager

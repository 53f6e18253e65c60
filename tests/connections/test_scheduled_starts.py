"""A schedule slot of a process that a Databricks connection synced starts the run on the platform:
`run-now` is called once per slot across server processes, with an idempotency token made from the
slot; a refused call records nothing and gives the slot back to the next tick."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.domain.process_specs import ProcessPatch
from gateway.domain.schedules import latest_slot
from gateway.domain.sources import TriggerType
from gateway.domain.status import RunStatus
from gateway.services import processes as process_service
from gateway.services import schedules as scheduler
from gateway.services.actor import Actor
from gateway.store import runs
from gateway.store.engines import database_for
from tests import pg
from tests.connections.helpers import add_connection, gateway
from tests.fakes.databricks import TOKEN, FakeDatabricks
from tests.fakes.server import serve_app

DAILY = "0 6 * * *"
RUN_NOW = "/api/2.2/jobs/run-now"


@pytest.fixture
def synced(
    new_location: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[FakeDatabricks, Path]]:
    fake = FakeDatabricks()
    fake.add_runs(4, jobs=2)
    monkeypatch.setenv("DBX_TOKEN", TOKEN)
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.01")
    with serve_app(fake.app()) as url:
        path = new_location("gateway.db")
        add_connection(path, "prod", "databricks", url, credential_env="DBX_TOKEN")
        done = gateway(path, "sync", "prod", env={"DBX_TOKEN": TOKEN})
        assert done.returncode == 0, done.stderr
        yield fake, path


def _rows(path: Path, sql: str, *params: str) -> list[str]:
    return sorted(str(row[0]) for row in pg.rows(path, sql, params))


async def _scheduled_job(path: Path) -> str:
    (process_id,) = _rows(
        path, "SELECT id FROM processes WHERE source = 'DATABRICKS' AND source_id = '1'"
    )
    async with database_for(path) as db:
        await process_service.update_process(
            db, process_id, ProcessPatch(schedule=DAILY), None, Actor(name="test")
        )
    return process_id


def test_each_slot_calls_run_now_once_across_servers(
    synced: tuple[FakeDatabricks, Path],
) -> None:
    fake, path = synced
    before = len(fake.runs)

    async def scenario() -> None:
        process_id = await _scheduled_job(path)
        synced_runs = _rows(path, "SELECT id FROM runs WHERE process_id = ?", process_id)
        now = datetime.now(UTC)
        first = latest_slot(DAILY, now).replace(year=now.year + 1)
        second = first + timedelta(days=1)
        async with database_for(path) as one, database_for(path) as two:
            fired = await asyncio.gather(
                *(scheduler.fire_due(db, first) for db in (one, two, one, two))
            )
            started = [run for batch in fired for run in batch]
            assert len(started) == 1 and fake.faults.count("POST", RUN_NOW) == 1
            (run,) = started
            assert run.process_id == process_id
            assert run.source_id == str(fake.tokens[next(iter(fake.tokens))])
            assert run.trigger.type is TriggerType.SCHEDULED
            assert run.status is RunStatus.STARTING  # Databricks' PENDING, mapped
            async with one.read() as conn:
                stored = await runs.get(conn, run.id)
            assert stored is not None and stored.source_id == run.source_id
            # the slot fired: asked again (by either server), the platform is not called again
            assert await scheduler.fire_due(two, first) == []
            assert fake.faults.count("POST", RUN_NOW) == 1

            # the next slot: refused by the platform, nothing is recorded, the slot is given back
            fake.refuse_run_now = True
            assert await scheduler.fire_due(one, second) == []
            assert fake.faults.count("POST", RUN_NOW) == 2
            fake.refuse_run_now = False
            (again,) = await scheduler.fire_due(two, second)
            assert fake.faults.count("POST", RUN_NOW) == 3
            assert again.source_id != run.source_id
            of_process = "SELECT id FROM runs WHERE process_id = ?"
            assert _rows(path, of_process, process_id) == sorted([*synced_runs, run.id, again.id])

    asyncio.run(scenario())
    assert len(fake.runs) == before + 2
    # one token per slot, made from it: the refused call and its retry asked with the same one
    first, refused, retried = fake.asked
    assert refused == retried != first
    assert all(re.fullmatch("[0-9a-f]{64}", token) for token in fake.asked)

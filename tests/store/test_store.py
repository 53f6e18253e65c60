"""The store: migrations, round trips of every record type, keyset pages, translated errors."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from gateway.demo.generator import build
from gateway.domain.auth import ALL_WORKSPACES
from gateway.domain.exceptions import ConflictError
from gateway.domain.paging import PageRequest
from gateway.domain.sources import Source
from gateway.store import activities, events, paging, processes, runs, workspaces
from gateway.store.catalogs import RUNS
from gateway.store.engines import database_for
from gateway.store.migrations import available, latest_version
from gateway.store.paging import build_query
from gateway.store.protocol import Database
from gateway.store.sqlite.errors import translate_errors
from tests.conftest import DEMO_NOW


async def test_a_new_database_is_migrated_with_a_default_workspace(db: Database) -> None:
    assert await db.schema_version() == latest_version()
    async with db.read() as conn:
        found = await workspaces.get_many(conn, [workspaces.DEFAULT_WORKSPACE_ID])
    assert found[workspaces.DEFAULT_WORKSPACE_ID].display_name == "Default workspace"


async def test_migrating_twice_changes_nothing(db: Database) -> None:
    before = await db.schema_version()
    await db.close()
    await db.open()
    async with db.read() as conn:
        applied = await conn.fetchall("SELECT version FROM schema_migrations ORDER BY version")
    assert await db.schema_version() == before
    assert [row[0] for row in applied] == [v for v, _, _ in available()]


async def test_processes_opening_one_new_database_at_once_apply_each_migration_once(
    new_location: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    """`serve --workers N` on a new (or older) database: every process migrates at start-up;
    the first applies each migration, the others wait for it and find it applied."""
    path = new_location("together.db")
    opened = [database_for(path, readers=1) for _ in range(3)]
    await asyncio.gather(*(each.open() for each in opened))
    try:
        async with opened[0].read() as conn:
            rows = await conn.fetchall("SELECT version FROM schema_migrations ORDER BY version")
        # each shipped migration once (their numbers are reserved per area: gaps are fine)
        assert [row[0] for row in rows] == [version for version, _, _ in available()]
    finally:
        for each in opened:
            await each.close()


async def test_every_record_round_trips(db: Database) -> None:
    spaces, procs, made = build(runs_wanted=60, now=DEMO_NOW)
    async with db.transaction() as tx:
        for w in spaces:
            await workspaces.insert(tx, w)
        for p in procs:
            await processes.insert(tx, p)
        for run, acts in made:
            await runs.insert(tx, run)
            await activities.insert_many(tx, acts)
    async with db.read() as conn:
        assert await processes.get_many(conn, [p.id for p in procs]) == {p.id: p for p in procs}
        stored = await runs.get_many(conn, [r.id for r, _ in made])
        for run, acts in made:
            assert stored[run.id] == run
            assert await activities.get_many(conn, [a.id for a in acts]) == {a.id: a for a in acts}
    assert {r.source for r, _ in made} == set(Source)


async def test_pages_visit_every_run_once_both_ways(demo_db: Database) -> None:
    async with demo_db.read() as conn:
        total = await runs.count(conn)
        seen: list[str] = []
        cursor = None
        while True:
            page = await runs.page(conn, PageRequest(limit=37, forward=True, cursor=cursor))
            seen.extend(r.id for r in page.items)
            if not page.has_next_page:
                break
            cursor = page.cursors[-1]
        backwards: list[str] = []
        cursor = None
        while True:
            page = await runs.page(conn, PageRequest(limit=41, forward=False, cursor=cursor))
            backwards[:0] = [r.id for r in page.items]
            if not page.has_previous_page:
                break
            cursor = page.cursors[0]
    assert len(seen) == len(set(seen)) == total
    assert backwards == seen
    created = [r.created_date_time for r in (await _all(demo_db))]
    assert created == sorted(created, reverse=True)


async def _all(db: Database):  # type: ignore[no-untyped-def]
    async with db.read() as conn:
        return (await runs.page(conn, PageRequest(limit=500, forward=True, cursor=None))).items


async def test_a_page_of_children_per_parent_costs_one_statement(demo_db: Database) -> None:
    items = await _all(demo_db)
    ids = [r.id for r in items[:100]]
    async with demo_db.read() as conn:
        before = demo_db.statements.count
        pages = await activities.pages_by_run(conn, ids, PageRequest(2, True, None))
        counts = await activities.count_by_run(conn, ids)
        assert demo_db.statements.count - before == 2
    for run_id in ids:
        assert len(pages[run_id].items) == min(2, counts[run_id])
        assert pages[run_id].has_next_page == (counts[run_id] > 2)


@pytest.mark.parametrize("request_", [PageRequest(2, True, None), PageRequest(1, False, None)])
async def test_pages_per_parent_are_the_same_read_at_once_or_windowed(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch, request_: PageRequest
) -> None:
    run_ids = [r.id for r in (await _all(demo_db))[:50]]
    async with demo_db.read() as conn:
        page = await processes.page(conn, PageRequest(50, True, None))
        process_ids = [p.id for p in page.items]
        at_once = await activities.pages_by_run(conn, run_ids, request_)
        before = demo_db.statements.count
        many = await runs.pages_by_process(conn, process_ids, request_)
        assert demo_db.statements.count - before == 2  # more than a few runs per process
        monkeypatch.setattr(paging, "FEW_CHILDREN", 0)
        assert await activities.pages_by_run(conn, run_ids, request_) == at_once
        for process_id in process_ids:  # each process's page on its own
            query = build_query(
                RUNS,
                runs.NEWEST_FIRST,
                workspaces=ALL_WORKSPACES,
                filter=f"process/id eq '{process_id}'",
            )
            alone = await runs.page(conn, request_, query)
            assert [r.id for r in many[process_id].items] == [r.id for r in alone.items]
            assert many[process_id].has_next_page == alone.has_next_page
            assert many[process_id].has_previous_page == alone.has_previous_page


async def test_a_failed_transaction_changes_nothing(demo_db: Database) -> None:
    run = (await _all(demo_db))[0]
    with pytest.raises(ConflictError):
        async with demo_db.transaction() as tx:
            await runs.update(
                tx, replace(run, display_name="changed", version=run.version + 1), run.version
            )
            await runs.insert(tx, run)  # the same id again
    async with demo_db.read() as conn:
        assert (await runs.get(conn, run.id)) == run


async def test_events_are_kept_in_order(demo_db: Database) -> None:
    run = (await _all(demo_db))[0]
    async with demo_db.read() as conn:
        history = await events.for_run(conn, run.id)
    assert [e.kind.value for e in history] == ["CREATED"]
    assert history[0].to_status is run.status


def test_driver_errors_are_translated() -> None:
    with pytest.raises(ConflictError) as caught, translate_errors():
        raise sqlite3.IntegrityError("UNIQUE constraint failed: runs.id")
    assert "runs.id" not in caught.value.message  # no SQL detail reaches a client

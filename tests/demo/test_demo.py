"""The demo data set is deterministic and complete; the live demo moves runs through real changes."""

from __future__ import annotations

import random

from gateway.demo.generator import build
from gateway.demo.live import step
from gateway.domain.paging import PageRequest
from gateway.domain.sources import Source
from gateway.domain.status import RunStatus
from gateway.store import events, runs
from gateway.store.protocol import Database
from tests.conftest import DEMO_NOW


def test_the_same_seed_gives_the_same_data() -> None:
    assert build(runs_wanted=80, now=DEMO_NOW) == build(runs_wanted=80, now=DEMO_NOW)
    assert build(runs_wanted=80, now=DEMO_NOW, seed=1) != build(runs_wanted=80, now=DEMO_NOW)


def test_every_source_status_and_retry_depth_appears() -> None:
    _, _, made = build(runs_wanted=400, now=DEMO_NOW)
    all_runs = [run for run, _ in made]
    assert {r.source for r in all_runs} == set(Source)
    assert {r.status for r in all_runs} == set(RunStatus)
    assert {r.attempt_number for r in all_runs} >= {1, 2, 3}
    assert any(r.blocking_error for r in all_runs)
    assert any(r.statistics.warnings for r in all_runs)
    by_id = {r.id: r for r in all_runs}
    for run in all_runs:
        if run.previous_attempt_run_id:
            assert not by_id[run.previous_attempt_run_id].is_latest_attempt
    assert all(run.created_date_time <= DEMO_NOW for run in all_runs)


async def test_live_steps_start_and_advance_runs(db: Database) -> None:
    from gateway.demo.generator import load

    await load(db, runs_wanted=30)
    rng = random.Random(7)
    for _ in range(40):
        await step(db, rng)
    async with db.read() as conn:
        page = await runs.page(conn, PageRequest(500, True, None))
        live = [r for r in page.items if r.trigger.invoked_by == "demo"]
        assert live, "the demo started runs"
        assert any(r.status.is_terminal for r in live), "and finished some"
        history = await events.for_run(conn, live[-1].id)
    assert history[0].kind.value == "CREATED"
    assert len(history) >= 2


async def test_the_executor_finishes_every_active_run_of_the_demo_data(db: Database) -> None:
    from gateway.demo.generator import load

    await load(db, runs_wanted=120)  # historical runs in every active state, with their activities
    async with db.read() as conn:
        active = {r.id for r in await runs.active(conn, 500)}
    assert active, "the demo data has active runs"
    rng = random.Random(11)
    for _ in range(40):
        await step(db, rng)
    async with db.read() as conn:
        found = await runs.get_many(conn, sorted(active))
    stuck = [(r.id, r.status.value) for r in found.values() if not r.status.is_terminal]
    assert not stuck, f"the executor left runs unfinished: {stuck[:5]}"

"""The benchmark runner's pure parts: the median round, the tables and the goals built on it, and
the server's process tree (bench/runner; no server started)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.runner.paired import Paired
from bench.runner.report import goals, report, rounds_table, table
from bench.runner.results import Result, Round
from bench.runner.server import _tree


def _round(rps: float, split: tuple[float, ...] = (0.0, 0.5, 0.5), cpu_ms: float = 2.0) -> Round:
    """A one-second round of `rps` requests whose server CPU is `cpu_ms` per request, split over
    the processes as `split`, and whose client CPU is a tenth of that."""
    requests = round(rps)
    total = cpu_ms * requests / 1000
    return Round(
        requests=requests,
        seconds=1.0,
        process_cpu_s=tuple(total * share for share in split),
        client_cpu_s=total / 10,
    )


def _result(name: str, rounds: list[Round], floor_ms: float = 1.0) -> Result:
    return Result(
        name=name,
        p50_ms=2.0,
        p99_ms=4.0,
        latency_requests=200,
        floor_ms=floor_ms,
        rss_mb=70.0,
        same_as_floor=True,
        rounds=rounds,
        warmup_requests=50,
    )


def test_the_median_round_by_requests_per_second_stands_for_the_query() -> None:
    result = _result("flat-100", [_round(700, cpu_ms=1.0), _round(300, cpu_ms=3.0), _round(500)])

    assert result.median is result.rounds[2]
    assert result.median_index == 2
    assert result.rps == 500
    assert result.concurrent_requests == 500
    assert result.cpu_ms == pytest.approx(2.0)
    assert result.client_cpu_ms == pytest.approx(0.2)
    assert result.cpu_ratio == pytest.approx(2.0)


def test_of_an_even_number_of_rounds_the_lower_middle_one_is_the_median() -> None:
    result = _result("count", [_round(900), _round(100), _round(400), _round(600)])

    assert result.rps == 400
    assert result.median_index == 2


def test_the_table_shows_the_median_round_and_the_rounds_table_every_round() -> None:
    result = _result(
        "nested-100",
        [_round(120, (0.0, 0.02, 0.98), cpu_ms=9.0), _round(240), _round(200, cpu_ms=8.0)],
        floor_ms=4.0,
    )

    (line,) = table([result]).splitlines()[2:]
    assert line == (
        "| nested-100 | 2.00 | 4.00 | 200 | 8.00 | 0.80 | 4.000 | 2.0x | 0.5x | 70 | yes |"
    )
    rounds = rounds_table([result]).splitlines()[2:]
    assert rounds == [
        "| nested-100 | 1 | 120 | 120 | 9.00 | 0.90 | 0%/2%/98% |",
        "| nested-100 | 2 | 240 | 240 | 2.00 | 0.20 | 0%/50%/50% |",
        "| nested-100 | 3 (median) | 200 | 200 | 8.00 | 0.80 | 0%/50%/50% |",
    ]


def test_a_round_without_server_cpu_has_no_split() -> None:
    assert _round(10, split=(0.0, 0.0)).cpu_split == "-"


def test_goals_on_requests_per_second_count_on_the_median_round() -> None:
    # count: the first and the best round reach PostGraphile's 601 req/s, the median does not;
    # flat-100: the median does, though one round does not.
    count = _result("count-failed", [_round(700), _round(590), _round(550)])
    flat = _result("flat-100", [_round(400), _round(600), _round(580)])

    found = goals([count, flat], clients=8)

    assert (
        "- count-failed at least PostGraphile v5's 601 req/s: 590 req/s (median of 3 rounds, 550 to "
        "700) (PostGraphile figure from another harness): **NOT met**"
    ) in found
    assert (
        "- flat-100 at least PostGraphile v5's 569 req/s: 580 req/s (median of 3 rounds, 400 to "
        "600) (PostGraphile figure from another harness): **met**"
    ) in found


def test_goals_on_cpu_per_request_use_the_median_round() -> None:
    # The median round (240 req/s) has 2.0 ms per request against a floor of 1 ms: within 3x;
    # the slowest round's 9.0 ms would not be.
    nested = _result("nested-100", [_round(120, cpu_ms=9.0), _round(260), _round(240)])

    found = goals([nested], clients=8)

    assert "- nested-100 server CPU within 3x of the floor: 2.0x: **met**" in found
    assert any(
        line.startswith("- nested-100 at least 1.5x PostGraphile v5's 160 req/s (240)")
        and "240 req/s (median of 3 rounds, 120 to 260)" in line
        and line.endswith("**met**")
        for line in found
    )


def test_the_report_has_the_rounds_the_processes_and_the_set_up_of_the_rounds() -> None:
    args = argparse.Namespace(
        clients=8,
        rounds=2,
        duration=1.0,
        warmup_seconds=0.5,
        max_requests=1000,
        database=Path("bench/data/small.db"),
        workers=2,
        latency_requests=200,
        latency_seconds=10.0,
        warmup=20,
        floor_seconds=3.0,
    )
    dataset = {"runs": 100, "activities": 500, "processes": 4, "workspaces": 2, "size_gib": 0.01}
    results = [_result("count", [_round(800, (0.0, 0.0, 1.0, 0.0)), _round(600)])]

    text = report(
        results,
        args,
        dataset,
        {"offset": 99, "pages": 1},
        datetime(2026, 11, 22, tzinfo=UTC),
        wall=3.0,
        load_at_start=0.5,
        processes=["gateway serve", "resource_tracker", "worker", "worker"],
    )

    assert "| count | 2.00 | 4.00 | 600 |" in text
    assert "| count | 1 | 800 | 800 | 2.00 | 0.20 | 0%/0%/100%/0% |" in text
    assert "1. `gateway serve`\n2. `resource_tracker`\n3. `worker`\n4. `worker`" in text
    assert "a warm-up of 0.5 s (the same clients and request, not counted), then 2 rounds" in text
    assert "| count | 200 | 50 | 600 | 1400 |" in text


def test_the_process_tree_goes_through_a_parent_that_is_not_uvicorn() -> None:
    # A plain Python parent that starts a child of its own: both are found, the parent first.
    code = (
        "import subprocess, sys\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
        "print(child.pid, flush=True)\n"
        "sys.stdin.read()\n"
        "child.kill()\n"
        "child.wait()\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        grandchild = int(parent.stdout.readline())

        assert _tree(parent.pid) == [parent.pid, grandchild]
    finally:
        assert parent.stdin is not None
        parent.stdin.close()
        parent.wait(timeout=10)
        assert parent.stdout is not None
        parent.stdout.close()


def test_a_ratio_goal_counts_on_the_two_queries_alternated() -> None:
    # Measured apart, the filtered list's p50 is 2x the plain one's (a noisy moment); alternated
    # on one connection it is 1.1x: the goal counts on the alternated pair. Without the pair,
    # on the p50s measured apart.
    flat = _result("flat-100", [_round(500)])
    filtered = replace(_result("flat-100-failed", [_round(500)]), p50_ms=4.0)
    pair = Paired("flat-100-failed", "flat-100", 2.2, 2.0, 200, 1.5)

    with_pair = goals([flat, filtered], clients=8, pairs=[pair])
    apart = goals([flat, filtered], clients=8)

    (line,) = (each for each in with_pair if each.startswith("- status-filtered"))
    assert "p50 alternated 1.10x (2.20 / 2.00 ms)" in line and line.endswith("**met**")
    (line,) = (each for each in apart if each.startswith("- status-filtered"))
    assert "p50 measured apart 2.00x" in line and line.endswith("**NOT met**")

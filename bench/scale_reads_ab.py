"""Before and after, interleaved in one process: DAY percentiles and search pages (issue 21 item 5).

    python bench/scale_reads_ab.py --database bench/data/r10000.db bench/data/r100000.db \
        bench/data/r1000000.db [--rounds 15]

For each database, each case alternates its *before* and *after* ways, `--rounds` times each,
then the after way alone `--rounds` times more (its cache not emptied by the before way's
reads between), and reports the median CPU per call (the process's `time.process_time()`, which counts the
SQLite thread: less sensitive to the machine's load than wall time), the SQL statements per
call and the summary rows read:

* `runStatistics(interval: DAY)` with p50/p95 durations: before, every bucket's histogram rows
  read and merged on each report (an empty `HistogramCache` each call: the cost before 0014);
  after, the buckets kept by the reader (one report first to fill it);
* the first page of 100 runs, newest first (the keyset read: both ways the same, the reference
  of the goal "within 2x of the keyset read");
* the first page of 100 runs of a search: before, the plan that reads every match
  (`searched.RARE` set above any count); after, the walk of the order in chunks.

The answers of both ways are checked equal. Bounded: `--rounds` calls of each per case.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gateway.api.common.lists import RUN_LIST, ListArguments, list_query
from gateway.domain.aggregates import ReportFields, TimeInterval
from gateway.domain.auth import ALL_WORKSPACES
from gateway.domain.paging import PageRequest
from gateway.store import paging, rollups, searched
from gateway.store.engines import database_for, is_postgres
from gateway.store.histogram_cache import HistogramCache
from gateway.store.protocol import Database

DAY_FIELDS = ReportFields(
    duration_distribution=True,
    queue_distribution=False,
    starts=False,
    recoveries=False,
    statuses=False,
)
SEARCHES = ["unknown", "quota", "failed", "succeeded"]


async def _timed(db: Database, call: Callable[[], Awaitable[Any]]) -> tuple[float, int, Any]:
    statements = db.statements.count
    began = time.process_time()
    found = await call()
    return time.process_time() - began, db.statements.count - statements, found


async def _case(
    db: Database,
    rounds: int,
    before: Callable[[], Awaitable[Any]],
    after: Callable[[], Awaitable[Any]],
    same: Callable[[Any], Any],
) -> dict[str, Any]:
    times: dict[str, list[float]] = {"before": [], "after": []}
    counts: dict[str, int] = {}
    answers: dict[str, Any] = {}
    await after()  # fills what the after way keeps
    for _ in range(rounds):
        for name, call in (("before", before), ("after", after)):
            cpu, statements, found = await _timed(db, call)
            times[name].append(cpu * 1000)
            counts[name] = statements
            answers[name] = found
    assert same(answers["before"]) == same(answers["after"]), "the two ways differ"
    alone = [(await _timed(db, after))[0] * 1000 for _ in range(rounds)]
    return {
        "before": statistics.median(times["before"]),
        "after": statistics.median(times["after"]),
        "alone": statistics.median(alone),
        "statements": (counts["before"], counts["after"]),
        "answers": answers,
    }


async def measure(path: Path | str, rounds: int) -> list[tuple[str, dict[str, Any]]]:
    rows: list[tuple[str, dict[str, Any]]] = []
    async with database_for(path, readers=1) as db:
        query = list_query(RUN_LIST, ALL_WORKSPACES, ListArguments())
        kept = HistogramCache()

        async def report(cache: HistogramCache) -> Any:
            async with db.read() as conn:
                return await rollups.report(conn, query, (), TimeInterval.DAY, DAY_FIELDS, cache)

        day = await _case(
            db,
            rounds,
            lambda: report(HistogramCache()),
            lambda: report(kept),
            lambda r: (r.totals, r.groups),
        )
        day["rows"] = tuple(day["answers"][n].rows_read for n in ("before", "after"))
        rows.append(("runStatistics(interval: DAY) duration { p50 p95 }", day))
        for term in [None, *SEARCHES]:
            searchq = list_query(RUN_LIST, ALL_WORKSPACES, ListArguments(search=term))

            async def first_page(q: Any = searchq) -> list[Any]:
                async with db.read() as conn:
                    found = await paging.fetch_page(
                        conn,
                        table="runs r",
                        query=q,
                        page=PageRequest(100, True, None),
                        convert=paging.as_is,
                        columns=["r.id", "r.status", "r.created_at"],
                    )
                return list(found.items)

            async def old_plan(call: Callable[[], Awaitable[Any]] = first_page) -> Any:
                rare, searched.RARE = searched.RARE, 10**12
                try:
                    return await call()
                finally:
                    searched.RARE = rare

            page = await _case(db, rounds, old_plan, first_page, lambda rows: rows)
            page["rows"] = (len(page["answers"]["before"]),) * 2
            name = "runs(first: 100) (the keyset read)" if term is None else f'search: "{term}"'
            rows.append((name if term is None else f"runs(first: 100, {name})", page))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database", nargs="+", required=True, help="SQLite files or postgresql:// URLs"
    )
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print("| database | case | before CPU ms | after CPU ms | after ÷ before | after alone CPU ms "
          "| statements before / after | rows read or runs, before / after | load (1 min) |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---|---|---:|")
    for location in args.database:
        path = location if is_postgres(location) else Path(location)
        label = location.rsplit("/", 1)[-1]
        for name, found in asyncio.run(measure(path, args.rounds)):
            ratio = found["after"] / found["before"] if found["before"] else float("nan")
            print(
                f"| {label} | `{name}` | {found['before']:.2f} | {found['after']:.2f} | "
                f"{ratio:.3f} | {found['alone']:.2f} | "
                f"{found['statements'][0]} / {found['statements'][1]} | "
                f"{found['rows'][0]:,} / {found['rows'][1]:,} | {os.getloadavg()[0]:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()

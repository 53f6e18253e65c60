"""The selection matrix: each field group of the schema added alone to the fast path's flat or
nested runs query, measured through HTTP against one server, as a ratio to that base query
measured in the same run.

    python bench/selection_matrix.py --database bench/data/bench.db [--seconds 1.5] [--rounds 3]

Starts `gateway serve --workers 1` on 127.0.0.1 (`bench/runner/server.py`), checks every cell
answers without errors, then in each round measures every cell right after its base query (so
both see the same moment of a shared machine), each with one client: sequential requests for
`--seconds` (at most `--requests`), the server's CPU time (utime + stime of its processes from
/proc) before and after divided by the requests, and the median wall time. A cell's ratio is the
median over the rounds of its CPU per request over the base's just before it; a cell above
`--limit` (2.0) is marked. Writes
`bench/results/YYYY-MM-DD-selection-matrix.md` (or `--output`) and prints the same table.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.runner.client import RawClient, prepare
from bench.runner.server import Server, cpu_by_process

RUN_FIELDS = "id __typename status displayName startDateTime endDateTime durations { totalMs }"
ACTIVITY_FIELDS = "id __typename key status startDateTime endDateTime"
STATS = "processed added updated unchanged skipped failed errors warnings"
ERROR = "code message category retryable"
ROLE = "role count matched"

# Field groups added to each run's fields (in the flat and the nested query).
RUN_GROUPS: dict[str, str] = {
    "run scalars": "source sourceId sourceStatus isActive isTerminal createdDateTime "
    "lastModifiedDateTime attemptNumber isLatestAttempt eTag",
    "durations": "durations { queueMs setupMs executionMs cleanupMs totalMs }",
    "trigger": "trigger { type invokedBy sourceType }",
    "parameters": "parameters",
    "statistics counters": f"statistics {{ {STATS} }}",
    "statistics lists": "statistics { entities { entity total active inactive } "
    f"roles {{ {ROLE} }} metrics {{ name value unit }} }}",
    "statistics inboundTotals": "statistics { inboundTotals { errors warnings groups "
    f"memberships organizations people matchedPeopleByRole {{ {ROLE} }} "
    f"unmatchedPeopleByRole {{ {ROLE} }} }} }}",
    "statistics assets": "statistics { assets { added updated unchanged skipped failed } }",
    "statistics activityStatistics": "statistics { activityStatistics { activityId key "
    "displayName status statistics { processed failed } } }",
    "blockingError": f"blockingError {{ {ERROR} }}",
    "blockingError detail": "blockingError { target sourceCode details { code message target } "
    f"innerError {{ {ERROR} }} }}",
    "process summary": "process { id displayName sourceId kind }",
    "process fields": "process { source description readinessStatus schedule "
    "throttle { maxRuns windowSeconds } createdDateTime lastModifiedDateTime eTag "
    "workspace { id } }",
    "process activityDefinitions": "process { activityDefinitions { key displayName kind "
    "activityType enabled dependsOn } }",
    "process lastRun": "process { lastRun { id status } lastSuccessfulRun { id } }",
    "process consecutiveFailures": "process { consecutiveFailures }",
    "process runAggregate": "process { runAggregate { count succeeded failed } }",
    "workspace": "workspace { id displayName source sourceId createdDateTime }",
    "attempts": "originalAttemptRun { id status } previousAttemptRun { id status }",
    "statusHistory": "statusHistory(last: 5) { seq kind fromStatus toStatus at actor reason "
    "requestId }",
    "DataFactoryRun": "... on DataFactoryRun { tableName activityName dataSliceStart "
    "dataSliceEnd batchTime percentComplete computeClusterName runGroupId hasLogs "
    "dataArtifactId }",
    "DatabricksRun": "... on DatabricksRun { jobId numberInJob runType creatorUserName "
    "runPageUrl stateMessage }",
    "DataZoneRun": "... on DataZoneRun { dataSourceId projectId runType lineageImportStatus "
    "runStatisticsForAssets { added updated unchanged skipped failed } }",
    "typed activity lists": "... on DatabricksRun { tasks { nodes { id taskKey clusterId } } } "
    "... on DataFactoryRun { activityRuns { nodes { id activityRunId } } } "
    "... on DataZoneRun { assetActivities { nodes { id database technicalName dataAssetId } } } "
    "... on GatewayRun { gatewayActivities { nodes { id } } }",
    "activities count": "activities { totalCount }",
    "activities edges": "activities(first: 3) { edges { cursor node { id } } "
    "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }",
}
# Groups that add a list of activities to each run: measured on the flat query against the nested
# query (the fast path's query with a list per run), whose work they are. `activityStatistics`
# is one: an entry per activity of the run (read from the activities table like the nested
# query's list, about 5 per run), in the flat query's place of the nested query's list.
LISTS = (
    "statistics activityStatistics",
    "typed activity lists",
    "activities count",
    "activities edges",
)
# Field groups added to each activity's fields (in the nested query only).
ACTIVITY_GROUPS: dict[str, str] = {
    "activity scalars": "kind sourceId displayName activityType sequence sourceStatus "
    "createdDateTime lastModifiedDateTime durationMs attemptNumber eTag",
    "activity dependsOn": "dependsOn",
    "activity platformAttributes": "platformAttributes",
    "activity statistics": f"statistics {{ {STATS} }}",
    "activity statistics lists": "statistics { entities { entity total active inactive } "
    f"roles {{ {ROLE} }} metrics {{ name value unit }} }}",
    "activity blockingError": f"blockingError {{ {ERROR} target sourceCode "
    f"details {{ code message target }} innerError {{ {ERROR} }} }}",
    "activity run": "run { id status }",
    "activity types": "... on DatabricksTask { taskKey clusterId } "
    "... on DataFactoryActivityRun { activityRunId } "
    "... on DataZoneAssetActivity { database technicalName dataAssetId }",
}


def flat(run_extra: str = "") -> str:
    return f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} {run_extra} }} }} }}"


def nested(run_extra: str = "", activity_extra: str = "") -> str:
    activities = f"activities(first: 20) {{ nodes {{ {ACTIVITY_FIELDS} {activity_extra} }} }}"
    return f"{{ runs(first: 100) {{ nodes {{ {RUN_FIELDS} {run_extra} {activities} }} }} }}"


@dataclass
class Cell:
    name: str
    base: str  # "flat" or "nested"
    document: str
    cpu_ms: list[float] = field(default_factory=list)  # per round
    wall_ms: list[float] = field(default_factory=list)  # per round (median of its requests)
    ratios: list[float] = field(default_factory=list)  # per round: CPU over the base's just before
    wall_ratios: list[float] = field(default_factory=list)


def cells() -> list[Cell]:
    found = [Cell("(base)", "flat", flat()), Cell("(base)", "nested", nested())]
    for name, extra in RUN_GROUPS.items():
        if name in LISTS:  # a list of activities added to the flat query: the nested query's work
            found.append(Cell(name, "nested", flat(extra)))
            continue
        found.append(Cell(name, "flat", flat(extra)))
        found.append(Cell(name, "nested", nested(extra)))
    for name, extra in ACTIVITY_GROUPS.items():
        found.append(Cell(name, "nested", nested("", extra)))
    return found


async def _measure(server: Server, cell: Cell, requests: int, seconds: float) -> None:
    prepared = prepare(server.port, orjson.dumps({"query": cell.document}))
    times: list[float] = []
    async with RawClient(server.port) as client:
        await client.request(prepared)  # its plan compiled, its statements prepared
        before = sum(cpu_by_process(server.pid).values())
        deadline = time.perf_counter() + seconds
        while len(times) < requests and time.perf_counter() < deadline:
            began = time.perf_counter()
            status, _ = await client.request(prepared)
            times.append(time.perf_counter() - began)
            if status != 200:
                raise RuntimeError(f"{cell.name}: HTTP {status}")
        after = sum(cpu_by_process(server.pid).values())
    cell.cpu_ms.append(1000 * (after - before) / len(times))
    cell.wall_ms.append(1000 * statistics.median(times))


async def _check(server: Server, cell: Cell) -> None:
    async with RawClient(server.port) as client:
        status, body = await client.request(
            prepare(server.port, orjson.dumps({"query": cell.document}))
        )
    answer = orjson.loads(body)
    if status != 200 or answer.get("errors"):
        raise RuntimeError(f"{cell.name} ({cell.base}): {status} {body[:300]!r}")


def report(found: list[Cell], args: argparse.Namespace, loads: list[str]) -> str:
    lines = [
        f"# Selection matrix {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"One server (`--workers 1`), one client, {args.rounds} rounds of {args.seconds:g} s "
        f"(at most {args.requests} requests) per cell, each cell measured right after its base "
        "query; server CPU per request (utime + stime from /proc) and p50 are medians over the "
        "rounds; a ratio is the median over the rounds of the cell's over the base's measured "
        f"just before it. Load average: {' / '.join(loads)} (start / end). Cells above "
        f"{args.limit:g}x are marked **bold**. The cells that add a list of activities to the flat "
        f"query ({', '.join(LISTS)}) are compared with the nested query, whose work that is.",
        "",
        "| field group | base | CPU ms/req | CPU ratio | p50 ms | p50 ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    worst, over = 0.0, 0
    for c in found:
        cpu, wall = statistics.median(c.cpu_ms), statistics.median(c.wall_ms)
        ratio = statistics.median(c.ratios) if c.ratios else 1.0
        wall_ratio = statistics.median(c.wall_ratios) if c.wall_ratios else 1.0
        worst = max(worst, ratio)
        over += ratio > args.limit
        shown = f"**{ratio:.2f}x**" if ratio > args.limit else f"{ratio:.2f}x"
        lines.append(
            f"| {c.name} | {c.base} | {cpu:.2f} | {shown} | {wall:.2f} | {wall_ratio:.2f}x |"
        )
    cells = len(found) - 2
    lines += ["", f"Worst cell: {worst:.2f}x; cells above {args.limit:g}x: {over} of {cells}."]
    return "\n".join(lines) + "\n"


async def run(args: argparse.Namespace) -> str:
    found = cells()
    if args.only:
        found = [c for c in found if c.name == "(base)" or args.only in c.name]
    loads = [f"{os.getloadavg()[0]:.2f}"]
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(args.database), Path(tmp) / "server.log", workers=1)
        await _cells(server, found, args)
    loads.append(f"{os.getloadavg()[0]:.2f}")
    return report(found, args, loads)


async def _cells(server: Server, found: list[Cell], args: argparse.Namespace) -> None:
    try:
        server.wait_ready()
        for cell in found:
            await _check(server, cell)
        bases = {c.base: c for c in found if c.name == "(base)"}
        for _ in range(args.rounds):
            for cell in found:
                if cell.name == "(base)":
                    continue
                # the base just before the cell: both see the same moment of a shared machine
                base = bases[cell.base]
                await _measure(server, base, args.requests, args.seconds)
                await _measure(server, cell, args.requests, args.seconds)
                cell.ratios.append(cell.cpu_ms[-1] / base.cpu_ms[-1])
                cell.wall_ratios.append(cell.wall_ms[-1] / base.wall_ms[-1])
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--requests", type=int, default=400, help="at most, per cell and round")
    parser.add_argument("--seconds", type=float, default=1.5, help="at most, per cell and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=float, default=2.0, help="the ratio a cell must stay under")
    parser.add_argument("--only", default="", help="only the cells whose name contains this")
    parser.add_argument("--output", default="", help="the results file (default: bench/results/)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    text = asyncio.run(run(args))
    print(text)
    if not args.no_write:
        out = (
            Path(args.output)
            if args.output
            else (
                Path(__file__).parent
                / "results"
                / f"{datetime.now(UTC):%Y-%m-%d}-selection-matrix.md"
            )
        )
        out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

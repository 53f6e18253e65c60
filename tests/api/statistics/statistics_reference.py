"""A seeded data set of runs for the statistics tests, and a pure-Python reference of every
aggregate of `runStatistics`, computed from the rows the `runs` list returns.

The reference is written from the definitions in the API's descriptions, apart from the store's
code: its own bucket arithmetic (ISO calendar), sorting, percentile ranks and streak walk.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.domain.ids import IdKind, id_at
from gateway.domain.models import (
    RUN_CLASSES,
    Process,
    RunDurations,
    RunStatistics,
    Trigger,
    Workspace,
)
from gateway.domain.run_errors import ErrorCategory, RunError
from gateway.domain.sources import PROCESS_KINDS_BY_SOURCE, Source, TriggerType
from gateway.domain.status import RunStatus
from gateway.store import processes, runs, workspaces
from gateway.store.protocol import Database

BASE = datetime(2026, 9, 28, 20, 0, tzinfo=UTC)  # a Monday evening, three days before October
COUNTERS = ("processed", "added", "updated", "unchanged", "skipped", "failed", "errors", "warnings")
SUCCEEDED = {"SUCCEEDED", "SUCCEEDED_WITH_WARNINGS"}
FAILED = {"FAILED", "TIMED_OUT"}
DECIDED = SUCCEEDED | FAILED | {"PARTIALLY_SUCCEEDED"}

RUN_FIELDS = (
    "id status source createdDateTime startDateTime endDateTime process { id } workspace { id } "
    "trigger { type } blockingError { category } durations { totalMs queueMs } "
    f"statistics {{ {' '.join(COUNTERS)} }}"
)
AGGREGATE_FIELDS = (
    "count succeeded failed decided successRate failureRate recoveries mttrMs "
    "firstStartDateTime lastStartDateTime countByStatus { status count } "
    "duration { count min max mean p50 p90 p95 p99 } "
    "queueTime { count min max mean p50 p90 p95 p99 } "
    f"statisticsSums {{ {' '.join(COUNTERS)} }}"
)
KEY_FIELDS = "source status processId workspaceId triggerType errorCategory bucketStart bucketEnd"


async def load_dataset(db: Database, seed: int = 7, count: int = 160) -> None:
    """Two workspaces, six processes, `count` runs: every status, ties in durations and outcome
    times, null durations and start times, runs with and without errors."""
    rng = random.Random(seed)
    other = Workspace(
        id=id_at(IdKind.WORKSPACE, 1, 1), display_name="Other", created_date_time=BASE
    )
    sources = [Source.DATABRICKS, Source.DATA_FACTORY, Source.GATEWAY, Source.DATAZONE]
    made: list[Process] = []
    async with db.transaction() as tx:
        await workspaces.insert(tx, other)
        for i in range(6):
            source = sources[i % len(sources)]
            process = Process(
                id=id_at(IdKind.PROCESS, 1000 + i, i),
                workspace_id=other.id if i == 5 else workspaces.DEFAULT_WORKSPACE_ID,
                source=source,
                kind=sorted(PROCESS_KINDS_BY_SOURCE[source], key=lambda k: k.value)[0],
                source_id=f"p{i}",
                display_name=f"Process {i}",
                created_date_time=BASE,
                last_modified_date_time=BASE,
            )
            made.append(process)
            await processes.insert(tx, process)
        statuses = list(RunStatus)
        for i in range(count):
            process = made[rng.randrange(len(made))]
            status = rng.choice(
                [RunStatus.SUCCEEDED] * 4
                + [RunStatus.FAILED] * 3
                + [RunStatus.TIMED_OUT]
                + statuses
            )
            created = BASE + timedelta(minutes=rng.randrange(0, 60 * 24 * 45, 7))
            started = (
                None if rng.random() < 0.15 else created + timedelta(seconds=rng.randrange(90))
            )
            ended = None
            if started is not None and status.is_terminal and rng.random() < 0.9:
                ended = started + timedelta(minutes=rng.choice([1, 5, 5, 30, 90]))
            error = None
            if status in {RunStatus.FAILED, RunStatus.TIMED_OUT} or rng.random() < 0.1:
                error = RunError(
                    code="E", message="boom", category=rng.choice(list(ErrorCategory)[:4])
                )
            await runs.insert(
                tx,
                RUN_CLASSES[process.source](
                    id=id_at(IdKind.RUN, 2000 + i, rng.randrange(3)),
                    workspace_id=process.workspace_id,
                    process_id=process.id,
                    source=process.source,
                    source_id=f"r{i}",
                    status=status,
                    source_status=status.value,
                    created_date_time=created,
                    start_date_time=started,
                    end_date_time=ended,
                    last_modified_date_time=created,
                    durations=RunDurations(
                        total_ms=None
                        if rng.random() < 0.2
                        else rng.choice([0, 1000, 1000, 5000]) + rng.randrange(3) * 1000,
                        queue_ms=None if rng.random() < 0.3 else rng.randrange(0, 4000, 500),
                    ),
                    trigger=Trigger(type=rng.choice(list(TriggerType)[:3])),
                    statistics=RunStatistics(**{c: rng.randrange(0, 50) for c in COUNTERS}),
                    blocking_error=error,
                ),
            )


def _time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")


def _bucket(moment: datetime, interval: str) -> tuple[datetime, datetime]:
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if interval == "HOUR":
        start = day + timedelta(hours=moment.hour)
        return start, start + timedelta(hours=1)
    if interval == "DAY":
        return day, day + timedelta(days=1)
    if interval == "WEEK":
        year, week, _ = moment.isocalendar()
        monday = datetime.fromisocalendar(year, week, 1).replace(tzinfo=UTC)
        return monday, monday + timedelta(weeks=1)
    start = day.replace(day=1)
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return start, start.replace(year=year, month=month)


def _key_values(run: dict[str, Any], keys: list[str], interval: str | None) -> dict[str, Any]:
    error = run["blockingError"]
    found: dict[str, Any] = dict.fromkeys(KEY_FIELDS.split())
    named = {
        "SOURCE": ("source", run["source"]),
        "STATUS": ("status", run["status"]),
        "PROCESS": ("processId", run["process"]["id"]),
        "WORKSPACE": ("workspaceId", run["workspace"]["id"]),
        "TRIGGER_TYPE": ("triggerType", run["trigger"]["type"]),
        "ERROR_CATEGORY": ("errorCategory", error["category"] if error else None),
    }
    for key in keys:
        field, value = named[key]
        found[field] = value
    if interval is not None:
        moment = _time(run["startDateTime"]) or _time(run["createdDateTime"])
        assert moment is not None
        start, end = _bucket(moment, interval)
        found["bucketStart"], found["bucketEnd"] = _iso(start), _iso(end)
    return found


def _durations(values: list[int]) -> dict[str, Any]:
    values = sorted(values)
    n = len(values)

    def rank(p: int) -> int | None:
        return values[math.ceil(p * n / 100) - 1] if n else None

    return {
        "count": n,
        "min": values[0] if n else None,
        "max": values[-1] if n else None,
        "mean": sum(values) / n if n else None,
        **{f"p{p}": rank(p) for p in (50, 90, 95, 99)},
    }


def _outcome_time(run: dict[str, Any]) -> datetime:
    moment = (
        _time(run["endDateTime"]) or _time(run["startDateTime"]) or _time(run["createdDateTime"])
    )
    assert moment is not None
    return moment


def _recoveries(rows: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Run id of each recovering success -> its recovery times in µs (one per streak)."""
    found: dict[str, list[int]] = {}
    by_process: dict[str, list[dict[str, Any]]] = {}
    for run in rows:
        if run["status"] in SUCCEEDED | FAILED:
            by_process.setdefault(run["process"]["id"], []).append(run)
    for outcomes in by_process.values():
        outcomes.sort(key=lambda r: (_outcome_time(r), r["id"]))
        first_failure: datetime | None = None
        for run in outcomes:
            if run["status"] in FAILED:
                first_failure = first_failure or _outcome_time(run)
            elif first_failure is not None:
                delta = _outcome_time(run) - first_failure
                found.setdefault(run["id"], []).append(delta // timedelta(microseconds=1))
                first_failure = None
    return found


def aggregate(rows: list[dict[str, Any]], recovered: dict[str, list[int]]) -> dict[str, Any]:
    statuses = [r["status"] for r in rows]
    succeeded = sum(s in SUCCEEDED for s in statuses)
    failed = sum(s in FAILED for s in statuses)
    decided = sum(s in DECIDED for s in statuses)
    recovery_times = [t for r in rows for t in recovered.get(r["id"], [])]
    starts = [t for t in (_time(r["startDateTime"]) for r in rows) if t is not None]
    return {
        "count": len(rows),
        "succeeded": succeeded,
        "failed": failed,
        "decided": decided,
        "successRate": succeeded / decided if decided else None,
        "failureRate": failed / decided if decided else None,
        "recoveries": len(recovery_times),
        "mttrMs": sum(recovery_times) / len(recovery_times) / 1000 if recovery_times else None,
        "firstStartDateTime": _iso(min(starts)) if starts else None,
        "lastStartDateTime": _iso(max(starts)) if starts else None,
        "countByStatus": [
            {"status": s.value, "count": statuses.count(s.value)}
            for s in RunStatus
            if s.value in statuses
        ],
        "duration": _durations(
            [r["durations"]["totalMs"] for r in rows if r["durations"]["totalMs"] is not None]
        ),
        "queueTime": _durations(
            [r["durations"]["queueMs"] for r in rows if r["durations"]["queueMs"] is not None]
        ),
        "statisticsSums": {c: float(sum(r["statistics"][c] for r in rows)) for c in COUNTERS},
    }


_FIELD_OF = {
    "SOURCE": "source",
    "STATUS": "status",
    "PROCESS": "processId",
    "WORKSPACE": "workspaceId",
    "TRIGGER_TYPE": "triggerType",
    "ERROR_CATEGORY": "errorCategory",
}


def _order(key: dict[str, Any], keys: list[str]) -> tuple[Any, ...]:
    """Groups sort by their keys in `groupBy` order, then the bucket; nulls first."""
    values = [key[_FIELD_OF[k]] for k in keys] + [key["bucketStart"]]
    return tuple((0, "") if v is None else (1, v) for v in values)


def report(rows: list[dict[str, Any]], keys: list[str], interval: str | None) -> dict[str, Any]:
    """What `runStatistics` must answer over these rows (the runs its filter selects)."""
    recovered = _recoveries(rows)
    groups: dict[tuple[Any, ...], tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    if keys or interval:
        for run in rows:
            key = _key_values(run, keys, interval)
            groups.setdefault(tuple(key.items()), (key, []))[1].append(run)
    ordered = sorted(groups.values(), key=lambda g: _order(g[0], keys))
    return {
        "keys": keys,
        "interval": interval,
        "totals": aggregate(rows, recovered),
        "groups": [{"key": k, "aggregate": aggregate(g, recovered)} for k, g in ordered],
    }

"""Generate the benchmark database: many runs with their activities, valid for the gateway.

    python bench/generate.py --runs 1000000 --output bench/data/bench.db [--seed 1]

The schema comes from the gateway's own migrations (the database is opened once with
`gateway.store.sqlite.SqliteDatabase`). The rows are then written straight into the file with the
stdlib `sqlite3` and `executemany` in large batches, with the secondary indexes dropped during the
load and recreated after it, then `ANALYZE`. Triggers the migrations define (full-text search) stay
on, so whatever they maintain is maintained for the bulk rows too.

The data: two workspaces (the default one holds most processes), 40 processes over the five
sources, runs spread over the last 90 days (Data Factory and Databricks most often), 15 statuses
(mostly SUCCEEDED, about 10% FAILED, a few % still active), 3 to 7 activities per run (5 on
average) whose statuses follow the run's, statistics, and a blocking error on failed runs.
"""

from __future__ import annotations

import argparse
import asyncio
import queue
import random
import re
import sqlite3
import sys
import threading
import time
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

import orjson

from gateway.demo.catalog import ACTIVITY_SOURCE_STATUSES, RUN_SOURCE_STATUSES, blocking_error
from gateway.domain.ids import IdKind, id_at
from gateway.domain.models import ActivityDefinition, Process
from gateway.domain.sources import ActivityKind, ProcessKind, Source
from gateway.domain.status import RunStatus
from gateway.store.codec import error_to_params, insert_sql, process_to_params
from gateway.store.engines import database_for

S = RunStatus
K = ActivityKind
DEFAULT_WORKSPACE = "ws_00000000000000000000000000"
DAYS = 90
BATCH_RUNS = 20_000

# Share of runs per source.
SOURCE_SHARE = {
    Source.DATA_FACTORY: 0.35,
    Source.DATABRICKS: 0.30,
    Source.GATEWAY: 0.15,
    Source.INDUSTRY_DATA: 0.10,
    Source.DATAZONE: 0.10,
}
# Status weights (percent); each source draws from the statuses its platform reports.
STATUS_WEIGHTS = {
    S.SUCCEEDED: 73.0,
    S.FAILED: 10.0,
    S.SUCCEEDED_WITH_WARNINGS: 5.0,
    S.PARTIALLY_SUCCEEDED: 3.0,
    S.CANCELLED: 2.0,
    S.TIMED_OUT: 1.5,
    S.SKIPPED: 1.5,
    S.UNKNOWN: 0.5,
    S.RUNNING: 1.2,
    S.QUEUED: 0.6,
    S.PENDING: 0.5,
    S.WAITING: 0.4,
    S.STARTING: 0.3,
    S.FINALIZING: 0.3,
    S.CANCELLING: 0.2,
}
TERMINAL = frozenset(s for s in RunStatus if s.is_terminal)

# (source, process kind, activity kind, activity types, how many processes, in the 2nd workspace)
PROCESS_PLAN = (
    (Source.DATA_FACTORY, ProcessKind.DATA_FACTORY_PIPELINE, K.DATA_FACTORY_ACTIVITY,
     ("Lookup", "Copy", "SqlServerStoredProcedure", "ExecuteDataFlow", "Web"), 12, 0),
    (Source.DATABRICKS, ProcessKind.DATABRICKS_JOB, K.DATABRICKS_TASK,
     ("notebook_task", "spark_python_task", "sql_task", "spark_jar_task"), 10, 4),
    (Source.GATEWAY, ProcessKind.GATEWAY_PROCESS, K.GATEWAY_ACTIVITY, ("sql", "python"), 6, 0),
    (Source.INDUSTRY_DATA, ProcessKind.INBOUND_FLOW, K.INBOUND_FLOW,
     ("oneRosterApi", "csv"), 4, 0),
    (Source.INDUSTRY_DATA, ProcessKind.OUTBOUND_FLOW, K.OUTBOUND_FLOW, ("provisioning",), 2, 0),
    (Source.DATAZONE, ProcessKind.DATAZONE_DATA_SOURCE, K.DATAZONE_ASSET, ("GlueTable",), 6, 2),
)  # fmt: skip

RUN_COLUMNS = (
    "id", "workspace_id", "process_id", "source", "source_id", "display_name", "status",
    "source_status", "created_at", "started_at", "ended_at", "last_modified_at", "queue_ms",
    "setup_ms", "execution_ms", "cleanup_ms", "total_ms", "trigger_type", "trigger_invoked_by",
    "trigger_source_type", "parameters", "stat_processed", "stat_added", "stat_updated",
    "stat_unchanged", "stat_failed", "stat_errors", "stat_warnings", "error_code",
    "error_message", "error_category", "error_retryable", "error_extra",
    # Data Factory
    "activity_name", "data_slice_start", "data_slice_end", "batch_time", "percent_complete",
    "run_group_id", "has_logs",
    # Databricks
    "job_id", "number_in_job", "run_type", "creator_user_name", "run_page_url",
    # DataZone
    "data_source_id", "project_id", "lineage_import_status",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "id", "run_id", "workspace_id", "kind", "key", "source_id", "display_name", "activity_type",
    "sequence", "status", "source_status", "created_at", "started_at", "ended_at",
    "last_modified_at", "depends_on", "stat_processed", "stat_failed", "stat_errors",
    "error_code", "error_message", "error_category", "error_retryable", "error_extra",
    "attributes",
)  # fmt: skip
NO_ERROR = (None, None, None, None, None)


def _sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


@dataclass
class ProcessInfo:
    process: Process
    weight: float
    # per status: (source status, cumulative weight) and activity variants
    statuses: list[RunStatus]
    cum_weights: list[float]
    source_status: dict[RunStatus, str]
    variants: dict[RunStatus, list[list[tuple[Any, ...]]]]
    counter: int = 0


def _activity_statuses(status: RunStatus, count: int, at: int) -> list[RunStatus]:
    """Activity statuses for a run's status; `at` is the activity where things went wrong."""
    if status in (S.SUCCEEDED, S.SKIPPED, S.UNKNOWN, S.FINALIZING):
        return [S.SUCCEEDED if status is S.FINALIZING else status] * count
    if status in (S.SUCCEEDED_WITH_WARNINGS, S.PARTIALLY_SUCCEEDED):
        out = [S.SUCCEEDED] * count
        out[at] = status
        return out
    if status in (S.FAILED, S.TIMED_OUT, S.CANCELLED):
        return [S.SUCCEEDED] * at + [status] + [S.SKIPPED] * (count - at - 1)
    if status in (S.PENDING, S.QUEUED, S.STARTING):
        return [S.PENDING] * count
    current = S.RUNNING if status in (S.RUNNING, S.WAITING) else status
    return [S.SUCCEEDED] * at + [current] + [S.PENDING] * (count - at - 1)


def _activity_source_status(kind: ActivityKind, status: RunStatus) -> str:
    table = ACTIVITY_SOURCE_STATUSES.get(kind)
    return table[status] if table and status in table else status.value


def _error_columns(source: Source, pick: int) -> tuple[Any, ...]:
    params = error_to_params(blocking_error(source, pick))
    return (
        params["error_code"],
        params["error_message"],
        params["error_category"],
        params["error_retryable"],
        params["error_extra"],
    )


def build_processes(rng: random.Random, now: datetime, second_workspace: str) -> list[ProcessInfo]:
    """The processes with everything a run needs precomputed."""
    start = now - timedelta(days=DAYS + 1)
    infos: list[ProcessInfo] = []
    index = 0
    for source, kind, activity_kind, types, count, in_second in PROCESS_PLAN:
        per_source = sum(p[4] for p in PROCESS_PLAN if p[0] is source)
        table = RUN_SOURCE_STATUSES[source]
        statuses = [s for s in STATUS_WEIGHTS if s in table]
        cum = list(accumulate(STATUS_WEIGHTS[s] for s in statuses))
        for n in range(count):
            size = 3 + index % 5  # 3..7 activities, 5 on average
            name = f"{kind.value.replace('_', ' ').title()} {n + 1:02d}"
            keys = [f"step{i + 1}" for i in range(size)]
            definitions = tuple(
                ActivityDefinition(
                    key=keys[i],
                    display_name=f"{name} step {i + 1}",
                    kind=activity_kind,
                    activity_type=types[i % len(types)],
                    depends_on=(keys[i - 1],) if i else (),
                )
                for i in range(size)
            )
            if source is Source.DATABRICKS:
                source_id = str(1000 + index)
            else:
                source_id = f"{kind.value.lower().replace('_', '-')}-{n + 1:02d}"
            created = start + timedelta(seconds=index)
            process = Process(
                id=id_at(IdKind.PROCESS, int(created.timestamp() * 1000), rng.getrandbits(80)),
                workspace_id=second_workspace if n >= count - in_second else DEFAULT_WORKSPACE,
                source=source,
                kind=kind,
                source_id=source_id,
                display_name=name,
                description=f"Benchmark {source.value.lower().replace('_', ' ')} process.",
                schedule="0 * * * *",
                activity_definitions=definitions,
                created_date_time=created,
                last_modified_date_time=created,
            )
            info = ProcessInfo(
                process=process,
                weight=SOURCE_SHARE[source] / per_source * rng.uniform(0.5, 1.5),
                statuses=statuses,
                cum_weights=cum,
                source_status={s: table[s] for s in statuses},
                variants={},
            )
            for status in statuses:
                info.variants[status] = [
                    _activity_templates(process, status, at) for at in range(size)
                ]
            infos.append(info)
            index += 1
    return infos


def _activity_templates(process: Process, status: RunStatus, at: int) -> list[tuple[Any, ...]]:
    """Per activity: (sequence, key, head columns, has start, has end, tail columns)."""
    definitions = process.activity_definitions
    out = []
    for i, (d, a_status) in enumerate(
        zip(definitions, _activity_statuses(status, len(definitions), at), strict=True)
    ):
        has_start = a_status not in (S.PENDING, S.SKIPPED)
        has_end = has_start and a_status.is_terminal
        head = (
            process.workspace_id,
            d.kind.value,
            d.key,
        )
        middle = (
            d.display_name,
            d.activity_type,
            i,
            a_status.value,
            _activity_source_status(d.kind, a_status),
        )
        if d.kind is K.DATAZONE_ASSET:
            attributes = {"database": "sales", "technicalName": d.key, "dataAssetId": d.key}
        elif d.kind is K.DATABRICKS_TASK:
            attributes = {"clusterId": "0923-164208-meows279"}
        else:
            attributes = {}
        failed = a_status in (S.FAILED, S.TIMED_OUT)
        tail = (
            orjson.dumps(list(d.depends_on)).decode(),
            (1_000 + 37 * i) if a_status.is_terminal and a_status is not S.SKIPPED else 0,
            1 if failed or a_status is S.PARTIALLY_SUCCEEDED else 0,
            3 if a_status is S.PARTIALLY_SUCCEEDED else 0,
        )
        out.append(
            (i, head, middle, has_start, has_end, failed, tail, orjson.dumps(attributes).decode())
        )
    return out


def _day_strings(now: datetime) -> tuple[int, list[str], list[str]]:
    """Day 0 in micros, and per day the display-name date and the parameters JSON."""
    day0 = (now - timedelta(days=DAYS + 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    dates = [(day0 + timedelta(days=d)).strftime("%Y-%m-%d") for d in range(DAYS + 3)]
    params = [orjson.dumps({"window": d, "fullRefresh": False}).decode() for d in dates]
    return int(day0.timestamp()) * 1_000_000, dates, params


def generate_rows(
    rng: random.Random, infos: list[ProcessInfo], runs: int, now: datetime
) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Batches of (run rows, activity rows), oldest first (so ids arrive in order)."""
    now_us = int(now.timestamp()) * 1_000_000
    span_us = DAYS * 86_400 * 1_000_000
    created_all = sorted(now_us - rng.randrange(span_us) for _ in range(runs))
    cum_process = list(accumulate(info.weight for info in infos))
    day0_us, dates, params_json = _day_strings(now)
    errors = {source: [_error_columns(source, pick) for pick in range(12)] for source in Source}
    day_us = 86_400_000_000
    run_id_at = id_at
    kind_run = IdKind.RUN
    random_ = rng.random
    getrandbits = rng.getrandbits
    for offset in range(0, runs, BATCH_RUNS):
        run_rows: list[tuple[Any, ...]] = []
        activity_rows: list[tuple[Any, ...]] = []
        add_run = run_rows.append
        add_activity = activity_rows.append
        for created in created_all[offset : offset + BATCH_RUNS]:
            info = infos[bisect(cum_process, random_() * cum_process[-1])]
            process = info.process
            source = process.source
            status = info.statuses[bisect(info.cum_weights, random_() * info.cum_weights[-1])]
            info.counter += 1
            rid = run_id_at(kind_run, created // 1000, getrandbits(80) & ~31)
            body = rid[4:29]  # the run id's body minus its last character ('0')
            queue_ms = 200 + int(random_() * 90_000)
            total_ms = 20_000 + int(random_() * 2_700_000)
            started: int | None = min(created + queue_ms * 1000, now_us)
            if status in (S.PENDING, S.QUEUED, S.SKIPPED):
                started = None
            ended = None
            if started is not None and status in TERMINAL:
                ended = min(started + total_ms * 1000, now_us)
            setup_ms = None
            if source is Source.DATABRICKS and started is not None:
                setup_ms = 5_000 + int(random_() * 115_000)
            run_total = (ended - started) // 1000 if ended is not None and started else None
            day = (created - day0_us) // day_us
            minute = (created % day_us) // 60_000_000
            display = f"{process.display_name} {dates[day]} {minute // 60:02d}:{minute % 60:02d}"
            source_id = (
                f"{process.source_id}-{info.counter:07d}" if source is not Source.GATEWAY else rid
            )
            scheduled = random_() < 0.8
            processed = int(random_() * 50_000) if status is not S.SKIPPED else 0
            stat_errors = 1 + int(random_() * 20) if status is S.PARTIALLY_SUCCEEDED else 0
            warnings = 1 + int(random_() * 40) if status is S.SUCCEEDED_WITH_WARNINGS else 0
            failed = 1 + int(random_() * 5) if status is S.FAILED else stat_errors
            added = processed // 3
            error = (
                errors[source][int(random_() * 12)]
                if status is S.FAILED or status is S.TIMED_OUT
                else NO_ERROR
            )
            platform: tuple[Any, ...]
            if source is Source.DATA_FACTORY:
                slice_start = created - created % 3_600_000_000
                platform = (
                    process.activity_definitions[-1].display_name,
                    slice_start,
                    slice_start + 3_600_000_000,
                    slice_start + 3_600_000_000,
                    100 if status is S.SUCCEEDED else int(random_() * 100),
                    rid,
                    1,
                    None, None, None, None, None, None, None, None,
                )  # fmt: skip
            elif source is Source.DATABRICKS:
                number = 900_000 + info.counter
                platform = (
                    None, None, None, None, None, None, None,
                    int(process.source_id), number, "JOB_RUN", "ana@fabrikam.example",
                    f"/jobs/{process.source_id}/runs/{number}",
                    None, None, None,
                )  # fmt: skip
            elif source is Source.DATAZONE:
                platform = (
                    None, None, None, None, None, None, None, None, None,
                    "SCHEDULED" if scheduled else "PRIORITIZED", None, None,
                    process.source_id, "prj-sales-analytics",
                    "SUCCESS" if status is S.SUCCEEDED else None,
                )  # fmt: skip
            else:
                platform = (None,) * 15
            add_run(
                (
                    rid, process.workspace_id, process.id, source.value, source_id, display,
                    status.value, info.source_status[status], created, started, ended,
                    ended or started or created, queue_ms if started else None, setup_ms,
                    (total_ms - (setup_ms or 0)) if ended else None,
                    (1_000 + int(random_() * 8_000)) if ended and setup_ms else None, run_total,
                    "SCHEDULED" if scheduled else "MANUAL", "schedule" if scheduled else "ana",
                    "PERIODIC" if scheduled else None, params_json[day], processed, added,
                    (processed - added) // 2, processed - added - (processed - added) // 2,
                    failed, stat_errors, warnings, *error, *platform,
                )
            )  # fmt: skip
            variants = info.variants[status]
            templates = variants[int(random_() * len(variants))]
            step = ((ended or now_us) - started) // len(templates) if started else 0
            for seq, head, middle, has_start, has_end, is_failed, tail, attributes in templates:
                a_start = started + step * seq if has_start and started else None
                a_end = a_start + step if has_end and a_start else None
                add_activity(
                    (
                        f"act_{body}{'0123456789ABCDEFGHJKMNPQRSTVWXYZ'[seq]}", rid, *head,
                        f"{source_id}-{head[2]}", *middle, created, a_start, a_end,
                        a_end or a_start or created, *tail, *(error if is_failed else NO_ERROR),
                        attributes,
                    )
                )  # fmt: skip
        yield run_rows, activity_rows


_SIMPLE_INSERT_TRIGGER = re.compile(
    r"^CREATE TRIGGER\s+(\w+)\s+AFTER INSERT ON runs\s+BEGIN\s+"
    r"(INSERT INTO \w+\s*\([^)]*\))\s*VALUES\s*\((.*)\);\s*END$",
    re.DOTALL | re.IGNORECASE,
)


def deferrable_triggers(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(name, create SQL, bulk SQL) of the `AFTER INSERT ON runs` triggers that are one plain
    `INSERT … VALUES (…new.…)`: during the load they are dropped, and afterwards their statement
    runs once for every run (`INSERT … SELECT … FROM runs AS new`), which is far faster than row
    by row. Any other trigger stays in place and fires for each row."""
    found = []
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'runs'"
    ):
        match = _SIMPLE_INSERT_TRIGGER.match(sql.strip())
        if match and match.group(1) == name and ";" not in match.group(3):
            bulk = f"{match.group(2)} SELECT {match.group(3)} FROM runs AS new ORDER BY new.rowid"
            found.append((name, sql, bulk))
    return found


def _produce(
    rng: random.Random,
    infos: list[ProcessInfo],
    runs: int,
    now: datetime,
    out: queue.Queue[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] | None],
    failures: list[BaseException],
) -> None:
    try:
        for batch in generate_rows(rng, infos, runs, now):
            out.put(batch)
    except BaseException as error:
        failures.append(error)
    finally:
        out.put(None)


async def _migrate(path: Path) -> None:
    async with database_for(path, readers=1):
        pass  # opening the database applies the gateway's migrations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1_000_000, help="how many runs (1000000)")
    parser.add_argument("--output", type=Path, default=Path("bench/data/bench.db"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace an existing output file")
    args = parser.parse_args(argv)
    path: Path = args.output
    if path.exists():
        if not args.force:
            print(f"{path} exists; pass --force to replace it.", file=sys.stderr)
            return 2
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)

    began = time.perf_counter()
    asyncio.run(_migrate(path))
    rng = random.Random(args.seed)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("PRAGMA cache_size = -1048576")  # 1 GiB while loading
    conn.execute("PRAGMA temp_store = MEMORY")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('runs', 'activities')"
    ).fetchall()
    triggers = deferrable_triggers(conn)
    conn.execute("BEGIN")
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    for name, _, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')

    second_ms = int((now - timedelta(days=DAYS + 2)).timestamp() * 1000)
    second_workspace = id_at(IdKind.WORKSPACE, second_ms, rng.getrandbits(80))
    conn.execute(
        "INSERT INTO workspaces (id, display_name, source, source_id, created_at) "
        "VALUES (?, ?, NULL, NULL, ?)",
        (second_workspace, "Benchmark second workspace", second_ms * 1000),
    )
    infos = build_processes(rng, now, second_workspace)
    rows = [process_to_params(info.process) for info in infos]
    conn.executemany(insert_sql("processes", rows[0]), rows)

    run_sql = _sql("runs", RUN_COLUMNS)
    activity_sql = _sql("activities", ACTIVITY_COLUMNS)
    run_count = activity_count = 0
    # Rows are made in a second thread while this one inserts: sqlite3 releases the GIL while
    # SQLite works, so the two overlap on two cores.
    batches: queue.Queue[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] | None]
    batches = queue.Queue(maxsize=3)
    failures: list[BaseException] = []
    producer = threading.Thread(
        target=_produce, args=(rng, infos, args.runs, now, batches, failures), daemon=True
    )
    producer.start()
    while (batch := batches.get()) is not None:
        run_rows, activity_rows = batch
        conn.executemany(run_sql, run_rows)
        conn.executemany(activity_sql, activity_rows)
        run_count += len(run_rows)
        activity_count += len(activity_rows)
        if run_count % 100_000 < BATCH_RUNS:
            elapsed = time.perf_counter() - began
            print(f"{run_count:>9} runs, {activity_count:>9} activities, {elapsed:6.1f} s")
    producer.join()
    if failures:
        raise RuntimeError("making the rows failed") from failures[0]
    loaded = time.perf_counter()
    for name, create, bulk in triggers:
        conn.execute(bulk)
        conn.execute(create)
        print(f"trigger {name}: applied to every run in bulk, then recreated")
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("COMMIT")
    indexed = time.perf_counter()
    conn.execute("ANALYZE")
    analyzed = time.perf_counter()
    conn.execute("PRAGMA locking_mode = NORMAL")
    conn.execute("PRAGMA journal_mode = WAL")  # what the gateway uses; persistent in the file
    conn.close()
    done = time.perf_counter()
    size = path.stat().st_size
    print(
        f"{path}: {len(infos)} processes, {run_count} runs, {activity_count} activities, "
        f"{size / 2**30:.2f} GiB; load {loaded - began:.1f} s, triggers and indexes {indexed - loaded:.1f} s, "
        f"ANALYZE {analyzed - indexed:.1f} s, total {done - began:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

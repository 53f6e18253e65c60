"""The deterministic demo data set: two workspaces, processes of all five sources, and runs over
the last four months (`DAYS`) in every status, with retries, activities, statistics, warnings and errors.

The same seed and `now` give the same data, ids included.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from gateway.demo.catalog import (
    ACTIVITY_SOURCE_STATUSES,
    PROCESSES,
    RUN_SOURCE_STATUSES,
    WORKSPACES,
    blocking_error,
)
from gateway.domain.clock import to_micros, utc_now
from gateway.domain.ids import IdKind, id_at
from gateway.domain.models import (
    ACTIVITY_CLASSES,
    RUN_CLASSES,
    Activity,
    EntityCount,
    Metric,
    Process,
    RoleCount,
    Run,
    RunChangeKind,
    RunDurations,
    RunStatistics,
    Trigger,
    Workspace,
)
from gateway.domain.sources import Source, TriggerType
from gateway.domain.status import RunStatus
from gateway.store import activities, events, processes, runs, workspaces
from gateway.store.protocol import Database

S = RunStatus
DAYS = 120  # months, so a filter on the last week or month picks a part of the runs
ACTIVE = (S.PENDING, S.QUEUED, S.STARTING, S.RUNNING, S.WAITING, S.CANCELLING, S.FINALIZING)
# How often each finished status appears (the rest of the weight is spread evenly).
TERMINAL_WEIGHTS = {
    S.SUCCEEDED: 60,
    S.SUCCEEDED_WITH_WARNINGS: 8,
    S.PARTIALLY_SUCCEEDED: 6,
    S.FAILED: 12,
    S.CANCELLED: 3,
    S.TIMED_OUT: 2,
    S.SKIPPED: 2,
    S.UNKNOWN: 1,
}


@dataclass
class DemoSummary:
    workspaces: int = 0
    processes: int = 0
    runs: int = 0
    activities: int = 0


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def at(self, kind: IdKind, when: datetime) -> str:
        return id_at(kind, to_micros(when) // 1000, self._rng.getrandbits(80))


def _statistics(rng: random.Random, status: RunStatus, source: Source, size: int) -> RunStatistics:
    processed = rng.randint(size // 2, size) if status is not S.SKIPPED else 0
    errors = rng.randint(1, max(1, processed // 50)) if status is S.PARTIALLY_SUCCEEDED else 0
    warnings = rng.randint(1, 40) if status is S.SUCCEEDED_WITH_WARNINGS else 0
    failed = errors if status is not S.FAILED else rng.randint(1, 5)
    added = rng.randint(0, processed // 3) if processed else 0
    updated = rng.randint(0, (processed - added) // 2) if processed else 0
    unchanged = max(0, processed - added - updated - failed)
    entities: tuple[EntityCount, ...] = ()
    roles: tuple[RoleCount, ...] = ()
    metrics: tuple[Metric, ...] = ()
    if source is Source.INDUSTRY_DATA and processed:
        people = rng.randint(200, 2000)
        entities = (
            EntityCount(entity="people", total=people, active=people - 20, inactive=20),
            EntityCount(entity="classes", total=people // 25, active=people // 25, inactive=0),
        )
        roles = (
            RoleCount(role="student", count=people - 80, matched=True),
            RoleCount(role="teacher", count=70, matched=True),
            RoleCount(role="guardian", count=10, matched=False),
        )
    elif source is Source.DATA_FACTORY and processed:
        metrics = (
            Metric(name="rowsCopied", value=float(processed), unit="rows"),
            Metric(name="dataRead", value=float(processed * 412), unit="bytes"),
        )
    elif source is Source.DATABRICKS and processed:
        metrics = (Metric(name="dbuConsumed", value=round(rng.uniform(0.5, 40), 2), unit="DBU"),)
    return RunStatistics(
        processed=processed,
        added=added,
        updated=updated,
        unchanged=unchanged,
        skipped=rng.randint(0, 5) if processed else 0,
        failed=failed,
        errors=errors,
        warnings=warnings,
        entities=entities,
        roles=roles,
        metrics=metrics,
    )


def _activity_statuses(status: RunStatus, count: int, rng: random.Random) -> list[RunStatus]:
    """Plausible activity statuses for a run's status."""
    if status in (S.SUCCEEDED, S.SKIPPED, S.UNKNOWN):
        return [status] * count
    if status in (S.SUCCEEDED_WITH_WARNINGS, S.PARTIALLY_SUCCEEDED):
        out = [S.SUCCEEDED] * count
        out[rng.randrange(count)] = status
        return out
    if status in (S.FAILED, S.TIMED_OUT, S.CANCELLED):
        at = rng.randrange(count)
        return [S.SUCCEEDED] * at + [status] + [S.SKIPPED] * (count - at - 1)
    if status in (S.PENDING, S.QUEUED, S.STARTING):
        return [S.PENDING] * count
    at = rng.randrange(count)
    current = S.RUNNING if status in (S.RUNNING, S.WAITING) else status
    if status is S.FINALIZING:
        return [S.SUCCEEDED] * count
    return [S.SUCCEEDED] * at + [current] + [S.PENDING] * (count - at - 1)


def _source_status(table: dict[RunStatus, str] | None, status: RunStatus) -> str:
    if table and status in table:
        return table[status]
    return status.value


class _Builder:
    def __init__(self, rng: random.Random, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.ids = _Ids(rng)

    def run(
        self,
        process: Process,
        created: datetime,
        status: RunStatus,
        *,
        attempt: int = 1,
        original: Run | None = None,
        previous: Run | None = None,
        number: int = 0,
    ) -> tuple[Run, list[Activity]]:
        rng = self.rng
        source = process.source
        table = RUN_SOURCE_STATUSES[source]
        run_id = self.ids.at(IdKind.RUN, created)
        queue_ms = rng.randint(200, 90_000)
        start: datetime | None = created + timedelta(milliseconds=queue_ms)
        if status in (S.PENDING, S.QUEUED) or status is S.SKIPPED:
            start = None
        total_ms = rng.randint(20_000, 45 * 60_000)
        end = start + timedelta(milliseconds=total_ms) if start and status.is_terminal else None
        if end and end > self.now:
            end = self.now
        if start and start > self.now:
            start = self.now
        setup_ms = rng.randint(5_000, 120_000) if source is Source.DATABRICKS and start else None
        trigger_type = (
            TriggerType.RETRY
            if attempt > 1
            else rng.choice((TriggerType.SCHEDULED,) * 5 + (TriggerType.MANUAL, TriggerType.API))
        )
        platform: dict[str, Any] = {}
        if source is Source.DATA_FACTORY:
            slice_start = created.replace(minute=0, second=0, microsecond=0)
            platform = {
                "table_name": "EmpSQLTable" if process.source_id == "ADFTutorialPipeline" else None,
                "activity_name": process.activity_definitions[-1].display_name,
                "data_slice_start": slice_start,
                "data_slice_end": slice_start + timedelta(hours=1),
                "batch_time": slice_start + timedelta(hours=1),
                "percent_complete": 100 if status is S.SUCCEEDED else rng.randint(0, 99),
                "run_group_id": original.id if original else run_id,
                "has_logs": True,
            }
        elif source is Source.DATABRICKS:
            platform = {
                "job_id": int(process.source_id),
                "number_in_job": 900_000 + number,
                "run_type": "JOB_RUN",
                "creator_user_name": "ana@fabrikam.example",
                "run_page_url": f"/jobs/{process.source_id}/runs/{900_000 + number}",
            }
        elif source is Source.DATAZONE:
            platform = {
                "data_source_id": process.source_id,
                "project_id": "prj-sales-analytics",
                "run_type": "SCHEDULED" if trigger_type is TriggerType.SCHEDULED else "PRIORITIZED",
                "lineage_import_status": "SUCCESS" if status is S.SUCCEEDED else None,
            }
        statistics = _statistics(rng, status, source, rng.choice((500, 5_000, 50_000)))
        run = RUN_CLASSES[source](
            id=run_id,
            workspace_id=process.workspace_id,
            process_id=process.id,
            source=source,
            source_id=f"{process.source_id}-{number:06d}"
            if source is not Source.GATEWAY
            else run_id,
            display_name=f"{process.display_name} {created:%Y-%m-%d %H:%M}",
            status=status,
            source_status=_source_status(table, status),
            created_date_time=created,
            start_date_time=start,
            end_date_time=end,
            last_modified_date_time=end or start or created,
            durations=RunDurations(
                queue_ms=queue_ms if start else None,
                setup_ms=setup_ms,
                execution_ms=(total_ms - (setup_ms or 0)) if end else None,
                cleanup_ms=rng.randint(1_000, 9_000) if end and setup_ms else None,
                total_ms=int((end - start).total_seconds() * 1000) if end and start else None,
            ),
            trigger=Trigger(
                type=trigger_type,
                invoked_by="schedule" if trigger_type is TriggerType.SCHEDULED else "ana",
                source_type="PERIODIC" if trigger_type is TriggerType.SCHEDULED else None,
            ),
            parameters={"window": f"{created:%Y-%m-%d}", "fullRefresh": rng.random() < 0.1},
            attempt_number=attempt,
            original_attempt_run_id=original.id if original else None,
            previous_attempt_run_id=previous.id if previous else None,
            statistics=statistics,
            blocking_error=blocking_error(source, rng.randrange(12))
            if status in (S.FAILED, S.TIMED_OUT)
            else None,
            **platform,
        )
        return run, self.activities(run, process, created, start, end)

    def activities(
        self,
        run: Run,
        process: Process,
        created: datetime,
        start: datetime | None,
        end: datetime | None,
    ) -> list[Activity]:
        rng = self.rng
        definitions = process.activity_definitions
        statuses = _activity_statuses(run.status, len(definitions), rng)
        span = (end or self.now) - start if start else timedelta(0)
        step = span / max(1, len(definitions))
        out = []
        for i, (d, status) in enumerate(zip(definitions, statuses, strict=True)):
            a_start = (
                start + step * i
                if start and status is not S.PENDING and status is not S.SKIPPED
                else None
            )
            a_end = a_start + step if a_start and status.is_terminal else None
            out.append(
                ACTIVITY_CLASSES[d.kind](
                    id=self.ids.at(IdKind.ACTIVITY, created),
                    run_id=run.id,
                    workspace_id=run.workspace_id,
                    kind=d.kind,
                    key=d.key,
                    source_id=f"{run.source_id}-{d.key}",
                    display_name=d.display_name,
                    activity_type=d.activity_type,
                    sequence=i,
                    status=status,
                    source_status=_source_status(ACTIVITY_SOURCE_STATUSES.get(d.kind), status),
                    created_date_time=created,
                    start_date_time=a_start,
                    end_date_time=a_end,
                    last_modified_date_time=a_end or a_start or created,
                    attempt_number=run.attempt_number,
                    depends_on=d.depends_on,
                    statistics=_statistics(rng, status, run.source, 2_000)
                    if status.is_terminal
                    else RunStatistics(),
                    blocking_error=run.blocking_error
                    if status is run.status and status in (S.FAILED, S.TIMED_OUT)
                    else None,
                    attributes=self._attributes(d.kind.value, d.key, run),
                )
            )
        return out

    @staticmethod
    def _attributes(kind: str, key: str, run: Run) -> dict[str, object]:
        if kind == "DATAZONE_ASSET":
            return {"database": "sales", "technicalName": key, "dataAssetId": f"asset-{key}"}
        if kind == "DATABRICKS_TASK":
            return {"clusterId": "0923-164208-meows279"}
        return {}


def _status_for(rng: random.Random, created: datetime, now: datetime, source: Source) -> RunStatus:
    table = RUN_SOURCE_STATUSES[source]
    if now - created < timedelta(hours=2):
        choices = [s for s in ACTIVE if s in table] or [S.RUNNING]
        return rng.choice(choices)
    weights = {s: w for s, w in TERMINAL_WEIGHTS.items() if s in table}
    statuses = list(weights)
    return rng.choices(statuses, weights=[weights[s] for s in statuses])[0]


def build(
    *, runs_wanted: int = 3000, seed: int = 42, now: datetime | None = None
) -> tuple[list[Workspace], list[Process], list[tuple[Run, list[Activity]]]]:
    """The whole data set in memory: workspaces, processes, and runs with their activities."""
    rng = random.Random(seed)
    now = now or utc_now()
    builder = _Builder(rng, now)
    start = now - timedelta(days=DAYS)
    spaces = [
        Workspace(id=id, display_name=name, source=source, created_date_time=start)
        for id, name, source in WORKSPACES
    ]
    procs = []
    for i, (ws, source, kind, source_id, name, schedule, defs, _) in enumerate(PROCESSES):
        procs.append(
            Process(
                id=builder.ids.at(IdKind.PROCESS, start + timedelta(seconds=i)),
                workspace_id=spaces[ws].id,
                source=source,
                kind=kind,
                source_id=source_id,
                display_name=name,
                description=f"Demo {source.value.lower().replace('_', ' ')} process.",
                schedule=schedule,
                activity_definitions=defs,
                created_date_time=start,
                last_modified_date_time=start,
            )
        )
    weights = [p[-1] for p in PROCESSES]
    made: list[tuple[Run, list[Activity]]] = []
    counters = [0] * len(procs)
    # Every status of every source at least once, then the weighted rest.
    # Round by round (each process's k-th status in round k), so that even a small data set
    # has every source.
    per_process = [list(RUN_SOURCE_STATUSES[p.source]) for p in procs]
    plan: list[tuple[int, RunStatus | None]] = [
        (i, statuses[k])
        for k in range(max(len(s) for s in per_process))
        for i, statuses in enumerate(per_process)
        if k < len(statuses)
    ]
    while len(plan) < runs_wanted:
        plan.append((rng.choices(range(len(procs)), weights=weights)[0], None))
    for index, forced in plan[:runs_wanted]:
        process = procs[index]
        created = now - timedelta(seconds=rng.randint(60, DAYS * 86_400))
        status = forced or _status_for(rng, created, now, process.source)
        if forced in ACTIVE:
            created = now - timedelta(seconds=rng.randint(30, 3_600))
        counters[index] += 1
        run, acts = builder.run(process, created, status, number=counters[index])
        made.append((run, acts))
        # Retries of older failures: attempts 2 and 3, minutes apart.
        previous = run
        while (
            previous.status in (S.FAILED, S.TIMED_OUT)
            and previous.attempt_number < 3
            and now - previous.created_date_time > timedelta(hours=3)
            and rng.random() < 0.5
        ):
            counters[index] += 1
            retry_at = previous.created_date_time + timedelta(minutes=rng.randint(10, 60))
            retry_status = rng.choice((S.SUCCEEDED, S.SUCCEEDED, S.FAILED))
            retry, retry_acts = builder.run(
                process,
                retry_at,
                retry_status,
                attempt=previous.attempt_number + 1,
                original=run,
                previous=previous,
                number=counters[index],
            )
            _mark_superseded(made, previous)
            made.append((retry, retry_acts))
            previous = retry
    return spaces, procs, made


def _mark_superseded(made: list[tuple[Run, list[Activity]]], run: Run) -> None:
    for i, (candidate, acts) in enumerate(made):
        if candidate.id == run.id:
            made[i] = (replace(candidate, is_latest_attempt=False), acts)
            return


async def load(
    db: Database, *, runs_wanted: int = 3000, seed: int = 42, now: datetime | None = None
) -> DemoSummary:
    """Write the demo data set into `db` in one transaction (workspaces already there are kept)."""
    spaces, procs, made = build(runs_wanted=runs_wanted, seed=seed, now=now)
    summary = DemoSummary()
    async with db.transaction() as tx:
        existing = await workspaces.get_many(tx, [w.id for w in spaces])
        for workspace in spaces:
            if workspace.id not in existing:
                await workspaces.insert(tx, workspace)
                summary.workspaces += 1
        for process in procs:
            await processes.insert(tx, process)
            summary.processes += 1
        for run, acts in made:
            await runs.insert(tx, run)
            await activities.insert_many(tx, acts)
            await events.append(tx, run, RunChangeKind.CREATED, from_status=None, actor="demo")
            summary.runs += 1
            summary.activities += len(acts)
        tx.events.clear()  # a bulk load is not news for subscribers
    return summary

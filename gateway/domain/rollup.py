"""How a run follows its activities: status, times, durations, statistics and blocking error.

The rules follow Microsoft Graph's industry data runs (seed 000): a run whose activities all
completed succeeded; one with only warnings `completedWithWarnings`; one with records in error
`completedWithErrors` (PARTIALLY_SUCCEEDED); a blocking error fails it. A run being cancelled becomes
CANCELLED once no activity is still running.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import datetime

from gateway.domain.lifecycle import derive_durations
from gateway.domain.models import (
    COUNTER_NAMES,
    Activity,
    EntityCount,
    Metric,
    RoleCount,
    Run,
    RunStatistics,
)
from gateway.domain.status import RunStatus

NOT_STARTED = frozenset({RunStatus.PENDING, RunStatus.QUEUED})
COMPLETED = frozenset(
    {RunStatus.SUCCEEDED, RunStatus.SUCCEEDED_WITH_WARNINGS, RunStatus.PARTIALLY_SUCCEEDED}
)


def _failed(activity: Activity) -> bool:
    return activity.blocking_error is not None or activity.status is RunStatus.FAILED


def rolled_up_status(current: RunStatus, activities: Sequence[Activity]) -> RunStatus:
    """The status a run has given its activities' statuses, statistics and errors."""
    if not activities:
        return current
    if any(a.status.is_active for a in activities):
        if current is RunStatus.CANCELLING:
            return current
        if all(a.status in NOT_STARTED for a in activities) and current in NOT_STARTED:
            return current
        return RunStatus.RUNNING
    if current is RunStatus.CANCELLING:
        return RunStatus.CANCELLED
    if any(_failed(a) for a in activities):
        return RunStatus.FAILED
    if any(a.status is RunStatus.TIMED_OUT for a in activities):
        return RunStatus.TIMED_OUT
    if any(a.status is RunStatus.CANCELLED for a in activities):
        return RunStatus.CANCELLED
    if all(a.status is RunStatus.SKIPPED for a in activities):
        return RunStatus.SKIPPED
    if any(
        a.status is RunStatus.PARTIALLY_SUCCEEDED
        or a.statistics.failed > 0
        or a.statistics.errors > 0
        for a in activities
    ):
        return RunStatus.PARTIALLY_SUCCEEDED
    if any(
        a.status is RunStatus.SUCCEEDED_WITH_WARNINGS or a.statistics.warnings > 0
        for a in activities
    ):
        return RunStatus.SUCCEEDED_WITH_WARNINGS
    return RunStatus.SUCCEEDED


def sum_statistics(parts: Iterable[RunStatistics]) -> RunStatistics:
    """The statistics of a whole from those of its parts: counters are added, and entity, role
    and metric values with the same name (and unit) are added together."""
    counters = dict.fromkeys(COUNTER_NAMES, 0)
    entities: dict[str, list[int]] = {}
    roles: dict[tuple[str, bool], int] = {}
    metrics: dict[tuple[str, str | None], float] = {}
    for part in parts:
        for name in COUNTER_NAMES:
            counters[name] += getattr(part, name)
        for e in part.entities:
            totals = entities.setdefault(e.entity, [0, 0, 0])
            totals[0] += e.total
            totals[1] += e.active
            totals[2] += e.inactive
        for r in part.roles:
            roles[(r.role, r.matched)] = roles.get((r.role, r.matched), 0) + r.count
        for m in part.metrics:
            metrics[(m.name, m.unit)] = metrics.get((m.name, m.unit), 0.0) + m.value
    return RunStatistics(
        **counters,
        entities=tuple(
            EntityCount(entity=k, total=t, active=a, inactive=i)
            for k, (t, a, i) in entities.items()
        ),
        roles=tuple(RoleCount(role=k, matched=m, count=c) for (k, m), c in roles.items()),
        metrics=tuple(Metric(name=k, unit=u, value=v) for (k, u), v in metrics.items()),
    )


def roll_up(run: Run, activities: Sequence[Activity], *, now: datetime) -> Run:
    """The next version of `run` after a change to its activities, or `run` itself when nothing
    changes. A finished run keeps its status and times; its statistics still follow."""
    if not activities:
        return run
    changes: dict[str, object] = {"statistics": sum_statistics(a.statistics for a in activities)}
    if not run.status.is_terminal:
        status = rolled_up_status(run.status, activities)
        starts = [a.start_date_time for a in activities if a.start_date_time is not None]
        start = run.start_date_time or (min(starts) if starts else None)
        end = None
        if status.is_terminal and start is not None:
            ends = [a.end_date_time for a in activities if a.end_date_time is not None]
            end = max([*ends, start]) if ends else now
        changes.update(status=status, start_date_time=start, end_date_time=end)
        if status is not run.status:
            changes["source_status"] = status.value
        if status is RunStatus.FAILED and run.blocking_error is None:
            failed = [a for a in activities if a.blocking_error is not None]
            changes["blocking_error"] = failed[0].blocking_error if failed else None
        changes["durations"] = derive_durations(
            dataclasses.replace(run.durations, queue_ms=None, total_ms=None),
            created=run.created_date_time,
            start=start,
            end=end,
        )
    if all(getattr(run, name) == value for name, value in changes.items()):
        return run
    return dataclasses.replace(
        run,
        **changes,  # type: ignore[arg-type]  # each value has its field's type; a dict of several types cannot say so
        last_modified_date_time=now,
        version=run.version + 1,
    )

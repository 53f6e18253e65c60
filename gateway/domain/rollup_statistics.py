"""A run's statistics roll up from its activities' statistics.

`roll_up_statistics` is the one rule: every typed counter is the sum of the activities' counters;
entity counts are summed per entity, role counts per (role, matched), and named metrics per
(name, unit), each in the order of its first appearance. The open metrics list holds counts
(rows copied, bytes read), so summing them is what a run's total means. No activities give
empty statistics.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.domain.models import (
    COUNTER_NAMES,
    EntityCount,
    Metric,
    RoleCount,
    RunStatistics,
)


def roll_up_statistics(activities: Iterable[RunStatistics]) -> RunStatistics:
    """The statistics of a run whose activities have these statistics."""
    counters = dict.fromkeys(COUNTER_NAMES, 0)
    entities: dict[str, list[int]] = {}
    roles: dict[tuple[str, bool], int] = {}
    metrics: dict[tuple[str, str | None], float] = {}
    for stats in activities:
        for name in COUNTER_NAMES:
            counters[name] += getattr(stats, name)
        for e in stats.entities:
            totals = entities.setdefault(e.entity, [0, 0, 0])
            totals[0] += e.total
            totals[1] += e.active
            totals[2] += e.inactive
        for r in stats.roles:
            roles[(r.role, r.matched)] = roles.get((r.role, r.matched), 0) + r.count
        for m in stats.metrics:
            metrics[(m.name, m.unit)] = metrics.get((m.name, m.unit), 0.0) + m.value
    return RunStatistics(
        **counters,
        entities=tuple(
            EntityCount(entity=name, total=t, active=a, inactive=i)
            for name, (t, a, i) in entities.items()
        ),
        roles=tuple(
            RoleCount(role=role, count=count, matched=matched)
            for (role, matched), count in roles.items()
        ),
        metrics=tuple(
            Metric(name=name, value=value, unit=unit) for (name, unit), value in metrics.items()
        ),
    )

"""A run's statistics roll up from its activities'."""

from __future__ import annotations

from gateway.domain.models import EMPTY_STATISTICS, EntityCount, Metric, RoleCount, RunStatistics
from gateway.domain.rollup import sum_statistics


def test_no_activities_give_empty_statistics() -> None:
    assert sum_statistics([]) == EMPTY_STATISTICS


def test_counters_add_up_and_lists_merge_by_name_in_first_seen_order() -> None:
    first = RunStatistics(
        processed=10,
        added=1,
        errors=2,
        entities=(EntityCount(entity="people", total=5, active=4, inactive=1),),
        roles=(
            RoleCount(role="student", count=3),
            RoleCount(role="student", count=1, matched=False),
        ),
        metrics=(Metric(name="rowsCopied", value=10.0, unit="rows"),),
    )
    second = RunStatistics(
        processed=5,
        updated=7,
        warnings=1,
        entities=(
            EntityCount(entity="classes", total=2, active=2),
            EntityCount(entity="people", total=3, active=3),
        ),
        roles=(RoleCount(role="student", count=2), RoleCount(role="teacher", count=1)),
        metrics=(
            Metric(name="rowsCopied", value=2.5, unit="rows"),
            Metric(name="rowsCopied", value=1.0, unit="batches"),
        ),
    )
    assert sum_statistics([first, second, EMPTY_STATISTICS]) == RunStatistics(
        processed=15,
        added=1,
        updated=7,
        errors=2,
        warnings=1,
        entities=(
            EntityCount(entity="people", total=8, active=7, inactive=1),
            EntityCount(entity="classes", total=2, active=2, inactive=0),
        ),
        roles=(
            RoleCount(role="student", count=5),
            RoleCount(role="student", count=1, matched=False),
            RoleCount(role="teacher", count=1),
        ),
        metrics=(
            Metric(name="rowsCopied", value=12.5, unit="rows"),
            Metric(name="rowsCopied", value=1.0, unit="batches"),
        ),
    )


def test_one_activity_rolls_up_to_itself() -> None:
    only = RunStatistics(processed=3, entities=(EntityCount(entity="people", total=1),))
    assert sum_statistics([only]) == only

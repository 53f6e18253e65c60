"""The roll-up rules, case by case, and the sum of statistics."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.domain.models import (
    EntityCount,
    GatewayActivity,
    Metric,
    RoleCount,
    RunStatistics,
)
from gateway.domain.rollup import rolled_up_status, sum_statistics
from gateway.domain.run_errors import RunError
from gateway.domain.sources import ActivityKind
from gateway.domain.status import RunStatus as S

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def act(status: S, error: bool = False, **counters: int) -> GatewayActivity:
    return GatewayActivity(
        id="act_1",
        run_id="run_1",
        workspace_id="ws",
        kind=ActivityKind.GATEWAY_ACTIVITY,
        key="k",
        display_name="k",
        status=status,
        source_status=status.value,
        created_date_time=NOW,
        last_modified_date_time=NOW,
        statistics=RunStatistics(**counters),
        blocking_error=RunError(code="E", message="m") if error else None,
    )


@pytest.mark.parametrize(
    ("current", "activities", "expected"),
    [
        (S.PENDING, [], S.PENDING),
        (S.PENDING, [act(S.PENDING), act(S.QUEUED)], S.PENDING),
        (S.PENDING, [act(S.RUNNING), act(S.PENDING)], S.RUNNING),
        (S.RUNNING, [act(S.SUCCEEDED), act(S.PENDING)], S.RUNNING),
        (S.CANCELLING, [act(S.RUNNING), act(S.CANCELLED)], S.CANCELLING),
        (S.CANCELLING, [act(S.SUCCEEDED), act(S.CANCELLED)], S.CANCELLED),
        (S.RUNNING, [act(S.SUCCEEDED), act(S.SUCCEEDED)], S.SUCCEEDED),
        (S.RUNNING, [act(S.SUCCEEDED), act(S.SKIPPED)], S.SUCCEEDED),
        (S.RUNNING, [act(S.SKIPPED), act(S.SKIPPED)], S.SKIPPED),
        (S.RUNNING, [act(S.SUCCEEDED, warnings=1), act(S.SUCCEEDED)], S.SUCCEEDED_WITH_WARNINGS),
        (
            S.RUNNING,
            [act(S.SUCCEEDED, warnings=1), act(S.SUCCEEDED, failed=1)],
            S.PARTIALLY_SUCCEEDED,
        ),
        (S.RUNNING, [act(S.SUCCEEDED, errors=2)], S.PARTIALLY_SUCCEEDED),
        (S.RUNNING, [act(S.SUCCEEDED, error=True), act(S.SUCCEEDED)], S.FAILED),
        (S.RUNNING, [act(S.FAILED), act(S.TIMED_OUT)], S.FAILED),
        (S.RUNNING, [act(S.TIMED_OUT), act(S.SUCCEEDED)], S.TIMED_OUT),
        (S.RUNNING, [act(S.CANCELLED), act(S.SUCCEEDED)], S.CANCELLED),
    ],
)
def test_rolled_up_status(current: S, activities: list[GatewayActivity], expected: S) -> None:
    assert rolled_up_status(current, activities) is expected


def test_statistics_add_up_by_name() -> None:
    total = sum_statistics(
        [
            RunStatistics(
                processed=3,
                warnings=1,
                entities=(EntityCount(entity="person", total=2, active=1, inactive=1),),
                roles=(RoleCount(role="student", count=2, matched=True),),
                metrics=(Metric(name="rows", value=1.5, unit="rows"),),
            ),
            RunStatistics(
                processed=4,
                failed=2,
                entities=(EntityCount(entity="person", total=3, active=3),),
                roles=(RoleCount(role="student", count=1, matched=False),),
                metrics=(Metric(name="rows", value=2.0, unit="rows"),),
            ),
        ]
    )
    assert (total.processed, total.failed, total.warnings) == (7, 2, 1)
    assert total.entities == (EntityCount(entity="person", total=5, active=4, inactive=1),)
    assert set(total.roles) == {
        RoleCount(role="student", count=2, matched=True),
        RoleCount(role="student", count=1, matched=False),
    }
    assert total.metrics == (Metric(name="rows", value=3.5, unit="rows"),)

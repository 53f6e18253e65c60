"""Inputs of values shared by runs and activities (statistics, errors, durations, trigger), and
the conversion of strawberry's UNSET into the domain's."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types.unset import UnsetType

from gateway.api.common.scalars import Milliseconds, SafeInt
from gateway.domain import checks, models
from gateway.domain.run_errors import ErrorCategory, RunError, RunErrorDetail
from gateway.domain.sources import TriggerType

UNSET: Any = strawberry.UNSET


def patch_value(value: Any) -> Any:
    """strawberry's UNSET (field left out) as the domain's UNSET."""
    return checks.UNSET if isinstance(value, UnsetType) else value


@strawberry.input(description="Counts of one entity.")
class EntityCountInput:
    entity: str = strawberry.field(description="The entity, such as `people`.")
    total: int = strawberry.field(default=0, description="How many there are.")
    active: int = strawberry.field(default=0, description="How many are active.")
    inactive: int = strawberry.field(default=0, description="How many are inactive.")


@strawberry.input(description="People matched, or not, to a role.")
class RoleCountInput:
    role: str = strawberry.field(description="The role.")
    count: int = strawberry.field(default=0, description="How many people.")
    matched: bool = strawberry.field(default=True, description="Matched or unmatched people.")


@strawberry.input(description="A named metric.")
class MetricInput:
    name: str = strawberry.field(description="Its name.")
    value: float = strawberry.field(description="Its value.")
    unit: str | None = strawberry.field(default=None, description="Its unit.")


@strawberry.input(description="What a run or activity processed; counters left out are 0.")
class RunStatisticsInput:
    processed: int = strawberry.field(graphql_type=SafeInt, default=0, description="Records read.")
    added: int = strawberry.field(
        graphql_type=SafeInt, default=0, description="Records or assets added."
    )
    updated: int = strawberry.field(
        graphql_type=SafeInt, default=0, description="Records or assets updated."
    )
    unchanged: int = strawberry.field(
        graphql_type=SafeInt, default=0, description="Records or assets unchanged."
    )
    skipped: int = strawberry.field(
        graphql_type=SafeInt, default=0, description="Records or assets skipped."
    )
    failed: int = strawberry.field(
        graphql_type=SafeInt, default=0, description="Records or assets that failed."
    )
    errors: int = strawberry.field(graphql_type=SafeInt, default=0, description="Records in error.")
    warnings: int = strawberry.field(graphql_type=SafeInt, default=0, description="Warnings.")
    entities: list[EntityCountInput] = strawberry.field(
        default_factory=list, description="Counts per entity."
    )
    roles: list[RoleCountInput] = strawberry.field(
        default_factory=list, description="Counts per role."
    )
    metrics: list[MetricInput] = strawberry.field(
        default_factory=list, description="Other named metrics."
    )

    def to_domain(self) -> models.RunStatistics:
        return models.RunStatistics(
            processed=self.processed,
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
            skipped=self.skipped,
            failed=self.failed,
            errors=self.errors,
            warnings=self.warnings,
            entities=tuple(
                models.EntityCount(
                    entity=e.entity, total=e.total, active=e.active, inactive=e.inactive
                )
                for e in self.entities
            ),
            roles=tuple(
                models.RoleCount(role=r.role, count=r.count, matched=r.matched) for r in self.roles
            ),
            metrics=tuple(
                models.Metric(name=m.name, value=m.value, unit=m.unit) for m in self.metrics
            ),
        )


@strawberry.input(description="One detail of an error.")
class RunErrorDetailInput:
    code: str = strawberry.field(description="Its code.")
    message: str = strawberry.field(description="What went wrong.")
    target: str | None = strawberry.field(default=None, description="What it applies to.")


@strawberry.input(description="An error a run or activity reported.")
class RunErrorInput:
    code: str = strawberry.field(description="The error code.")
    message: str = strawberry.field(description="What went wrong.")
    category: ErrorCategory = strawberry.field(
        default=ErrorCategory.UNKNOWN, description="What kind of failure it is."
    )
    retryable: bool = strawberry.field(default=False, description="True if a retry may succeed.")
    target: str | None = strawberry.field(default=None, description="What it applies to.")
    source_code: str | None = strawberry.field(default=None, description="The platform's code.")
    details: list[RunErrorDetailInput] = strawberry.field(
        default_factory=list, description="More specific errors."
    )

    def to_domain(self) -> RunError:
        return RunError(
            code=self.code,
            message=self.message,
            category=self.category,
            retryable=self.retryable,
            target=self.target,
            source_code=self.source_code,
            details=tuple(
                RunErrorDetail(code=d.code, message=d.message, target=d.target)
                for d in self.details
            ),
        )


@strawberry.input(description="Phase durations in milliseconds; left out ones are derived.")
class DurationsInput:
    queue_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None, default=None, description="Creation to start."
    )
    setup_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None, default=None, description="Setting up."
    )
    execution_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None, default=None, description="Executing."
    )
    cleanup_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None, default=None, description="Cleaning up."
    )
    total_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None, default=None, description="Start to end."
    )

    def to_domain(self) -> models.RunDurations:
        return models.RunDurations(
            queue_ms=self.queue_ms,
            setup_ms=self.setup_ms,
            execution_ms=self.execution_ms,
            cleanup_ms=self.cleanup_ms,
            total_ms=self.total_ms,
        )


@strawberry.input(description="Why and by whom a run was started.")
class TriggerInput:
    type: TriggerType = strawberry.field(default=TriggerType.API, description="Why.")
    invoked_by: str | None = strawberry.field(default=None, description="Who or what.")
    source_type: str | None = strawberry.field(
        default=None, description="The platform's own trigger value."
    )

    def to_domain(self) -> models.Trigger:
        return models.Trigger(
            type=self.type, invoked_by=self.invoked_by, source_type=self.source_type
        )

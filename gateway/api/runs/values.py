"""Value types embedded in runs and activities: statistics, durations, trigger, errors.

Each describes a domain dataclass of the same shape; resolvers return the domain objects as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.api.activities.statistics import activity_statistics
from gateway.api.common.context import Info
from gateway.api.common.node import First
from gateway.api.common.scalars import Milliseconds, SafeInt
from gateway.domain.inbound_totals import inbound_totals
from gateway.domain.run_errors import ErrorCategory
from gateway.domain.sources import TriggerType


@strawberry.type(description="Counts of one entity, such as people (Graph's entity count metric).")
class EntityCount:
    entity: str = strawberry.field(description="The entity counted, such as `people`.")
    total: int = strawberry.field(description="How many there are.")
    active: int = strawberry.field(description="How many are active.")
    inactive: int = strawberry.field(description="How many are inactive.")


@strawberry.type(description="People matched, or not, to a role (Graph's role count metric).")
class RoleCount:
    role: str = strawberry.field(description="The role, such as `student`.")
    count: int = strawberry.field(description="How many people.")
    matched: bool = strawberry.field(description="True for matched people, false for unmatched.")


@strawberry.type(description="A named value in the open statistics log of a run or activity.")
class Metric:
    name: str = strawberry.field(description="The metric's name, such as `rowsCopied`.")
    value: float = strawberry.field(description="Its value.")
    unit: str | None = strawberry.field(description="Its unit, such as `rows` or `bytes`.")


if TYPE_CHECKING:
    from gateway.api.activities.statistics import ActivityStatistics

LazyActivityStatistics = Annotated[
    "ActivityStatistics", strawberry.lazy("gateway.api.activities.statistics")
]


@strawberry.type(
    description="Graph's inbound totals (`aggregatedInboundStatistics`): the active groups, "
    "memberships, organizations and people processed (the `active` counts of the entities of "
    "those names, 0 when absent), and people matched or not to a user, by role."
)
class InboundTotals:
    errors: int = strawberry.field(graphql_type=SafeInt, description="Validation errors.")
    warnings: int = strawberry.field(graphql_type=SafeInt, description="Validation warnings.")
    groups: int = strawberry.field(description="Active groups processed.")
    memberships: int = strawberry.field(description="Active memberships processed.")
    organizations: int = strawberry.field(description="Active organizations processed.")
    people: int = strawberry.field(description="Active people processed.")
    matched_people_by_role: list[RoleCount] = strawberry.field(
        description="Active people matched to a user, by role."
    )
    unmatched_people_by_role: list[RoleCount] = strawberry.field(
        description="Active people not matched to a user, by role."
    )


@strawberry.type(
    description="What a run or activity processed: typed counters, entity and role counts, and "
    "named metrics. A run's counters roll up from its activities."
)
class RunStatistics:
    processed: int = strawberry.field(graphql_type=SafeInt, description="Records read.")
    added: int = strawberry.field(graphql_type=SafeInt, description="Records or assets added.")
    updated: int = strawberry.field(graphql_type=SafeInt, description="Records or assets updated.")
    unchanged: int = strawberry.field(
        graphql_type=SafeInt, description="Records or assets found unchanged."
    )
    skipped: int = strawberry.field(graphql_type=SafeInt, description="Records or assets skipped.")
    failed: int = strawberry.field(
        graphql_type=SafeInt, description="Records or assets that failed."
    )
    errors: int = strawberry.field(
        description="Records removed because required data failed validation (Graph errors)."
    )
    warnings: int = strawberry.field(
        description="Values removed because optional data failed validation (Graph warnings)."
    )
    entities: list[EntityCount] = strawberry.field(description="Counts per entity.")
    roles: list[RoleCount] = strawberry.field(description="Counts of people per role.")
    metrics: list[Metric] = strawberry.field(description="Other named metrics.")

    @strawberry.field(description="Graph's inbound totals, read from these statistics.")
    def inbound_totals(self) -> InboundTotals:
        return inbound_totals(self)  # type: ignore[arg-type,return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="The asset counts in DataZone's shape (`runStatisticsForAssets`): added, "
        "updated, unchanged, skipped, failed."
    )
    def assets(self) -> AssetStatistics:
        return self  # type: ignore[return-value]  # a domain object, served as its GraphQL type

    @strawberry.field(
        description="A run's statistics per activity, the first `first` in run order (Graph's "
        "`activityStatistics`); empty on an activity's own statistics."
    )
    async def activity_statistics(
        self, info: Info, first: First = None
    ) -> list[LazyActivityStatistics]:
        return await activity_statistics(info, getattr(self, "run_id", None), first)


@strawberry.type(
    description="DataZone's asset statistics of a data source run (`runStatisticsForAssets`)."
)
class AssetStatistics:
    added: int = strawberry.field(description="Assets added.")
    updated: int = strawberry.field(description="Assets updated.")
    unchanged: int = strawberry.field(description="Assets unchanged.")
    skipped: int = strawberry.field(description="Assets skipped.")
    failed: int = strawberry.field(description="Assets that failed.")


@strawberry.type(
    description="How long each phase of a run took, in milliseconds; null where unknown.",
)
class RunDurations:
    queue_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None, description="From creation to start."
    )
    setup_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None,
        description="Setting up resources, such as a cluster (Databricks `setup_duration`).",
    )
    execution_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None,
        description="Executing (Databricks `execution_duration`).",
    )
    cleanup_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None,
        description="Cleaning up (Databricks `cleanup_duration`).",
    )
    total_ms: int | None = strawberry.field(
        graphql_type=Milliseconds | None, description="From start to end."
    )


@strawberry.type(name="RunTrigger", description="Why and by whom a run was started.")
class Trigger:
    type: TriggerType = strawberry.field(description="Why the run started.")
    invoked_by: str | None = strawberry.field(
        description="Who or what started it: a person, a schedule's name, a parent run."
    )
    source_type: str | None = strawberry.field(
        description="The platform's own trigger value, such as Databricks `PERIODIC`."
    )


@strawberry.type(description="One detail of a run error (Graph's `publicErrorDetail`).")
class RunErrorDetail:
    code: str = strawberry.field(description="The detail's code.")
    message: str = strawberry.field(description="What went wrong.")
    target: str | None = strawberry.field(description="What it applies to.")


@strawberry.type(
    description="An error a run or activity reported: Graph's `publicError`, with a category and "
    "retryability that are the same across platforms."
)
class RunError:
    code: str = strawberry.field(description="The error code, as the platform reported it.")
    message: str = strawberry.field(description="What went wrong.")
    category: ErrorCategory = strawberry.field(description="What kind of failure it is.")
    retryable: bool = strawberry.field(description="True when retrying as is may succeed.")
    target: str | None = strawberry.field(description="What the error applies to.")
    source_code: str | None = strawberry.field(
        description="The platform's own code: DataZone `errorType`, Databricks termination code."
    )
    details: list[RunErrorDetail] = strawberry.field(description="More specific errors.")
    inner_error: RunError | None = strawberry.field(description="The error that caused this one.")

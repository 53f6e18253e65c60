"""Graph's `activityStatistics` of a run's statistics: one entry per activity, read through the
activity pages loader (one statement for every run of a request), a page (`first`) per run; the
query cost limit counts it like a connection."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.api.common.context import Info
from gateway.domain import models
from gateway.domain.paging import PageRequest
from gateway.domain.status import RunStatus
from gateway.store import activities

if TYPE_CHECKING:
    from gateway.api.runs.values import RunStatistics

LazyStatistics = Annotated["RunStatistics", strawberry.lazy("gateway.api.runs.values")]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOwnedStatistics(models.RunStatistics):
    """A run's statistics with the run's id, so its activity statistics can be looked up."""

    run_id: str

    @classmethod
    def of(cls, run: models.Run) -> RunOwnedStatistics:
        s = run.statistics
        return cls(run_id=run.id, **{f.name: getattr(s, f.name) for f in fields(s)})


@strawberry.type(
    description="The statistics of one activity of a run (Graph's `industryDataActivityStatistics`"
    " and `inboundActivityResults`)."
)
class ActivityStatistics:
    activity_id: strawberry.ID = strawberry.field(description="The activity's id.")
    key: str = strawberry.field(description="The activity's key in its run.")
    display_name: str = strawberry.field(description="The activity's name.")
    status: RunStatus = strawberry.field(description="The activity's status.")
    statistics: LazyStatistics = strawberry.field(description="What the activity processed.")


async def activity_statistics(
    info: Info, run_id: str | None, first: int | None
) -> list[ActivityStatistics]:
    request = PageRequest.from_arguments(first)
    if run_id is None:
        return []
    key = (run_id, request, activities.IN_RUN_ORDER)
    page = await info.context.loaders.activity_page.load(key)
    return [
        ActivityStatistics(
            activity_id=strawberry.ID(a.id),
            key=a.key,
            display_name=a.display_name,
            status=a.status,
            statistics=a.statistics,  # type: ignore[arg-type]  # a domain object, served as its GraphQL type
        )
        for a in page.items
    ]

"""Run changes as GraphQL: the `RunChange` a subscriber receives, the page of the `runChanges`
delta query, and the arguments both take."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry

from gateway.api.common.lists import RUN_LIST, ListArguments, list_query
from gateway.api.common.where import RunWhere
from gateway.api.runs.types import Run
from gateway.domain.auth import Workspaces
from gateway.domain.change_cursors import encode_change_cursor
from gateway.domain.models import RunChangeKind
from gateway.domain.status import RunStatus
from gateway.store.changes import Change, FilterKey
from gateway.store.protocol import Dialect

ChangesAfter = Annotated[
    str | None,
    strawberry.argument(
        description="Only changes after this cursor (a change's `cursor`, or a page's "
        "`cursor`). Changes are kept, so a client that reconnects with its last cursor misses "
        "none and receives none twice."
    ),
]
ChangesWhere = Annotated[
    RunWhere | None,
    strawberry.argument(
        description="Only changes to runs that match this typed filter; ANDed with `filter`."
    ),
]


def filter_key(
    filter: str | None,
    where: RunWhere | None,
    workspaces: Workspaces,
    dialect: Dialect = Dialect.SQLITE,
) -> FilterKey:
    """The compiled conditions of the `runs` list for these arguments, inside the caller's
    workspaces (typed errors if bad), in the SQL of the store's engine."""
    return list_query(RUN_LIST, workspaces, ListArguments(filter, where)).in_dialect(dialect).where


@strawberry.type(
    description="A change to a run: created, updated, or deleted (a tombstone). Filters match "
    "the run's state when the change is delivered; a deleted run's last state."
)
class RunChange:
    cursor: str = strawberry.field(
        description="Where this change is in the history: pass it as `after` to resume after it."
    )
    kind: RunChangeKind = strawberry.field(description="What happened to the run.")
    run_id: strawberry.ID = strawberry.field(description="The run's id (also when it is deleted).")
    run: Run | None = strawberry.field(
        description="The run as it is when the change is delivered; null once it is deleted."
    )
    from_status: RunStatus | None = strawberry.field(
        description="The status before the change; null when the run was created."
    )
    to_status: RunStatus | None = strawberry.field(
        description="The status after the change; null when the run was deleted."
    )
    at: datetime = strawberry.field(description="When the change happened.")

    @strawberry.field(
        description="The status before the change; null when the run was created.",
        deprecation_reason="Use `fromStatus`. One name per concept: the status before a change "
        "is `fromStatus` everywhere (as on `RunEvent` and `InvalidTransitionError`).",
    )
    def previous_status(self) -> RunStatus | None:
        return self.from_status

    @strawberry.field(
        description="The status after the change; null when the run was deleted.",
        deprecation_reason="Use `toStatus`, the pair of `fromStatus` (as on `RunEvent`).",
    )
    def status(self) -> RunStatus | None:
        return self.to_status

    @classmethod
    def of(cls, change: Change) -> RunChange:
        event = change.event
        return cls(
            cursor=encode_change_cursor(event.seq, event.run_id),
            kind=event.kind,
            run_id=strawberry.ID(event.run_id),
            run=change.run,  # type: ignore[arg-type]  # a domain object, served as its GraphQL type
            from_status=event.from_status,
            to_status=event.to_status,
            at=event.at,
        )


@strawberry.type(
    description="Changes since a cursor, for clients without WebSockets (OData's delta link): "
    "call again with `cursor` as `after`."
)
class RunChangePage:
    changes: list[RunChange] = strawberry.field(description="The changes, oldest first.")
    cursor: str = strawberry.field(
        description="Pass as `after` to get the changes that follow. It moves past changes the "
        "filter skipped, so the next call does not read them again."
    )
    has_more: bool = strawberry.field(
        description="True when more changes follow now; false when the page reached the newest."
    )

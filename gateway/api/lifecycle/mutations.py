"""Lifecycle mutations: start, progress, cancel, retry, and bulk cancel or delete of runs.

Each is one transaction (see `gateway.services.lifecycle`) and returns a union of its payload and the
typed errors it can meet; on an error nothing was changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from gateway.api.activities.types import Activity
from gateway.api.auth.access import requires
from gateway.api.common.context import Info
from gateway.api.common.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    InvalidTransitionError,
    NotFoundError,
    PlatformError,
    PreconditionFailedError,
    ProcessNotReadyError,
    ThrottledError,
    ValidationError,
    expected_errors,
)
from gateway.api.common.lists import RUN_LIST, ListArguments, list_query
from gateway.api.common.node import Filter, IfMatch, TargetId
from gateway.api.common.where import RunWhere
from gateway.api.lifecycle.inputs import RetryRunInput, StartRunInput, UpdateActivityInput
from gateway.api.runs.types import Run
from gateway.domain import exceptions
from gateway.domain.auth import Scope, Workspaces
from gateway.domain.status import RunStatus
from gateway.services import bulk, forwarding, lifecycle
from gateway.store.paging import ListQuery

BulkWhere = Annotated[
    RunWhere | None,
    strawberry.argument(description="The same filter as typed input; ANDed with `filter`."),
]
DryRun = Annotated[
    bool,
    strawberry.argument(
        description="True to change nothing and report what would change: the count, a sample "
        "and the outcome per run."
    ),
]


@strawberry.type(description="The run was started (or, replayed, had been started before).")
class StartRunPayload:
    run: Run = strawberry.field(description="The run, as it is now.")
    replayed: bool = strawberry.field(
        description="True when the idempotency key was seen before: this is the first "
        "request's run, and no new run was started."
    )


@strawberry.type(description="The activity was changed; its run followed.")
class UpdateActivityPayload:
    activity: Activity = strawberry.field(description="The activity as it is now.")
    run: Run = strawberry.field(description="Its run, with status and statistics rolled up.")


@strawberry.type(description="The cancel was accepted.")
class CancelRunPayload:
    run: Run = strawberry.field(
        description="The run: CANCELLING while activities still run, CANCELLED once none does."
    )


@strawberry.type(description="A new attempt of the run was started.")
class RetryRunPayload:
    run: Run = strawberry.field(
        description="The new attempt, now the latest; for a run its platform repairs in place "
        "(Databricks `runs/repair`), the same run, PENDING again."
    )
    replayed: bool = strawberry.field(
        description="True when the idempotency key was seen before and no new run was started."
    )


@strawberry.type(description="What a bulk change did, or would do, to one run.")
class BulkRunOutcome:
    run_id: strawberry.ID = strawberry.field(description="The run's id.")
    changed: bool = strawberry.field(description="True when the run is (or would be) changed.")
    status: RunStatus = strawberry.field(description="The run's status after the change.")
    reason: str | None = strawberry.field(description="Why the run was left alone, if it was.")


@strawberry.type(description="The result of a bulk change of the runs a filter matches.")
class BulkRunsPayload:
    dry_run: bool = strawberry.field(description="True when nothing was changed.")
    matched: int = strawberry.field(description="How many runs the filter matched.")
    changed: int = strawberry.field(description="How many runs were (or would be) changed.")
    sample: list[Run] = strawberry.field(
        description=f"The first {bulk.BULK_SAMPLE} changed runs, as they are after the "
        "change (as they are now, on a dry run)."
    )
    outcomes: list[BulkRunOutcome] = strawberry.field(description="One outcome per matched run.")


StartRunResult = Annotated[
    ForbiddenError
    | StartRunPayload
    | NotFoundError
    | ValidationError
    | ProcessNotReadyError
    | ThrottledError
    | IdempotencyKeyReusedError
    | PlatformError,
    strawberry.union("StartRunResult", description="The started run, or why not."),
]
UpdateActivityResult = Annotated[
    ForbiddenError
    | UpdateActivityPayload
    | NotFoundError
    | ValidationError
    | PreconditionFailedError
    | InvalidTransitionError,
    strawberry.union("UpdateActivityResult", description="The changed activity, or why not."),
]
CancelRunResult = Annotated[
    ForbiddenError
    | CancelRunPayload
    | NotFoundError
    | PreconditionFailedError
    | InvalidTransitionError
    | PlatformError,
    strawberry.union("CancelRunResult", description="The cancelled run, or why not."),
]
RetryRunResult = Annotated[
    ForbiddenError
    | RetryRunPayload
    | NotFoundError
    | ValidationError
    | InvalidTransitionError
    | ConflictError
    | IdempotencyKeyReusedError
    | PlatformError,
    strawberry.union("RetryRunResult", description="The new attempt, or why not."),
]
BulkRunsResult = Annotated[
    ForbiddenError | BulkRunsPayload | ValidationError,
    strawberry.union("BulkRunsResult", description="What the bulk change did, or why not."),
]


def _bulk_query(filter: str | None, where: RunWhere | None, workspaces: Workspaces) -> ListQuery:
    if (filter is None or not filter.strip()) and where is None:
        raise exceptions.ValidationError(
            "filter",
            "a bulk change needs a filter or where, so that no run is changed by accident.",
        )
    return list_query(RUN_LIST, workspaces, ListArguments(filter, where))


async def _bulk(
    info: Info,
    change: Callable[..., Awaitable[bulk.BulkResult]],
    filter: str | None,
    where: RunWhere | None,
    dry_run: bool,
) -> BulkRunsResult:
    """A bulk change over the runs `filter` and `where` select in the caller's workspaces."""
    query = _bulk_query(filter, where, info.context.workspaces)
    result = await change(info.context.db, query, dry_run=dry_run, actor=info.context.actor)
    return _bulk_payload(result)


def _bulk_payload(result: bulk.BulkResult) -> BulkRunsPayload:
    changed = [o for o in result.outcomes if o.changed]
    return BulkRunsPayload(
        dry_run=result.dry_run,
        matched=result.matched,
        changed=result.changed,
        sample=[o.run for o in changed[: bulk.BULK_SAMPLE]],  # type: ignore[misc]  # a domain object, served as its GraphQL type
        outcomes=[
            BulkRunOutcome(
                run_id=strawberry.ID(o.run.id), changed=o.changed, status=o.status, reason=o.reason
            )
            for o in result.outcomes
        ],
    )


@strawberry.type(description="Writes that drive runs through their lifecycle.")
class LifecycleMutation:
    @strawberry.mutation(
        description="Start a run of a READY process now, with one activity per enabled activity "
        "definition; returns the run (and its id) at once, or after `wait` seconds."
    )
    @requires(Scope.RUNS_START)
    @expected_errors
    async def start_run(
        self,
        info: Info,
        input: Annotated[StartRunInput, strawberry.argument(description="What to start.")],
    ) -> StartRunResult:
        db = info.context.db
        started = await forwarding.start_run(
            db,
            str(input.process_id),
            input.to_options(),
            info.context.actor,
            idempotency_key=input.idempotency_key,
        )
        run = await lifecycle.wait_until_finished(db, started.run, input.wait)
        return StartRunPayload(run=run, replayed=started.replayed)  # type: ignore[arg-type]  # a domain object, served as its GraphQL type

    @strawberry.mutation(
        description="Report an activity's progress (status, times, counters, warnings, errors, "
        "blocking error). The run's status, times and statistics roll up from its activities."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def update_activity(
        self,
        info: Info,
        id: TargetId,
        input: Annotated[UpdateActivityInput, strawberry.argument(description="The changes.")],
        if_match: IfMatch = None,
    ) -> UpdateActivityResult:
        activity, run = await lifecycle.update_activity(
            info.context.db, str(id), input.to_patch(), if_match, info.context.actor
        )
        return UpdateActivityPayload(activity=activity, run=run)  # type: ignore[arg-type]  # a domain object, served as its GraphQL type

    @strawberry.mutation(
        description="Cancel an active run: activities not started are cancelled at once; the "
        "run is CANCELLING until its running activities stop, then CANCELLED."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def cancel_run(
        self,
        info: Info,
        id: TargetId,
        reason: Annotated[
            str | None, strawberry.argument(description="Why, for the run's history.")
        ] = None,
        if_match: IfMatch = None,
    ) -> CancelRunResult:
        run = await forwarding.cancel_run(
            info.context.db, str(id), reason, if_match, info.context.actor
        )
        return CancelRunPayload(run=run)  # type: ignore[arg-type]  # a domain object, served as its GraphQL type

    @strawberry.mutation(
        description="Start a new attempt of a finished run (its latest attempt): "
        "`attemptNumber` + 1, linked to the first and previous attempts; the whole run, or "
        "from failure."
    )
    @requires(Scope.RUNS_START)
    @expected_errors
    async def retry_run(
        self,
        info: Info,
        id: TargetId,
        input: Annotated[
            RetryRunInput | None, strawberry.argument(description="How to retry.")
        ] = None,
    ) -> RetryRunResult:
        input = input or RetryRunInput()
        db = info.context.db
        started = await forwarding.retry_run(
            db,
            str(id),
            from_failure=input.from_failure,
            options=input.to_options(),
            actor=info.context.actor,
            idempotency_key=input.idempotency_key,
        )
        run = await lifecycle.wait_until_finished(db, started.run, input.wait)
        return RetryRunPayload(run=run, replayed=started.replayed)  # type: ignore[arg-type]  # a domain object, served as its GraphQL type

    @strawberry.mutation(
        description="Cancel every active run a filter matches (at most "
        f"{bulk.MAX_BULK_RUNS}), in one transaction; finished runs are reported and left "
        "alone."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def cancel_runs(
        self, info: Info, filter: Filter = None, where: BulkWhere = None, dry_run: DryRun = False
    ) -> BulkRunsResult:
        return await _bulk(info, bulk.cancel_runs, filter, where, dry_run)

    @strawberry.mutation(
        description="Delete every finished run a filter matches (at most "
        f"{bulk.MAX_BULK_RUNS}) with its activities, in one transaction; active runs are "
        "reported and left alone. The history keeps a DELETED tombstone per run."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def delete_runs(
        self, info: Info, filter: Filter = None, where: BulkWhere = None, dry_run: DryRun = False
    ) -> BulkRunsResult:
        return await _bulk(info, bulk.delete_runs, filter, where, dry_run)

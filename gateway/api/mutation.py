"""The root `Mutation` type. Each mutation is one transaction and returns a union of its payload
and the typed errors it can meet; on an error nothing was changed. Each declares the scope it
needs with `@requires` (its union includes `ForbiddenError`) and passes `info.context.actor`, whose
workspaces confine what the command may touch."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.auth.access import requires
from gateway.api.common.context import Info
from gateway.api.common.errors import (
    ConflictError,
    ForbiddenError,
    IdempotencyKeyReusedError,
    InvalidTransitionError,
    LaterAttemptExistsError,
    NotFoundError,
    PreconditionFailedError,
    ValidationError,
    expected_errors,
)
from gateway.api.common.node import IfMatch, TargetId
from gateway.api.connections.mutations import ConnectionMutation
from gateway.api.lifecycle.mutations import LifecycleMutation
from gateway.api.processes.inputs import CreateProcessInput, UpdateProcessInput
from gateway.api.processes.types import Process
from gateway.api.runs.inputs import CreateRunInput, UpdateRunInput
from gateway.api.runs.types import Run
from gateway.domain.auth import Scope
from gateway.services import processes as process_service
from gateway.services import runs as run_service
from gateway.store.workspaces import DEFAULT_WORKSPACE_ID


@strawberry.type(description="The process was created, or found by its identity or key.")
class CreateProcessPayload:
    process: Process = strawberry.field(
        description="The new process, or the existing one (`created` is false)."
    )
    created: bool = strawberry.field(
        description="True when this request made the process; false when it existed already "
        "(`ifExists`) or the idempotency key was seen before."
    )
    replayed: bool = strawberry.field(
        description="True when the idempotency key was seen before: this is the first result."
    )


@strawberry.type(description="The process was changed.")
class UpdateProcessPayload:
    process: Process = strawberry.field(description="The process as it is now.")


@strawberry.type(description="The process was deleted.")
class DeleteProcessPayload:
    deleted_process_id: strawberry.ID = strawberry.field(description="The deleted process's id.")


@strawberry.type(description="The run was recorded.")
class CreateRunPayload:
    run: Run = strawberry.field(description="The new run, with its activities.")


@strawberry.type(description="The run was changed.")
class UpdateRunPayload:
    run: Run = strawberry.field(description="The run as it is now.")


@strawberry.type(
    description="The run and its activities were deleted; its history keeps a tombstone."
)
class DeleteRunPayload:
    deleted_run_id: strawberry.ID = strawberry.field(description="The deleted run's id.")


CreateProcessResult = Annotated[
    CreateProcessPayload
    | ValidationError
    | ConflictError
    | IdempotencyKeyReusedError
    | ForbiddenError,
    strawberry.union("CreateProcessResult", description="The new process, or why not."),
]
UpdateProcessResult = Annotated[
    UpdateProcessPayload
    | NotFoundError
    | ValidationError
    | PreconditionFailedError
    | ForbiddenError,
    strawberry.union("UpdateProcessResult", description="The changed process, or why not."),
]
DeleteProcessResult = Annotated[
    DeleteProcessPayload | NotFoundError | PreconditionFailedError | ConflictError | ForbiddenError,
    strawberry.union("DeleteProcessResult", description="The deleted process's id, or why not."),
]
CreateRunResult = Annotated[
    CreateRunPayload | ValidationError | ConflictError | ForbiddenError,
    strawberry.union("CreateRunResult", description="The new run, or why not."),
]
UpdateRunResult = Annotated[
    UpdateRunPayload
    | NotFoundError
    | ValidationError
    | PreconditionFailedError
    | InvalidTransitionError
    | ForbiddenError,
    strawberry.union("UpdateRunResult", description="The changed run, or why not."),
]
DeleteRunResult = Annotated[
    DeleteRunPayload
    | NotFoundError
    | PreconditionFailedError
    | InvalidTransitionError
    | LaterAttemptExistsError
    | ForbiddenError,
    strawberry.union("DeleteRunResult", description="The deleted run's id, or why not."),
]


@strawberry.type(description="Writes: processes and runs.")
class Mutation(LifecycleMutation, ConnectionMutation):
    @strawberry.mutation(
        description="Create a process; safe to re-run with `ifExists` (by `sourceId`) or an "
        "`idempotencyKey`."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def create_process(
        self,
        info: Info,
        input: Annotated[CreateProcessInput, strawberry.argument(description="The process.")],
    ) -> CreateProcessResult:
        spec = input.to_spec(info.context.principal.default_workspace(DEFAULT_WORKSPACE_ID))
        made = await process_service.create_process(
            info.context.db,
            spec,
            info.context.actor,
            if_exists=input.if_exists,
            idempotency_key=input.idempotency_key,
        )
        return CreateProcessPayload(
            process=made.process,  # type: ignore[arg-type]  # a domain object, served as its GraphQL type
            created=made.created,
            replayed=made.replayed,
        )

    @strawberry.mutation(description="Change a process.")
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def update_process(
        self,
        info: Info,
        id: TargetId,
        input: Annotated[UpdateProcessInput, strawberry.argument(description="The changes.")],
        if_match: IfMatch = None,
    ) -> UpdateProcessResult:
        process = await process_service.update_process(
            info.context.db, str(id), input.to_patch(), if_match, info.context.actor
        )
        return UpdateProcessPayload(process=process)  # type: ignore[arg-type]  # a domain object, served as its GraphQL type

    @strawberry.mutation(
        description="Delete a process that has no runs (delete its runs first, so no history "
        "is lost by accident)."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def delete_process(
        self, info: Info, id: TargetId, if_match: IfMatch = None
    ) -> DeleteProcessResult:
        await process_service.delete_process(info.context.db, str(id), if_match, info.context.actor)
        return DeleteProcessPayload(deleted_process_id=id)

    @strawberry.mutation(
        description="Record a run that started elsewhere, with its activities, in one step."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def create_run(
        self,
        info: Info,
        input: Annotated[CreateRunInput, strawberry.argument(description="The run.")],
    ) -> CreateRunResult:
        run, _ = await run_service.create_run(
            info.context.db, str(input.process_id), input.to_spec(), info.context.actor
        )
        return CreateRunPayload(run=run)  # type: ignore[arg-type]  # a domain object, served as its GraphQL type

    @strawberry.mutation(
        description="Change a run: its status, times, statistics, error or platform fields. A "
        "finished run keeps its status."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def update_run(
        self,
        info: Info,
        id: TargetId,
        input: Annotated[UpdateRunInput, strawberry.argument(description="The changes.")],
        if_match: IfMatch = None,
    ) -> UpdateRunResult:
        run = await run_service.update_run(
            info.context.db, str(id), input.to_patch(), if_match, info.context.actor
        )
        return UpdateRunPayload(run=run)  # type: ignore[arg-type]  # a domain object, served as its GraphQL type

    @strawberry.mutation(
        description="Delete a finished run and its activities; its history keeps a DELETED "
        "tombstone. A run that a later attempt retries is kept (delete the later attempts "
        "first); deleting the latest attempt makes the one before it the latest again."
    )
    @requires(Scope.RUNS_WRITE)
    @expected_errors
    async def delete_run(
        self, info: Info, id: TargetId, if_match: IfMatch = None
    ) -> DeleteRunResult:
        await run_service.delete_run(info.context.db, str(id), if_match, info.context.actor)
        return DeleteRunPayload(deleted_run_id=id)

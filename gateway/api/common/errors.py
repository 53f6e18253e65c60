"""Expected errors as schema types (mutation results are unions of a payload and these), the one
registry that maps the gateway's exceptions to them (`SCHEMA_ERRORS`), and the one way a mutation
uses it (`@expected_errors`)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, TypeVar, cast

import strawberry

from gateway.domain import exceptions
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.odata import ODataError
from gateway.platforms import errors as platform_errors

P = ParamSpec("P")
R = TypeVar("R")


@strawberry.interface(description="An expected error a mutation can return instead of its payload.")
class Error:
    code: str = strawberry.field(description="A stable, machine-readable code.")
    message: str = strawberry.field(description="What went wrong and what to do, for people.")


@strawberry.type(description="The record does not exist, or the caller may not see it.")
class NotFoundError(Error):
    id: strawberry.ID = strawberry.field(description="The id that was not found.")


@strawberry.type(description="An input value is invalid; nothing was changed.")
class ValidationError(Error):
    field: str = strawberry.field(
        description="The path of the offending input field, such as `activities[2].key`."
    )


@strawberry.type(
    description="`ifMatch` is not the record's current eTag: someone changed it since it was "
    "read. Nothing was changed; read it again and retry."
)
class PreconditionFailedError(Error):
    id: strawberry.ID = strawberry.field(description="The record's id.")
    current_e_tag: str = strawberry.field(description="The record's current eTag.")


@strawberry.type(description="The change conflicts with the current state or another record.")
class ConflictError(Error):
    existing_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The id of the record already in the way (such as the process with the "
        "same `sourceId`), when the conflict is with one.",
    )


@strawberry.type(description="The status change is not allowed; nothing was changed.")
class InvalidTransitionError(Error):
    from_status: RunStatus = strawberry.field(description="The current status.")
    to_status: RunStatus = strawberry.field(description="The status asked for.")

    @strawberry.field(
        name="from",
        description="The current status.",
        deprecation_reason="Use `fromStatus`. One name per concept: the status before a change "
        "is `fromStatus` everywhere (as on `RunEvent` and `RunChange`).",
    )
    def from_(self) -> RunStatus:
        return self.from_status

    @strawberry.field(
        name="to",
        description="The status asked for.",
        deprecation_reason="Use `toStatus`, the pair of `fromStatus`.",
    )
    def to(self) -> RunStatus:
        return self.to_status


@strawberry.type(
    description="A later attempt retries this run, so deleting it would leave that attempt "
    "without its original or previous attempt. Nothing was changed; delete the later attempts "
    "first, newest first."
)
class LaterAttemptExistsError(Error):
    id: strawberry.ID = strawberry.field(description="The run that was to be deleted.")
    later_attempt_run_id: strawberry.ID = strawberry.field(
        description="The latest attempt that retries it."
    )
    later_attempt_number: int = strawberry.field(description="That attempt's number.")


@strawberry.type(
    description="The idempotency key was already used with a different input; nothing was "
    "changed. Use a new key, or resend exactly the first input to get its result."
)
class IdempotencyKeyReusedError(Error):
    key: str = strawberry.field(description="The reused key.")


@strawberry.type(description="The process's throttle allows no more runs now; nothing was changed.")
class ThrottledError(Error):
    retry_after: int = strawberry.field(description="Seconds until a run may start again.")


@strawberry.type(description="The process is not READY (disabled, failed, ...); no run started.")
class ProcessNotReadyError(Error):
    id: strawberry.ID = strawberry.field(description="The process's id.")
    readiness_status: ReadinessStatus = strawberry.field(
        description="The process's readiness status."
    )


@strawberry.type(
    description="The caller's token lacks the scope this operation needs; nothing was changed."
)
class ForbiddenError(Error):
    required_scope: str = strawberry.field(
        description="The scope the operation needs, such as `runs:write`."
    )


def _not_found(exc: exceptions.NotFoundError) -> Error:
    return NotFoundError(code=exc.code, message=exc.message, id=strawberry.ID(exc.id))


def _validation(exc: exceptions.ValidationError) -> Error:
    return ValidationError(code=exc.code, message=exc.message, field=exc.field)


def _bad_filter(exc: ODataError) -> Error:
    """A filter the query language refused: only bulk changes compile one in a mutation."""
    return ValidationError(code=exc.code.value, message=exc.render(), field="filter")


def _precondition(exc: exceptions.PreconditionFailedError) -> Error:
    return PreconditionFailedError(
        code=exc.code,
        message=exc.message,
        id=strawberry.ID(exc.id),
        current_e_tag=exc.current_e_tag,
    )


def _transition(exc: exceptions.InvalidTransitionError) -> Error:
    return InvalidTransitionError(
        code=exc.code, message=exc.message, from_status=exc.from_status, to_status=exc.to_status
    )


def _conflict(exc: exceptions.ConflictError) -> Error:
    existing = exc.existing_id
    return ConflictError(
        code=exc.code,
        message=exc.message,
        existing_id=strawberry.ID(existing) if existing is not None else None,
    )


def _later_attempt(exc: exceptions.LaterAttemptExistsError) -> Error:
    return LaterAttemptExistsError(
        code=exc.code,
        message=exc.message,
        id=strawberry.ID(exc.id),
        later_attempt_run_id=strawberry.ID(exc.later_id),
        later_attempt_number=exc.later_attempt_number,
    )


def _key_reused(exc: exceptions.IdempotencyKeyReusedError) -> Error:
    return IdempotencyKeyReusedError(code=exc.code, message=exc.message, key=exc.key)


def _throttled(exc: exceptions.ThrottledError) -> Error:
    return ThrottledError(code=exc.code, message=exc.message, retry_after=exc.retry_after_seconds)


def _not_ready(exc: exceptions.ProcessNotReadyError) -> Error:
    return ProcessNotReadyError(
        code=exc.code, message=exc.message, id=strawberry.ID(exc.id), readiness_status=exc.readiness
    )


@strawberry.type(
    description="The platform a connection forwards to refused the change or could not be "
    "reached; nothing was recorded as done that the platform did not do."
)
class PlatformError(Error):
    connection: str = strawberry.field(description="The name of the connection that was used.")
    platform_code: str | None = strawberry.field(
        description="The platform's own error code, when it gave one (such as `INVALID_STATE`)."
    )


def _platform(exc: platform_errors.PlatformError) -> Error:
    code = exc.platform_code if isinstance(exc, platform_errors.PlatformRefusedError) else None
    return PlatformError(
        code=exc.code, message=exc.message, connection=exc.connection, platform_code=code
    )


# The one registry: each expected exception and the schema error type a mutation answers with.
# Anything not here (StoreError, a defect) is raised on and masked.
SCHEMA_ERRORS: dict[type[Exception], Callable[[Any], Error]] = {
    exceptions.NotFoundError: _not_found,
    exceptions.ValidationError: _validation,
    ODataError: _bad_filter,
    exceptions.PreconditionFailedError: _precondition,
    exceptions.InvalidTransitionError: _transition,
    exceptions.ConflictError: _conflict,
    exceptions.LaterAttemptExistsError: _later_attempt,
    exceptions.IdempotencyKeyReusedError: _key_reused,
    exceptions.ThrottledError: _throttled,
    exceptions.ProcessNotReadyError: _not_ready,
    platform_errors.PlatformError: _platform,
}


def to_error(exc: BaseException) -> Error | None:
    """The schema error of an expected exception (its nearest registered class), or None."""
    for cls in type(exc).__mro__:
        make = SCHEMA_ERRORS.get(cls)
        if make is not None:
            return make(exc)
    return None


def expected_errors(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Make a mutation resolver answer an expected exception with its schema error type (from
    `SCHEMA_ERRORS`) instead of its payload; nothing was changed (every use case is one
    transaction). The resolver's result union must include the error types it can meet."""

    @functools.wraps(resolver)
    async def answered(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except Exception as exc:
            error = to_error(exc)
            if error is None:
                raise
            return cast(R, error)  # an error type is one of the result union's members

    ANSWERING.add(answered)
    return answered


ANSWERING: set[Callable[..., Any]] = set()
"""The resolvers `@expected_errors` made (a test checks every mutation is one)."""


def answers_expected_errors(resolver: Callable[..., Any]) -> bool:
    """Whether `resolver`, or a function it wraps, is made by `@expected_errors`."""
    current: Any = resolver
    while current is not None:
        if current in ANSWERING:
            return True
        current = getattr(current, "__wrapped__", None)
    return False

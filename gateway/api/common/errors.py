"""Expected errors as schema types (mutation results are unions of a payload and these), and
the conversion of the gateway's exceptions into them."""

from __future__ import annotations

import strawberry

from gateway.domain import exceptions
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.platforms import errors as platform_errors


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
    pass


@strawberry.type(description="The status change is not allowed; nothing was changed.")
class InvalidTransitionError(Error):
    from_status: RunStatus = strawberry.field(description="The current status.", name="from")
    to_status: RunStatus = strawberry.field(description="The status asked for.", name="to")


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


@strawberry.type(
    description="The platform a connection forwards to refused the change or could not be "
    "reached; nothing was recorded as done that the platform did not do."
)
class PlatformError(Error):
    connection: str = strawberry.field(description="The name of the connection that was used.")
    platform_code: str | None = strawberry.field(
        description="The platform's own error code, when it gave one (such as `INVALID_STATE`)."
    )


def to_error(exc: exceptions.GatewayError) -> Error:
    """The schema type of an expected error; anything else is re-raised and masked."""
    if isinstance(exc, exceptions.NotFoundError):
        return NotFoundError(code=exc.code, message=exc.message, id=strawberry.ID(exc.id))
    if isinstance(exc, exceptions.ValidationError):
        return ValidationError(code=exc.code, message=exc.message, field=exc.field)
    if isinstance(exc, exceptions.PreconditionFailedError):
        return PreconditionFailedError(
            code=exc.code,
            message=exc.message,
            id=strawberry.ID(exc.id),
            current_e_tag=exc.current_e_tag,
        )
    if isinstance(exc, exceptions.InvalidTransitionError):
        return InvalidTransitionError(
            code=exc.code,
            message=exc.message,
            from_status=exc.from_status,
            to_status=exc.to_status,
        )
    if isinstance(exc, exceptions.ConflictError):
        return ConflictError(code=exc.code, message=exc.message)
    if isinstance(exc, exceptions.IdempotencyKeyReusedError):
        return IdempotencyKeyReusedError(code=exc.code, message=exc.message, key=exc.key)
    if isinstance(exc, exceptions.ThrottledError):
        return ThrottledError(
            code=exc.code, message=exc.message, retry_after=exc.retry_after_seconds
        )
    if isinstance(exc, exceptions.ProcessNotReadyError):
        return ProcessNotReadyError(
            code=exc.code,
            message=exc.message,
            id=strawberry.ID(exc.id),
            readiness_status=exc.readiness,
        )
    if isinstance(exc, platform_errors.PlatformError):
        code = exc.platform_code if isinstance(exc, platform_errors.PlatformRefusedError) else None
        return PlatformError(
            code=exc.code, message=exc.message, connection=exc.connection, platform_code=code
        )
    raise exc


EXPECTED = (
    exceptions.NotFoundError,
    exceptions.ValidationError,
    exceptions.PreconditionFailedError,
    exceptions.InvalidTransitionError,
    exceptions.ConflictError,
    exceptions.IdempotencyKeyReusedError,
    exceptions.ThrottledError,
    exceptions.ProcessNotReadyError,
    platform_errors.PlatformError,
)

"""Scopes, checked in two places: every query and subscription needs `runs:read` (the
`ReadAccess` extension, before anything runs), and every mutation declares the scope it needs
with `@requires(...)`, answering `ForbiddenError` without it. Workspaces are not checked here:
lists are confined in `build_query` (through `api.common.lists`), lookups in the loaders, and
changes in the services.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, ParamSpec, TypeVar, cast

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.api.common.errors import ForbiddenError
from gateway.domain.auth import OPEN, Principal, Scope

P = ParamSpec("P")
R = TypeVar("R")

READ_OPERATIONS = (OperationType.QUERY, OperationType.SUBSCRIPTION)
REQUIRED_SCOPES: dict[Callable[..., Any], Scope] = {}
"""The scope each `@requires` resolver needs (a test checks every mutation declares one)."""


def principal_of(context: Any) -> Principal:
    return getattr(context, "principal", OPEN)


def forbidden(scope: Scope) -> ForbiddenError:
    return ForbiddenError(
        code="FORBIDDEN",
        message=f"This needs a token with the {scope.value} scope.",
        required_scope=scope.value,
    )


def requires(scope: Scope) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Mark a mutation resolver as needing `scope`; without it the mutation returns
    `ForbiddenError` (its result union must include it) and does nothing."""

    def decorate(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(resolver)
        async def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            if not principal_of(getattr(kwargs["info"], "context", None)).has(scope):
                return cast(R, forbidden(scope))  # ForbiddenError is in every result union
            return await resolver(*args, **kwargs)

        REQUIRED_SCOPES[guarded] = scope
        return guarded

    return decorate


class ReadAccess(SchemaExtension):
    """Refuse queries and subscriptions to callers without `runs:read`, before they run."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.operation_type in READ_OPERATIONS and not principal_of(context.context).has(
            Scope.RUNS_READ
        ):
            # Raised, not set as the result: strawberry answers it for subscriptions too.
            raise GraphQLError(
                f"Reading needs a token with the {Scope.RUNS_READ.value} scope.",
                extensions={"code": "FORBIDDEN", "requiredScope": Scope.RUNS_READ.value},
            )
        yield

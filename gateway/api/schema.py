"""The schema object, and the SDL printed from it (the `schema.graphql` contract)."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import AddValidationRules
from strawberry.types import ExecutionContext

from gateway.api.activities.types import ACTIVITY_TYPES
from gateway.api.auth.access import ReadAccess
from gateway.api.auth.masking import GatewayErrors, log_errors
from gateway.api.auth.workspaces import Workspace
from gateway.api.common.limits import QueryBudget, QueryLimits
from gateway.api.common.request_errors import CachedParse, with_code
from gateway.api.common.scalars import SCALAR_OVERRIDES
from gateway.api.common.validation import BoundedValidation
from gateway.api.live.subscriptions import Subscription
from gateway.api.mutation import Mutation
from gateway.api.query import Query
from gateway.api.runs.types import RUN_TYPES

# Factories: strawberry builds each extension per request; the parser and validation caches live
# at module level, shared by every request.
EXTENSIONS: list[Any] = [
    GatewayErrors,
    ReadAccess,
    QueryBudget,
    lambda: AddValidationRules([QueryLimits]),
    lambda: CachedParse(maxsize=256),
    BoundedValidation,  # the expansion limits, then the cached rules, off the loop if large
]


class GatewaySchema(strawberry.Schema):
    """The schema, logging errors our way (`log_errors`: one line for a client's mistake)."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_errors([with_code(e) for e in errors])  # a parse error logged with the code it shows


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    """The schema; without `introspection`, `__schema` and `__type` are refused."""
    extensions = EXTENSIONS
    if not introspection:
        extensions = [*EXTENSIONS, lambda: AddValidationRules([NoSchemaIntrospectionCustomRule])]
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*RUN_TYPES, *ACTIVITY_TYPES, Workspace],
        scalar_overrides=SCALAR_OVERRIDES,
        extensions=extensions,
    )


schema = build_schema()


def print_sdl() -> str:
    """The schema in SDL, as committed in `schema.graphql`."""
    return schema.as_str() + "\n"

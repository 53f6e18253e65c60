"""Validation that no document can turn into a stall of the whole server.

Before graphql-core's rules walk a document, the expansion pre-pass (`expansion_error`) refuses
one whose fragments expand past the limits. What passes is validated once (results are cached by
document, as strawberry's `ValidationCache` does); a document of more than `OFF_LOOP_FIELDS`
fields is validated in a worker thread, so the event loop keeps serving other requests (health
checks among them) while, say, hundreds of same-named fields are compared pairwise. The executor
(this schema extension) and the fast path share `validate`.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Sequence
from typing import Final

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema
from graphql.validation.validate import ValidationAbortedError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from gateway.api.common.expansion import expansion
from gateway.api.common.limits import EXPANSION_CAP, expansion_error, validation_budget_error

OFF_LOOP_FIELDS: Final = 100
"""Documents selecting more fields than this (expanded) are validated off the event loop."""
CACHE_SIZE: Final = 256

_Key = tuple[GraphQLSchema, DocumentNode, tuple[type[ASTValidationRule], ...]]
_cache: OrderedDict[_Key, list[GraphQLError]] = OrderedDict()


async def validate(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: Sequence[type[ASTValidationRule]],
) -> list[GraphQLError]:
    """The document's errors: a limit of the expansion pre-pass, or the rules' errors."""
    key = (schema, document, tuple(rules))
    try:
        _cache.move_to_end(key)
        return _cache[key]
    except KeyError:
        pass
    found = expansion(document, EXPANSION_CAP)
    refused = expansion_error(found)
    if refused is not None:
        errors = [refused]
    elif found.fields > OFF_LOOP_FIELDS:
        errors = await asyncio.to_thread(validate_document, schema, document, key[2])
    else:
        errors = validate_document(schema, document, key[2])
    errors = [validation_budget_error() if _aborted(e) else e for e in errors]
    _cache[key] = errors
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return errors


def _aborted(error: GraphQLError) -> bool:
    return isinstance(error, ValidationAbortedError)


class BoundedValidation(SchemaExtension):
    """Validates with `validate` (in place of strawberry's own validation step)."""

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = await validate(
                context.schema._schema, context.graphql_document, context.validation_rules
            )
        yield

"""Codes for the errors a document causes before any extension sees it: the parser's.

strawberry returns a parse error as graphql-core raised it, without `extensions`. Past
`MAX_TOKENS` it is the `queryTokens` limit error; any other syntax error (a document nested too
deeply among them) is `GRAPHQL_PARSE_FAILED`, as validation errors are `GRAPHQL_VALIDATION_FAILED`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import ParserCache

from gateway.api.common.limits import is_token_limit_error, token_limit_error

PARSE_FAILED = "GRAPHQL_PARSE_FAILED"


def with_code(error: GraphQLError) -> GraphQLError:
    """The error with its `extensions.code` (unchanged when it has one or is not the parser's)."""
    if is_token_limit_error(error):
        return token_limit_error()
    if isinstance(error, GraphQLSyntaxError) and not (error.extensions or {}).get("code"):
        return GraphQLError(
            error.message,
            source=error.source,
            positions=error.positions,
            extensions={**(error.extensions or {}), "code": PARSE_FAILED},
        )
    return error


class CachedParse(ParserCache):
    """strawberry's parser cache, but a document that does not parse is left to strawberry's own
    parse, which reports it as the request's error: the cache's parse raised it out of the
    parsing hook, where the WebSocket handler ended the operation with a bare `complete` (no
    error) and an ERROR log line with a traceback."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):  # parsed again, and reported, by strawberry
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield

"""Limits on what one GraphQL document may ask for: lexical tokens, aliases, selection depth, and
a cost that bounds the work it can cause.

The cost counts field resolutions: each selected field costs 1 for every object it is resolved
on, and a connection's `nodes` and `edges` multiply the fields below them by its page size
(`first`/`last`, else the default page). `runs(first: 100) { nodes { id status } }` costs
1 + 1 + 100 * 2 = 202.

Before validation, a linear pre-pass counts the fragment spreads a document expands to and the
fields it then selects (`expansion_error`), so no walk below ever expands a fan-out of fragments
(ten spreads of ten spreads of ...) past `MAX_FRAGMENT_SPREADS` and `MAX_FIELDS`.

Depth and aliases are a graphql-core validation rule, added once as a class so the validation
cache keeps working (DESIGN §4.10). The cost depends on the variables (page sizes), so it is
measured per request, before execution, by the `QueryBudget` extension, which also reports it in
`extensions.cost`; the walk is a few microseconds for a usual document. Tokens are counted by the parser itself
(`max_tokens`), so an oversized document is never fully parsed. Introspection fields are not
measured: the schema bounds them, and GraphiQL's own introspection query is deeper than any
limit that suits data.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_operation_ast,
)
from graphql.validation.rules.overlapping_fields_can_be_merged import MAX_COMPLEXITY_BUDGET
from strawberry.extensions import SchemaExtension

from gateway.api.common.expansion import Expansion
from gateway.domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

MAX_DEPTH: Final = 12
MAX_COST: Final = 100_000
MAX_ALIASES: Final = 30
MAX_TOKENS: Final = 5_000
MAX_FRAGMENT_SPREADS: Final = 1_000
"""Fragment spreads one document expands to (a fragment spread ten times counts ten)."""
MAX_FIELDS: Final = 5_000
"""Fields one document selects once its fragments are expanded (introspection fields too)."""
_PAGE_ARGUMENTS = ("first", "last")
PAGED_LISTS: Final = frozenset({"activityStatistics"})
"""Plain lists sized by `first` (default page size when absent), counted like connections."""
_PAGED = frozenset({"nodes", "edges"})  # a connection's fields that repeat per node
_TOKENS_ABORT = "tokens. Parsing aborted."  # graphql-core's message past `max_tokens`


def limit_error(message: str, limit: str, value: int, node: Any = None) -> GraphQLError:
    """A request error naming the limit it broke, as every limit reports it."""
    return GraphQLError(
        message, node, extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "max": value}
    )


def is_token_limit_error(error: GraphQLError) -> bool:
    return error.path is None and _TOKENS_ABORT in error.message


def token_limit_error() -> GraphQLError:
    return limit_error(
        f"The document has more than {MAX_TOKENS} tokens; at most {MAX_TOKENS} are allowed.",
        "queryTokens",
        MAX_TOKENS,
    )


EXPANSION_CAP: Final = max(MAX_FRAGMENT_SPREADS, MAX_FIELDS) + 1
"""Where the expansion pre-pass stops counting: past every limit it checks."""


def expansion_error(found: Expansion) -> GraphQLError | None:
    """The limit error of a document that expands past `MAX_FRAGMENT_SPREADS` or `MAX_FIELDS`
    (`found` by the linear pre-pass of gateway/api/common/expansion.py, before anything walks
    the expanded document), else None."""
    if found.spreads > MAX_FRAGMENT_SPREADS:
        return limit_error(
            f"The document expands to more than {MAX_FRAGMENT_SPREADS} fragment spreads; at "
            f"most {MAX_FRAGMENT_SPREADS} are allowed. Spread each fragment fewer times.",
            "queryFragmentSpreads",
            MAX_FRAGMENT_SPREADS,
        )
    if found.fields > MAX_FIELDS:
        return limit_error(
            f"The document selects more than {MAX_FIELDS} fields once its fragments are "
            f"expanded; at most {MAX_FIELDS} are allowed.",
            "queryFields",
            MAX_FIELDS,
        )
    return None


def validation_budget_error() -> GraphQLError:
    """graphql-core's overlap rule gave up: the document asks it to compare too many same-named
    fields (its own budget, `MAX_COMPLEXITY_BUDGET`)."""
    return limit_error(
        "The document repeats same-named fields too often to be validated; select each field "
        "once per selection set, or use aliases.",
        "queryValidationBudget",
        MAX_COMPLEXITY_BUDGET,
    )


@dataclass(frozen=True, slots=True)
class Measure:
    depth: int
    cost: int


def _page_size(field: FieldNode, variables: Mapping[str, Any] | None) -> int:
    for argument in field.arguments or ():
        if argument.name.value in _PAGE_ARGUMENTS:
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(0, min(int(value.value), MAX_PAGE_SIZE))
            if isinstance(value, VariableNode) and variables is not None:
                given = variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    return max(0, min(given, MAX_PAGE_SIZE))
                if given is None:
                    continue
            return MAX_PAGE_SIZE
    return DEFAULT_PAGE_SIZE


def _is_connection(field: FieldNode) -> bool:
    """A list field that pages: it takes (or may take) first/last, or selects nodes/edges."""
    if field.name.value in PAGED_LISTS:
        return True
    if any(a.name.value in _PAGE_ARGUMENTS for a in field.arguments or ()):
        return True
    names = {
        s.name.value
        for s in (field.selection_set.selections if field.selection_set else ())
        if isinstance(s, FieldNode)
    }
    return bool(names & _PAGED)


def measure(
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None = None,
) -> Measure:
    """Depth and cost of one operation; stops early once past the limits. Without `variables`,
    a page size given as a variable counts as the largest page."""

    def walk(
        selections: SelectionSetNode | None,
        depth: int,
        multiplier: int,
        seen: frozenset[str],
        page: int | None,
    ) -> tuple[int, int]:
        """`page` is the page size when `selections` is a connection's (its nodes and edges
        repeat that many times)."""
        if selections is None or depth > MAX_DEPTH:
            return depth, 0
        if multiplier > MAX_COST:  # already past the limit: stop counting
            return depth, multiplier
        deepest, cost = depth, 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name.startswith("__"):
                    continue  # introspection: bounded by the schema, and GraphiQL needs it deep
                cost += multiplier
                inner = multiplier * page if page is not None and name in _PAGED else multiplier
                pages = None
                if selection.selection_set is not None and _is_connection(selection):
                    pages = _page_size(selection, variables)
                if name in PAGED_LISTS and pages is not None:  # a plain list: its items repeat
                    inner, pages = inner * pages, None
                d, c = walk(selection.selection_set, depth + 1, inner, seen, pages)
            elif isinstance(selection, InlineFragmentNode):
                d, c = walk(selection.selection_set, depth, multiplier, seen, page)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or selection.name.value in seen:  # other rules report these
                    continue
                d, c = walk(
                    fragment.selection_set, depth, multiplier, seen | {selection.name.value}, page
                )
            else:
                continue
            deepest, cost = max(deepest, d), cost + c
        return deepest, cost

    depth, cost = walk(operation.selection_set, 0, 1, frozenset(), None)
    return Measure(depth, cost)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


class QueryLimits(ValidationRule):
    """Refuse documents with more than `MAX_ALIASES` aliases or deeper than `MAX_DEPTH`."""

    aliases = 0

    def enter_field(self, node: FieldNode, *args: Any) -> None:
        if node.alias is not None:
            self.aliases += 1
            if self.aliases == MAX_ALIASES + 1:
                self.report_error(
                    limit_error(
                        f"The document has more than {MAX_ALIASES} aliases; at most "
                        f"{MAX_ALIASES} are allowed.",
                        "queryAliases",
                        MAX_ALIASES,
                        node,
                    )
                )

    def enter_operation_definition(self, node: OperationDefinitionNode, *args: Any) -> None:
        found = measure(node, _fragments(self.context.document))
        if found.depth > MAX_DEPTH:
            name = node.name.value if node.name else "the operation"
            self.report_error(
                limit_error(
                    f"{name} nests {found.depth} fields deep; at most {MAX_DEPTH} are allowed.",
                    "queryDepth",
                    MAX_DEPTH,
                    node,
                )
            )


def check_cost(
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    report: dict[str, Any] | None = None,
) -> int | None:
    """The cost of the operation to execute, with the variables' real page sizes (None when
    there is no such operation; validation reports that). Raises the `queryCost` limit error
    past `MAX_COST`. `report` (the context's, for the access log) gets the name and cost. Any
    path that executes an operation without strawberry's executor must call this first."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    cost = measure(operation, _fragments(document), variables or {}).cost
    if report is not None:
        report["operation"] = operation.name.value if operation.name else operation_name
        report["cost"] = cost
    if cost > MAX_COST:
        name = operation.name.value if operation.name else "the operation"
        raise limit_error(
            f"{name} costs {cost} field resolutions; at most {MAX_COST} are allowed. Ask for "
            "fewer fields or smaller pages (first/last) in nested lists.",
            "queryCost",
            MAX_COST,
            operation,
        )
    return cost


def cost_extension(cost: int) -> dict[str, Any]:
    """What a response reports in `extensions`."""
    return {"cost": {"requested": cost, "maximum": MAX_COST}}


class QueryBudget(SchemaExtension):
    """Bounds the parser by `MAX_TOKENS`; refuses an operation costlier than `MAX_COST` (with
    the variables' real page sizes) before it runs; reports the cost in `extensions.cost`, and
    the operation's name and cost in the context's `report` (for the access log)."""

    cost: int | None = None

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = MAX_TOKENS
        yield

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None:
            self.cost = check_cost(
                context.graphql_document,
                context.operation_name,
                context.variables,
                getattr(context.context, "report", None),
            )
        yield

    def get_results(self) -> dict[str, Any]:
        return {} if self.cost is None else cost_extension(self.cost)

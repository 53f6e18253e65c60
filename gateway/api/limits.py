"""Limits on what one GraphQL document may ask for: selection depth, and a cost that bounds how
many objects it can return (page sizes multiply down nested connections).

A graphql-core validation rule, added once as a class so the validation cache keeps working.
Page sizes given as variables count as the largest page, since validation runs before variables
are known. Introspection fields are not measured: the schema bounds them, and GraphiQL's own
introspection query is deeper than any limit that suits data.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)

from gateway.domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

MAX_DEPTH: Final = 12
MAX_COST: Final = 50_000
_PAGE_ARGUMENTS = ("first", "last")
PAGED_LISTS: Final = frozenset({"activityStatistics"})
"""Plain lists sized by `first` (default page size when absent), counted like connections."""


def _page_size(field: FieldNode) -> int:
    for argument in field.arguments or ():
        if argument.name.value in _PAGE_ARGUMENTS:
            if isinstance(argument.value, IntValueNode):
                return max(0, min(int(argument.value.value), MAX_PAGE_SIZE))
            return MAX_PAGE_SIZE
    return DEFAULT_PAGE_SIZE


class QueryLimits(ValidationRule):
    """Refuse documents deeper than `MAX_DEPTH` or costlier than `MAX_COST` objects."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *args: Any) -> None:
        fragments = {
            d.name.value: d
            for d in self.context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        depth, cost = self._measure(node.selection_set, fragments, 0, 1, set())
        name = node.name.value if node.name else "the operation"
        if depth > MAX_DEPTH:
            self._refuse(
                f"{name} nests {depth} fields deep; at most {MAX_DEPTH} are allowed.",
                "queryDepth",
                MAX_DEPTH,
                node,
            )
        elif cost > MAX_COST:
            self._refuse(
                f"{name} could return {cost} objects; at most {MAX_COST} are allowed. Ask for "
                "smaller pages (first/last) in nested lists.",
                "queryCost",
                MAX_COST,
                node,
            )

    def _refuse(self, message: str, limit: str, value: int, node: OperationDefinitionNode) -> None:
        self.report_error(
            GraphQLError(
                message,
                node,
                extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "max": value},
            )
        )

    def _measure(
        self,
        selections: SelectionSetNode | None,
        fragments: dict[str, FragmentDefinitionNode],
        depth: int,
        multiplier: int,
        seen: set[str],
    ) -> tuple[int, int]:
        """(deepest depth, cost) below a selection set; stops early once past the limits."""
        if selections is None or depth > MAX_DEPTH or multiplier > MAX_COST:
            return depth, 0
        deepest, cost = depth, 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue  # introspection: bounded by the schema, and GraphiQL needs it deep
                inner = multiplier
                if selection.selection_set is not None and _is_connection(selection):
                    inner = multiplier * _page_size(selection)
                    cost += inner
                d, c = self._measure(selection.selection_set, fragments, depth + 1, inner, seen)
            elif isinstance(selection, InlineFragmentNode):
                d, c = self._measure(selection.selection_set, fragments, depth, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen:  # other rules report these
                    continue
                d, c = self._measure(
                    fragment.selection_set, fragments, depth, multiplier, seen | {name}
                )
            else:
                continue
            deepest, cost = max(deepest, d), cost + c
        return deepest, cost


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
    return bool(names & {"nodes", "edges"})

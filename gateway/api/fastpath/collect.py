"""Collecting fields the way GraphQL does: aliases, fragments and inline fragments, merged by
response key in first-seen order, for one concrete type at a time."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
)


class Unsupported(Exception):
    """The fast path does not cover this operation; the executor runs it."""


class Collector:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def collect(
        self, runtime: GraphQLObjectType, sets: Sequence[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, in first-seen order, as GraphQL collects them."""
        found: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in sets:
            self._visit(runtime, selection_set, found, visited)
        return found

    def _visit(
        self,
        runtime: GraphQLObjectType,
        selection_set: SelectionSetNode,
        found: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise Unsupported("directives")
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                found.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, runtime):
                    self._visit(runtime, selection.selection_set, found, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited:
                    continue
                visited.add(name)
                fragment = self.fragments[name]
                if self._applies(fragment.type_condition.name.value, runtime):
                    self._visit(runtime, fragment.selection_set, found, visited)

    def _applies(self, condition: str, runtime: GraphQLObjectType) -> bool:
        wanted = self.schema.get_type(condition)
        if wanted is runtime:
            return True
        return isinstance(
            wanted, GraphQLInterfaceType | GraphQLUnionType
        ) and self.schema.is_sub_type(wanted, runtime)


def sets_of(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [n.selection_set for n in nodes if n.selection_set is not None]

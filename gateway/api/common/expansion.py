"""How large a document is once its fragments are expanded: the fragment spreads expanded and
the fields visited, counted in one pass over the parsed document.

A document can spread a fragment that spreads another ten times, and so on: 660 bytes of seven
levels stand for ten million spreads, and any walk that expands fragments (validation rules,
cost measures, the executor's field collection) does that work. This pass counts the expansion
without doing it: each fragment's totals are computed once and reused wherever it is spread, so
its time is linear in the document's size whatever the fan-out. Counts saturate at `cap`, so the
numbers stay small past any limit. A fragment spread inside itself (a cycle, which validation
reports) counts nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)


@dataclass(frozen=True, slots=True)
class Expansion:
    """Fragment spreads expanded and fields visited, over every operation of a document."""

    spreads: int
    fields: int


def _direct(selections: SelectionSetNode) -> tuple[int, list[str]]:
    """The fields of a selection set (nested ones too) and the fragments it spreads, without
    expanding them. An explicit stack: a deeply nested document must not exhaust recursion."""
    fields, spreads = 0, []
    stack = [selections]
    while stack:
        for selection in stack.pop().selections:
            if isinstance(selection, FieldNode):
                fields += 1
                if selection.selection_set is not None:
                    stack.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                stack.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                spreads.append(selection.name.value)
    return fields, spreads


def expansion(document: DocumentNode, cap: int) -> Expansion:
    """The document's expansion, each count at most `cap`."""
    direct = {
        d.name.value: _direct(d.selection_set)
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }
    totals: dict[str, tuple[int, int]] = {}  # a fragment's (spreads, fields), once computed

    def total(spreads: list[str], fields: int) -> tuple[int, int]:
        count = len(spreads)
        for name in spreads:
            inner_spreads, inner_fields = totals.get(name, (0, 0))
            count = min(cap, count + inner_spreads)
            fields = min(cap, fields + inner_fields)
        return min(cap, count), min(cap, fields)

    # Post-order over the fragments (an explicit stack again): a fragment's totals once those
    # of every fragment it spreads are known. A spread of an unknown fragment, or of one still
    # open (a cycle), counts as the spread alone: validation reports both.
    opened: set[str] = set()
    for root in direct:
        stack = [root]
        while stack:
            name = stack[-1]
            if name in totals:
                stack.pop()
                continue
            if name not in opened:
                opened.add(name)
                stack.extend(s for s in direct[name][1] if s in direct and s not in opened)
                continue
            stack.pop()
            own_fields, own_spreads = direct[name]
            totals[name] = total(own_spreads, own_fields)

    spreads = fields = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            inner_fields, names = _direct(definition.selection_set)
            inner_spreads, inner_fields = total(names, inner_fields)
            spreads = min(cap, spreads + inner_spreads)
            fields = min(cap, fields + inner_fields)
    return Expansion(spreads, fields)

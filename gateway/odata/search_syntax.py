"""A parsed $search tree written in an engine's full-text syntax: FTS5 (`search.fts5_query`) and
PostgreSQL's `to_tsquery` (`postgres.tsquery`) differ only in how a term is written and in their
operator tokens, so one walk serves both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import ErrorCode, ODataError
from .parser import SearchNode, SearchNot, SearchTerm, parse_search


@dataclass(frozen=True)
class SearchSyntax:
    term: Callable[[SearchTerm], str]  # a word or phrase, quoted so no client text is syntax
    or_: str  # between alternatives
    and_: str  # between required terms
    and_not: str  # between the required terms and the excluded ones


def write(text: str, syntax: SearchSyntax) -> str:
    """$search text to one query text in `syntax` (to be bound, never spliced)."""
    try:
        return _write(parse_search(text), syntax)
    except ODataError as exc:
        raise exc.with_text(text) from None


def _write(node: SearchNode, syntax: SearchSyntax) -> str:
    if isinstance(node, SearchTerm):
        return syntax.term(node)
    if isinstance(node, SearchNot):
        # Both engines' NOT subtracts from an AND group: alone, or under OR, it has nothing to.
        raise ODataError(
            ErrorCode.INVALID_SEARCH,
            "NOT must follow a positive term in the same AND group (e.g. 'error NOT timeout')",
            node.pos,
        )
    if node.op == "OR":
        return "(" + syntax.or_.join(_write(item, syntax) for item in node.items) + ")"
    positives = [item for item in node.items if not isinstance(item, SearchNot)]
    negatives = [item.item for item in node.items if isinstance(item, SearchNot)]
    if not positives:
        first = next(item for item in node.items if isinstance(item, SearchNot))
        return _write(first, syntax)  # raises: nothing to subtract from
    query = "(" + syntax.and_.join(_write(item, syntax) for item in positives) + ")"
    if negatives:
        excluded = syntax.or_.join(_write(item, syntax) for item in negatives)
        query = f"({query}{syntax.and_not}({excluded}))"
    return query

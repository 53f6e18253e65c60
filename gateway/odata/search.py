"""$search (OData 4.01 Part 2 §5.1.7, ABNF searchExpr) compiled to one FTS5 MATCH query
(on PostgreSQL, to one ``to_tsquery`` text: ``postgres.tsquery``).

Syntax: words, "quoted phrases", ``AND`` (or juxtaposition), ``OR``, ``NOT``, parentheses;
``NOT`` binds tighter than ``AND``, which binds tighter than ``OR``. Every word and phrase is
written as an FTS5 string (double-quoted, ``"`` doubled), so no client text is read as FTS5 syntax
(column filters, ``NEAR``, ``*`` prefixes, ``^``), and the whole query is one bound parameter.

FTS5's ``NOT`` is binary (``a NOT b``), so a negated term must sit in an AND group with at least
one positive term: ``error NOT timeout`` is accepted, ``NOT timeout`` alone or ``a OR NOT b`` is
refused with INVALID_SEARCH.

The catalog's ``SearchSpec.match_sql`` says where the query goes, e.g.
``{alias}.rowid IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)``.
"""

from __future__ import annotations

from .catalog import Catalog, render
from .dialect import Dialect
from .errors import ErrorCode, ODataError
from .parser import SearchNode, SearchNot, SearchTerm, parse_search
from .postgres import tsquery
from .sqlparts import Compiled

__all__ = ["compile_search", "fts5_query"]


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _query(node: SearchNode) -> str:
    if isinstance(node, SearchTerm):
        return _quote(node.text)
    if isinstance(node, SearchNot):
        raise ODataError(
            ErrorCode.INVALID_SEARCH,
            "NOT must follow a positive term in the same AND group (e.g. 'error NOT timeout')",
            node.pos,
        )
    if node.op == "OR":
        return "(" + " OR ".join(_query(item) for item in node.items) + ")"
    positives = [item for item in node.items if not isinstance(item, SearchNot)]
    negatives = [item.item for item in node.items if isinstance(item, SearchNot)]
    if not positives:
        first = next(item for item in node.items if isinstance(item, SearchNot))
        return _query(first)  # raises: nothing to subtract from
    query = "(" + " AND ".join(_query(item) for item in positives) + ")"
    if negatives:
        query = f"({query} NOT (" + " OR ".join(_query(item) for item in negatives) + "))"
    return query


def fts5_query(text: str) -> str:
    """$search text to an FTS5 query string (to be bound, never spliced)."""
    node = parse_search(text)
    try:
        return _query(node)
    except ODataError as exc:
        raise exc.with_text(text) from None


def compile_search(text: str, catalog: Catalog, dialect: Dialect = Dialect.SQLITE) -> Compiled:
    """$search text to ``(sql, params)`` over the catalog's full-text index."""
    spec = catalog.search
    if dialect is Dialect.POSTGRESQL and spec is not None and spec.postgres_sql:
        return Compiled(render(spec.postgres_sql, catalog.alias), (tsquery(text),))
    if spec is None or dialect is Dialect.POSTGRESQL:
        raise ODataError(ErrorCode.INVALID_SEARCH, f"{catalog.entity} does not support $search")
    return Compiled(render(spec.match_sql, catalog.alias), (fts5_query(text),))

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
from .parser import SearchTerm
from .postgres import tsquery
from .search_syntax import SearchSyntax, write
from .sqlparts import Compiled

__all__ = ["compile_search", "fts5_query"]


def _quote(node: SearchTerm) -> str:
    return '"' + node.text.replace('"', '""') + '"'


FTS5 = SearchSyntax(term=_quote, or_=" OR ", and_=" AND ", and_not=" NOT ")


def fts5_query(text: str) -> str:
    """$search text to an FTS5 query string (to be bound, never spliced)."""
    return write(text, FTS5)


def compile_search(text: str, catalog: Catalog, dialect: Dialect = Dialect.SQLITE) -> Compiled:
    """$search text to ``(sql, params)`` over the catalog's full-text index."""
    spec = catalog.search
    if dialect is Dialect.POSTGRESQL and spec is not None and spec.postgres_sql:
        return Compiled(render(spec.postgres_sql, catalog.alias), (tsquery(text),))
    if spec is None or dialect is Dialect.POSTGRESQL:
        raise ODataError(ErrorCode.INVALID_SEARCH, f"{catalog.entity} does not support $search")
    return Compiled(spec.condition(catalog.alias), (fts5_query(text),))

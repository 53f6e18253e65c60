"""The OData query language: a pure compiler from client text to ``(sql, params)``.

Implements a subset of OData Version 4.01, Part 2: URL Conventions (OASIS Standard), with the
grammar of the OData ABNF Construction Rules 4.01:

* ``$filter`` (§5.1.1, ABNF ``boolCommonExpr``): ``eq ne gt ge lt le``, ``and or not``, ``in (...)``,
  grouping, ``add sub mul div divby mod`` and negation on numbers, and on date-times, dates and
  durations (§5.1.1.4); canonical functions (see ``functions.py``); lambdas ``any``/``all`` over
  collection relations (§5.1.1.13); literals: strings (``''`` escapes a quote), integers,
  decimals, booleans, ``null``, DateTimeOffset with any offset (normalised to UTC), Date,
  TimeOfDay, ``duration'P1DT2H'`` (day-time), Guid, enumeration members by name, case-insensitive,
  with or without the type prefix (``'FAILED'``, ``RunStatus'FAILED'``). Operator precedence is
  §5.1.1.15's. Operator and function names are case-insensitive (4.01 services MUST accept them).
* ``$orderby`` (§5.1.5) on catalog fields, ``asc``/``desc``, the id appended as tie-breaker, with
  keyset pagination helpers.
* ``$search`` (§5.1.7) compiled to a single bound FTS5 MATCH query.

Not implemented: ``has``, ``cast``, ``isof``, ``$it``-free ``$this``/``$root``, parameter
aliases, collection/complex literals, ``in`` with a collection-valued right operand, arithmetic in
``$orderby``, geo types.

Safety (DESIGN §4.2-4.4): identifiers come only from the ``Catalog``; every client value is a bound
parameter; limits (``limits.py``) are checked before and during parsing; the only exception that
leaves the package is ``ODataError``.

Usage::

    from gateway.odata import Catalog, Field, FieldType, compile_filter
    RUN = Catalog.build("Run", "r", [Field("status", "{alias}.status", FieldType.ENUM,
                        enum_values=("FAILED", "SUCCEEDED"))], id_sql="{alias}.id")
    q = compile_filter("status eq 'failed'", RUN)   # q.sql == '(r.status IS ?)', q.params == ('FAILED',)

The store registers ``sqlite_functions()`` on each connection (tolower/toupper/trim/matchesPattern).

Dialects: every compiling function takes ``dialect=Dialect.POSTGRESQL`` for PostgreSQL's SQL from
the same tree (``dialect.py``, ``postgres.py``); ``numbered`` turns ``?`` into ``$1, $2...``.
"""

from __future__ import annotations

from . import ast
from .cache import compile_filter
from .catalog import Catalog, Field, FieldType, Relation, SearchSpec
from .compile import compile_expr
from .dialect import Dialect, json_path, numbered
from .errors import ErrorCode, ODataError
from .functions import sqlite_functions
from .orderby import OrderBy, OrderKey, compile_orderby, keyset_predicate, order_by
from .parser import parse_filter, parse_orderby, parse_search
from .postgres import percentile_disc, tsquery
from .search import compile_search, fts5_query
from .sqlparts import Compiled

__all__ = [
    "Catalog",
    "Compiled",
    "Dialect",
    "ErrorCode",
    "Field",
    "FieldType",
    "ODataError",
    "OrderBy",
    "OrderKey",
    "Relation",
    "SearchSpec",
    "ast",
    "compile_expr",
    "compile_filter",
    "compile_orderby",
    "compile_search",
    "fts5_query",
    "json_path",
    "keyset_predicate",
    "numbered",
    "order_by",
    "parse_filter",
    "parse_orderby",
    "parse_search",
    "percentile_disc",
    "sqlite_functions",
    "tsquery",
]

"""PostgreSQL spellings of what differs more than a word (``dialect.py`` has those).

Canonical functions (the SQLite forms are in ``functions.py``; same semantics, checked by the same
vectors and differential tests on both engines):

* contains/startswith/endswith with a literal: ``LIKE`` (case-sensitive in PostgreSQL, as OData
  wants) with ``%``, ``_`` and ``\\`` escaped; over ``tolower(x)`` with an all-lower-case literal:
  ``x ILIKE`` (the same rows, and a trigram index can serve it). With a non-literal: ``strpos``,
  ``left``, ``right``.
* tolower/toupper: ``lower``/``upper`` (Unicode, as Python's); trim: Unicode white space at both ends;
  matchesPattern: ``~`` (POSIX regular expressions; the common subset of ECMAScript's).
* year/month/day: ``EXTRACT`` in UTC; the hour/minute/second/date/time arithmetic is SQLite's
  (integer division and ``%`` agree on ``bigint``); now(): ``now()`` (the transaction's start).
* round: on ``numeric`` (half away from zero, as SQLite; ``round(double)`` rounds half to even).

``$search``: the same parsed tree as FTS5's, written as a ``to_tsquery('simple', ...)`` text,
bound as one parameter: words and phrases as quoted lexemes (``'`` doubled, ``\\`` escaped), phrases
joined by ``<->``, ``AND`` ``&``, ``OR`` ``|``, ``NOT`` ``& !``. The same NOT rule as FTS5 (it
must follow a positive term), so both engines accept and refuse the same searches.

Percentiles: ``percentile_disc(p) WITHIN GROUP (ORDER BY x)`` is the nearest-rank percentile
(the smallest value whose cumulative share is at least p), ``gateway.domain.aggregates``'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .parser import SearchTerm
from .search_syntax import SearchSyntax, write
from .sqlparts import Part, fmt

__all__ = ["FUNCTIONS", "like_escape", "percentile_disc", "tsquery"]

Build = Callable[[list[Part], Sequence[object]], Part]
_SECONDS = "(({0}) - ((({0}) % 1000000) + 1000000) % 1000000) / 1000000"


def like_escape(text: str) -> str:
    """A LIKE pattern (with ``ESCAPE '\\'``) matching ``text`` literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like(kind: str, insensitive: bool = False) -> Build:
    op = "ILIKE" if insensitive else "LIKE"

    def build(a: list[Part], lits: Sequence[object]) -> Part:
        needle = lits[1]
        if isinstance(needle, str):
            esc = like_escape(needle)
            pattern = {"contains": f"%{esc}%", "startswith": f"{esc}%", "endswith": f"%{esc}"}
            bound = Part("?::text", (pattern[kind],))
            return fmt(f"({{0}} {op} {{1}} ESCAPE '\\')", a[0], bound)
        if kind == "contains":
            return fmt("(strpos({0}, {1}) > 0)", a[0], a[1])
        if kind == "startswith":
            return fmt("(left({0}, length({1})) = {1})", a[0], a[1])
        return fmt("(right({0}, length({1})) = {1})", a[0], a[1])

    return build


def _substring(a: list[Part], lits: Sequence[object]) -> Part:
    if len(a) == 2:
        return fmt(
            "(CASE WHEN {1} < 0 THEN NULL ELSE substr({0}, CAST({1} + 1 AS integer)) END)", *a
        )
    return fmt(
        "(CASE WHEN {1} < 0 OR {2} < 0 THEN NULL"
        " ELSE substr({0}, CAST({1} + 1 AS integer), CAST({2} AS integer)) END)",
        *a,
    )


def _simple(template: str) -> Build:
    return lambda a, lits: fmt(template, *a)


def _part(field: str) -> Build:
    return _simple(
        f"CAST(EXTRACT({field} FROM to_timestamp({_SECONDS}) AT TIME ZONE 'UTC') AS bigint)"
    )


# Only the functions whose SQLite spelling PostgreSQL does not accept, or reads otherwise.
FUNCTIONS: dict[str, Build] = {
    "contains": like("contains"),
    "startswith": like("startswith"),
    "endswith": like("endswith"),
    "indexof": _simple("(strpos({0}, {1}) - 1)"),
    "substring": _substring,
    "tolower": _simple("lower({0})"),
    "toupper": _simple("upper({0})"),
    "trim": _simple("regexp_replace({0}, '^\\s+|\\s+$', '', 'g')"),
    "matchespattern": _simple("({0} ~ {1})"),
    "year": _part("YEAR"),
    "month": _part("MONTH"),
    "day": _part("DAY"),
    "now": lambda a, lits: Part("CAST(EXTRACT(EPOCH FROM now()) * 1000000 AS bigint)"),
    "round": _simple("round(CAST({0} AS numeric))"),
    "floor": _simple("floor({0})"),
    "ceiling": _simple("ceil({0})"),
}

# ILIKE over the field itself, for contains(tolower(field), 'lower case literal').
INSENSITIVE: dict[str, Build] = {
    name: like(name, insensitive=True) for name in ("contains", "startswith", "endswith")
}


def _lexeme(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def _term(node: SearchTerm) -> str:
    words = node.text.split()
    if len(words) == 1:
        return _lexeme(words[0])
    return "(" + " <-> ".join(_lexeme(w) for w in words) + ")"


TSQUERY = SearchSyntax(term=_term, or_=" | ", and_=" & ", and_not=" & !")


def tsquery(text: str) -> str:
    """$search text to a ``to_tsquery`` text (to be bound, never spliced)."""
    return write(text, TSQUERY)


def percentile_disc(expression: str, percentile: int) -> str:
    """The nearest-rank ``percentile`` (1-100) of a catalog or store expression, as an aggregate."""
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile out of range: {percentile}")
    return f"percentile_disc({percentile / 100}) WITHIN GROUP (ORDER BY {expression})"

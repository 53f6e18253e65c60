"""Canonical functions (OData 4.01 URL Conventions §5.1.1.5-5.1.1.9) compiled to SQLite.

Implemented, each checked against the reference evaluator in tests/odata:

    string   contains startswith endswith indexof length substring concat
             tolower toupper trim matchesPattern
    date     year month day hour minute second date time now
    math     round floor ceiling

Function names are case-insensitive (4.01 services MUST accept any case). A null argument yields
null (§5.1.1.5). Strings compare case-sensitively, as the spec says: SQLite's LIKE is
ASCII-case-insensitive, so contains/startswith/endswith with a literal use GLOB with ``*``, ``?``
and ``[`` escaped (and GLOB on a prefix can use an index); with a non-literal second argument they
use instr/substr. SQLite's lower/upper/trim only know ASCII, so tolower, toupper and trim call
Python functions the store registers (``sqlite_functions()``), as does matchesPattern (``regexp``,
Python ``re`` semantics, close to ECMAScript for the common subset). Date parts are taken in UTC,
the offset every stored time has. ``now()`` is evaluated by SQLite when the statement runs, so a
cached compilation stays correct.

Not implemented (rejected with INVALID_FILTER): fractionalseconds, totaloffsetminutes,
totalseconds, maxdatetime, mindatetime, cast, isof, has, geo functions, collection overloads.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .ast import Kind
from .sqlparts import Part, fmt

__all__ = ["FUNCTIONS", "Signature", "glob_escape", "sqlite_functions"]

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400_000_000
MAX_PATTERN_LENGTH = 256  # characters in a matchesPattern regular expression

# Unix seconds (floored, also before 1970) of a microsecond timestamp, for strftime.
_SECONDS = "(({0}) - ((({0}) % 1000000) + 1000000) % 1000000) / 1000000"
_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)"


def glob_escape(text: str) -> str:
    """A GLOB pattern matching ``text`` literally: * ? [ become one-character classes."""
    return re.sub(r"([*?\[])", r"[\1]", text)


def _part(fmt_str: str) -> str:
    return f"CAST(strftime('{fmt_str}', {_SECONDS}, 'unixepoch') AS INTEGER)"


@dataclass(frozen=True)
class Signature:
    params: tuple[frozenset[Kind], ...]  # accepted kinds per parameter
    optional: int  # trailing parameters that may be left out
    result: Kind | None  # None: the type of the first argument
    sql: Callable[[list[Part], Sequence[object]], Part]


S = frozenset({Kind.STRING})
I = frozenset({Kind.INT})  # noqa: E741
N = frozenset({Kind.INT, Kind.FLOAT})
DT = frozenset({Kind.DATETIME})
DT_D = frozenset({Kind.DATETIME, Kind.DATE})
DT_T = frozenset({Kind.DATETIME, Kind.TIME})


def _like(kind: str) -> Callable[[list[Part], Sequence[object]], Part]:
    def build(a: list[Part], lits: Sequence[object]) -> Part:
        needle = lits[1]
        if isinstance(needle, str):
            esc = glob_escape(needle)
            pattern = {"contains": f"*{esc}*", "startswith": f"{esc}*", "endswith": f"*{esc}"}
            return fmt("({0} GLOB {1})", a[0], Part.bind(pattern[kind]))
        if kind == "contains":
            return fmt("(instr({0}, {1}) > 0)", a[0], a[1])
        if kind == "startswith":
            return fmt("(substr({0}, 1, length({1})) = {1})", a[0], a[1])
        return fmt(
            "(CASE WHEN {0} IS NULL OR {1} IS NULL THEN NULL WHEN length({1}) = 0 THEN 1"
            " ELSE substr({0}, -length({1})) = {1} END)",
            a[0],
            a[1],
        )

    return build


def _substring(a: list[Part], lits: Sequence[object]) -> Part:
    if len(a) == 2:
        return fmt("(CASE WHEN {1} < 0 THEN NULL ELSE substr({0}, {1} + 1) END)", *a)
    return fmt("(CASE WHEN {1} < 0 OR {2} < 0 THEN NULL ELSE substr({0}, {1} + 1, {2}) END)", *a)


def _round(a: list[Part], lits: Sequence[object]) -> Part:
    return fmt("round({0})", a[0])


def _floor(a: list[Part], lits: Sequence[object]) -> Part:
    return fmt("(CAST({0} AS INTEGER) - ({0} < CAST({0} AS INTEGER)))", a[0])


def _ceiling(a: list[Part], lits: Sequence[object]) -> Part:
    return fmt("(CAST({0} AS INTEGER) + ({0} > CAST({0} AS INTEGER)))", a[0])


def _simple(template: str) -> Callable[[list[Part], Sequence[object]], Part]:
    return lambda a, lits: fmt(template, *a)


FUNCTIONS: dict[str, Signature] = {
    "contains": Signature((S, S), 0, Kind.BOOL, _like("contains")),
    "startswith": Signature((S, S), 0, Kind.BOOL, _like("startswith")),
    "endswith": Signature((S, S), 0, Kind.BOOL, _like("endswith")),
    "indexof": Signature((S, S), 0, Kind.INT, _simple("(instr({0}, {1}) - 1)")),
    "length": Signature((S,), 0, Kind.INT, _simple("length({0})")),
    "substring": Signature((S, I, I), 1, Kind.STRING, _substring),
    "concat": Signature((S, S), 0, Kind.STRING, _simple("({0} || {1})")),
    "tolower": Signature((S,), 0, Kind.STRING, _simple("odata_tolower({0})")),
    "toupper": Signature((S,), 0, Kind.STRING, _simple("odata_toupper({0})")),
    "trim": Signature((S,), 0, Kind.STRING, _simple("odata_trim({0})")),
    "matchespattern": Signature((S, S), 0, Kind.BOOL, _simple("regexp({1}, {0})")),
    "year": Signature((DT_D,), 0, Kind.INT, _simple(_part("%Y"))),
    "month": Signature((DT_D,), 0, Kind.INT, _simple(_part("%m"))),
    "day": Signature((DT_D,), 0, Kind.INT, _simple(_part("%d"))),
    "hour": Signature(
        (DT_T,),
        0,
        Kind.INT,
        _simple("((({0}) % 86400000000 + 86400000000) % 86400000000 / 3600000000)"),
    ),
    "minute": Signature(
        (DT_T,), 0, Kind.INT, _simple("((({0}) % 3600000000 + 3600000000) % 3600000000 / 60000000)")
    ),
    "second": Signature(
        (DT_T,), 0, Kind.INT, _simple("((({0}) % 60000000 + 60000000) % 60000000 / 1000000)")
    ),
    "date": Signature(
        (DT,),
        0,
        Kind.DATE,
        _simple("(({0}) - ((({0}) % 86400000000) + 86400000000) % 86400000000)"),
    ),
    "time": Signature(
        (DT,), 0, Kind.TIME, _simple("((({0}) % 86400000000 + 86400000000) % 86400000000)")
    ),
    "now": Signature((), 0, Kind.DATETIME, lambda a, lits: Part(_NOW)),
    "round": Signature((N,), 0, None, _round),
    "floor": Signature((N,), 0, None, _floor),
    "ceiling": Signature((N,), 0, None, _ceiling),
}

# Spelling used in messages for the canonical names that are not all lower case.
DISPLAY = {"matchespattern": "matchesPattern"}


# --- Python functions the store registers on every connection ---------------------------


@functools.lru_cache(maxsize=256)
def _regex(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _regexp(pattern: str | None, value: str | None) -> int | None:
    if pattern is None or value is None:
        return None
    rx = _regex(pattern)
    if rx is None:
        return None
    return 1 if rx.search(value) else 0


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _upper(value: str | None) -> str | None:
    return None if value is None else value.upper()


def _trim(value: str | None) -> str | None:
    return None if value is None else value.strip()


def sqlite_functions() -> dict[str, tuple[int, Callable[..., object]]]:
    """name -> (number of arguments, function): register each with
    ``conn.create_function(name, nargs, fn, deterministic=True)`` on every connection."""
    return {
        "regexp": (2, _regexp),
        "odata_tolower": (1, _lower),
        "odata_toupper": (1, _upper),
        "odata_trim": (1, _trim),
    }


_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[*+?}](?:[^()\\]|\\.)*\)\s*[*+?{]")


def check_pattern(pattern: str) -> str | None:
    """Why a matchesPattern regular expression is refused, or None. Python's re has no time
    limit, so patterns that can backtrack exponentially (a quantified group that itself holds a
    quantifier, back-references) are refused along with long ones."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"pattern longer than MAX_PATTERN_LENGTH={MAX_PATTERN_LENGTH}"
    if _NESTED_QUANTIFIER.search(pattern) or re.search(r"\\[1-9]|\(\?P=", pattern):
        return "pattern with nested quantifiers or back-references"
    if _regex(pattern) is None:
        return "not a valid regular expression"
    return None

"""The expression tree: frozen dataclasses, built by the parser or directly by callers.

The GraphQL typed ``where`` input builds these and compiles them with ``compile_expr``, through
the same checks as parsed text::

    from gateway.odata import ast as q
    expr = q.and_(q.eq("status", "FAILED"), q.gt("statistics/errors", 0))

``pos`` is the 0-based offset in the client's text (-1 when built in code); it is not part of
equality, so a parsed tree equals the one built by hand.

Literal kinds and their Python values: STRING str, INT int, FLOAT float, BOOL bool, NULL None,
DATETIME int (microseconds since the epoch, UTC), DATE int (microseconds at midnight UTC), TIME int
(microseconds since midnight), DURATION int (microseconds), GUID str (lowercase), ENUM str (the
member name as written; ``qualifier`` holds the type name of ``RunStatus'FAILED'``).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field

__all__ = [
    "BINARY_OPS",
    "COMPARISON_OPS",
    "Binary",
    "BoolOp",
    "Call",
    "Expr",
    "In",
    "Kind",
    "Lambda",
    "Literal",
    "Member",
    "Unary",
    "and_",
    "eq",
    "gt",
    "lit",
    "member",
    "not_",
    "or_",
]

COMPARISON_OPS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})
ARITHMETIC_OPS = frozenset({"add", "sub", "mul", "div", "divby", "mod"})
BINARY_OPS = COMPARISON_OPS | ARITHMETIC_OPS


class Kind(enum.Enum):
    STRING = "String"
    INT = "Int"
    FLOAT = "Float"
    BOOL = "Boolean"
    NULL = "null"
    DATETIME = "DateTimeOffset"
    DATE = "Date"
    TIME = "TimeOfDay"
    DURATION = "Duration"
    GUID = "Guid"
    ENUM = "Enum"


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Literal:
    value: str | int | float | bool | None
    kind: Kind
    qualifier: str = ""
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Member:
    path: tuple[str, ...]
    pos: int = field(default=-1, compare=False)

    @property
    def text(self) -> str:
        return "/".join(self.path)


@dataclass(frozen=True)
class Call:
    name: str  # canonical lower-case name, matchesPattern included
    args: tuple[Expr, ...]
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Unary:
    op: str  # "not" | "neg"
    operand: Expr
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Binary:
    op: str  # one of BINARY_OPS
    left: Expr
    right: Expr
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class BoolOp:
    op: str  # "and" | "or"; n-ary, so long chains stay shallow
    items: tuple[Expr, ...]
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class In:
    operand: Expr
    items: tuple[Expr, ...]
    pos: int = field(default=-1, compare=False)


@dataclass(frozen=True)
class Lambda:
    path: tuple[str, ...]  # the relation, optionally behind an outer lambda variable
    kind: str  # "any" | "all"
    var: str | None = None
    predicate: Expr | None = None
    pos: int = field(default=-1, compare=False)


Expr = Literal | Member | Call | Unary | Binary | BoolOp | In | Lambda


def children(expr: Expr) -> tuple[Expr, ...]:
    """Direct sub-expressions, for iterative walks."""
    match expr:
        case Call(args=args):
            return args
        case Unary(operand=operand):
            return (operand,)
        case Binary(left=left, right=right):
            return (left, right)
        case BoolOp(items=items):
            return items
        case In(operand=operand, items=items):
            return (operand, *items)
        case Lambda(predicate=predicate):
            return () if predicate is None else (predicate,)
        case _:
            return ()


# --- constructors for code that builds trees (the GraphQL typed filter) ----------------------


def micros(value: dt.datetime) -> int:
    """Microseconds since the epoch, UTC; a naive datetime is taken as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def lit(value: object) -> Literal:
    """A literal from a Python value (datetime, date, time, timedelta, UUID, Enum included)."""
    if value is None:
        return Literal(None, Kind.NULL)
    if isinstance(value, bool):
        return Literal(value, Kind.BOOL)
    if isinstance(value, int):
        return Literal(value, Kind.INT)
    if isinstance(value, float):
        return Literal(value, Kind.FLOAT)
    if isinstance(value, enum.Enum):
        return Literal(str(value.name), Kind.ENUM, type(value).__name__)
    if isinstance(value, str):
        return Literal(value, Kind.STRING)
    if isinstance(value, dt.datetime):
        return Literal(micros(value), Kind.DATETIME)
    if isinstance(value, dt.date):
        return Literal(micros(dt.datetime(value.year, value.month, value.day)), Kind.DATE)
    if isinstance(value, dt.time):
        us = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000
        return Literal(us + value.microsecond, Kind.TIME)
    if isinstance(value, dt.timedelta):
        return Literal(value // dt.timedelta(microseconds=1), Kind.DURATION)
    if isinstance(value, uuid.UUID):
        return Literal(str(value), Kind.GUID)
    raise TypeError(f"no OData literal for {type(value).__name__}")


def member(path: str) -> Member:
    return Member(tuple(path.split("/")))


def _operand(x: Expr | str | object) -> Expr:
    """A field path for str on the left; use ``lit`` for string values."""
    if isinstance(x, Literal | Member | Call | Unary | Binary | BoolOp | In | Lambda):
        return x
    return lit(x)


def _cmp(op: str, path: str | Expr, value: object) -> Binary:
    left = member(path) if isinstance(path, str) else path
    return Binary(op, left, _operand(value))


def eq(path: str | Expr, value: object) -> Binary:
    return _cmp("eq", path, value)


def gt(path: str | Expr, value: object) -> Binary:
    return _cmp("gt", path, value)


def cmp(op: str, path: str | Expr, value: object) -> Binary:
    """Any comparison: ``cmp("le", "endDateTime", some_datetime)``."""
    if op not in COMPARISON_OPS:
        raise ValueError(f"not a comparison operator: {op}")
    return _cmp(op, path, value)


def and_(*items: Expr) -> Expr:
    return items[0] if len(items) == 1 else BoolOp("and", tuple(items))


def or_(*items: Expr) -> Expr:
    return items[0] if len(items) == 1 else BoolOp("or", tuple(items))


def not_(item: Expr) -> Unary:
    return Unary("not", item)


def in_(path: str | Expr, values: list[object] | tuple[object, ...]) -> In:
    left = member(path) if isinstance(path, str) else path
    return In(left, tuple(_operand(v) for v in values))

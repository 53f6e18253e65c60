"""Semantic checks: which operand types each operator accepts and what it returns.

Type names follow the EDM primitive types of OData 4.01 CSDL (Edm.String, Edm.Int64, Edm.Double,
Edm.Boolean, Edm.DateTimeOffset, Edm.Date, Edm.TimeOfDay, Edm.Duration, Edm.Guid, enumerations).
Numeric promotion (URL Conventions §5.1.1.16) is reduced to two types: Int and Float. Strings are
never converted to numbers or dates ("OData does not define an implicit conversion between string
and numeric types"), but a string literal is read as an enumeration member or a Guid when compared
with a field of that type, as 4.01 allows enumeration literals without the type prefix.
"""

from __future__ import annotations

from .ast import Kind

__all__ = ["NUMERIC", "arithmetic_result", "comparable", "orderable"]

NUMERIC = frozenset({Kind.INT, Kind.FLOAT})
_TIMELIKE = frozenset({Kind.DATETIME, Kind.DATE})


def comparable(a: Kind, b: Kind) -> bool:
    """eq/ne/in: may values of these types be compared?"""
    if Kind.NULL in (a, b) or a == b:
        return True
    if a in NUMERIC and b in NUMERIC:
        return True
    return a in _TIMELIKE and b in _TIMELIKE


def orderable(a: Kind, b: Kind) -> bool:
    """gt/ge/lt/le: enumerations are stored by name, so their declared order is not available."""
    return comparable(a, b) and Kind.ENUM not in (a, b)


# (op, left, right) -> result, for the non-numeric cases (URL Conventions §5.1.1.4.1-5).
_TIME_ARITHMETIC = {
    ("add", Kind.DATETIME, Kind.DURATION): Kind.DATETIME,
    ("add", Kind.DURATION, Kind.DATETIME): Kind.DATETIME,
    ("add", Kind.DATE, Kind.DURATION): Kind.DATE,
    ("add", Kind.DURATION, Kind.DURATION): Kind.DURATION,
    ("sub", Kind.DATETIME, Kind.DURATION): Kind.DATETIME,
    ("sub", Kind.DATE, Kind.DURATION): Kind.DATE,
    ("sub", Kind.DURATION, Kind.DURATION): Kind.DURATION,
    ("sub", Kind.DATETIME, Kind.DATETIME): Kind.DURATION,
    ("sub", Kind.DATE, Kind.DATE): Kind.DURATION,
    ("sub", Kind.DATETIME, Kind.DATE): Kind.DURATION,
    ("sub", Kind.DATE, Kind.DATETIME): Kind.DURATION,
    ("mul", Kind.DURATION, Kind.INT): Kind.DURATION,
    ("mul", Kind.INT, Kind.DURATION): Kind.DURATION,
    ("div", Kind.DURATION, Kind.INT): Kind.DURATION,
}


def arithmetic_result(op: str, a: Kind, b: Kind) -> Kind | None:
    """The result type of ``a op b``, or None when the operator does not apply."""
    if Kind.NULL in (a, b):
        other = b if a is Kind.NULL else a
        if other is Kind.NULL or other in NUMERIC or other in (Kind.DURATION, Kind.DATETIME):
            return Kind.NULL
        return None
    if a in NUMERIC and b in NUMERIC:
        if op == "divby":
            return Kind.FLOAT
        if op == "mod":
            return Kind.INT if a is Kind.INT and b is Kind.INT else None
        return Kind.INT if a is Kind.INT and b is Kind.INT else Kind.FLOAT
    return _TIME_ARITHMETIC.get((op, a, b))

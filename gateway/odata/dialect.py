"""The two SQL dialects the compiler writes: SQLite (the embedded store) and PostgreSQL.

One tree, two spellings. The compiler builds every fragment with ``?`` placeholders; where the
dialects differ it asks the ``Spelling`` of the dialect it compiles for:

==================  ==================================  ===========================================
                    SQLite                              PostgreSQL
==================  ==================================  ===========================================
null-safe equality  ``a IS b`` / ``a IS NOT b``         ``IS NOT DISTINCT FROM`` / ``IS DISTINCT FROM``
Boolean values      integers 0 and 1                    ``boolean`` (``TRUE``, ``FALSE``)
bound values        ``?``, untyped                      ``$n`` (``numbered``), cast to the literal's
                                                        type (``$1::bigint``) so the server never
                                                        has to guess one (``$1 + $2``)
real division       ``CAST(a AS REAL)``                 ``CAST(a AS double precision)``
nulls in order      smallest (SQLite's own order)       ``NULLS FIRST`` ascending, ``NULLS LAST``
                                                        descending, as OData says
JSON paths          ``json_extract(c, '$.a.b')``        ``(c::jsonb #>> '{a,b}')``
==================  ==================================  ===========================================

Functions, ``$search`` and percentiles differ more; ``postgres.py`` has those.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .ast import Kind

__all__ = ["Dialect", "Spelling", "json_path", "numbered", "spelling"]


class Dialect(enum.Enum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


@dataclass(frozen=True)
class Spelling:
    same: str  # null-safe "equal"
    differ: str  # null-safe "not equal"
    true: str
    false: str
    real: str  # the floating-point type of CAST
    native_bool: bool  # Booleans bound as bool (else 0/1)
    casts: Mapping[Kind, str] = field(default_factory=dict)  # bound literal -> SQL type


_SQLITE = Spelling("IS", "IS NOT", "1", "0", "REAL", native_bool=False)
_BIGINT = "bigint"
_POSTGRES = Spelling(
    "IS NOT DISTINCT FROM",
    "IS DISTINCT FROM",
    "TRUE",
    "FALSE",
    "double precision",
    native_bool=True,
    casts={
        Kind.STRING: "text",
        Kind.ENUM: "text",
        Kind.GUID: "text",
        Kind.INT: _BIGINT,
        Kind.DATETIME: _BIGINT,
        Kind.DATE: _BIGINT,
        Kind.TIME: _BIGINT,
        Kind.DURATION: _BIGINT,
        Kind.FLOAT: "double precision",
        Kind.BOOL: "boolean",
    },
)


def spelling(dialect: Dialect) -> Spelling:
    return _POSTGRES if dialect is Dialect.POSTGRESQL else _SQLITE


# A ``?`` placeholder, or a quoted string / identifier (skipped whole, so a `?` inside stays).
_TOKEN = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|\?")


@functools.lru_cache(maxsize=2048)
def numbered(sql: str) -> str:
    """``?`` placeholders to PostgreSQL's ``$1``, ``$2``... in order (quoted text is left alone).
    The store writes its statements with ``?`` for both engines and numbers them once."""
    count = 0

    def number(m: re.Match[str]) -> str:
        nonlocal count
        if m.group(0) != "?":
            return m.group(0)
        count += 1
        return f"${count}"

    return _TOKEN.sub(number, sql)


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def json_path(column: str, keys: Sequence[str], dialect: Dialect) -> str:
    """The text at ``keys`` inside a JSON column, for a catalog field (``Field.sql`` and
    ``Field.postgres_sql``). Keys are catalog constants: plain identifiers only."""
    for key in keys:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a plain JSON key: {key!r}")
    if dialect is Dialect.POSTGRESQL:
        return f"({column}::jsonb #>> '{{{','.join(keys)}}}')"
    return f"json_extract({column}, '$.{'.'.join(keys)}')"

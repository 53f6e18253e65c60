"""Compiled $filter text, cached per (catalog, text): clients repeat the same filters."""

from __future__ import annotations

import functools

from .catalog import Catalog
from .compile import compile_expr
from .dialect import Dialect
from .errors import ErrorCode, ODataError
from .limits import CACHE_SIZE
from .parser import parse_filter
from .sqlparts import Compiled

__all__ = ["compile_filter"]


@functools.lru_cache(maxsize=CACHE_SIZE)
def _compile(catalog: Catalog, text: str, dialect: Dialect) -> Compiled:
    return compile_expr(parse_filter(text), catalog, dialect)


def compile_filter(text: str, catalog: Catalog, dialect: Dialect = Dialect.SQLITE) -> Compiled:
    """$filter text to ``(sql, params)``. Raises only ODataError. Errors are not cached."""
    if not isinstance(text, str):
        raise ODataError(ErrorCode.INVALID_FILTER, "expected a string")
    try:
        return _compile(catalog, text, dialect)
    except ODataError as exc:
        raise exc.with_text(text) from None
    except RecursionError:
        raise ODataError(
            ErrorCode.LIMIT_EXCEEDED, "expression too deeply nested", text=text
        ) from None
    except Exception as exc:  # never let anything else reach the API (DESIGN §4.9)
        raise ODataError(
            ErrorCode.INVALID_FILTER, f"could not compile the filter ({type(exc).__name__})"
        ) from exc


def cache_clear() -> None:
    _compile.cache_clear()

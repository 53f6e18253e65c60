"""Limits on everything a client controls in a query (DESIGN §4.4).

Every limit is a named constant so the API can document it and an error can name it. Length is
checked before any parsing; depth and node count while the parse builds the tree (so a
10,000-term ``or`` stops at the first node past the limit), and again, iteratively, for trees that
callers build themselves and hand to ``compile_expr``.
"""

from __future__ import annotations

from . import ast
from .errors import ErrorCode, ODataError

MAX_FILTER_LENGTH = 4096  # characters of $filter text
MAX_ORDERBY_LENGTH = 1024  # characters of $orderby text
MAX_SEARCH_LENGTH = 1024  # characters of $search text
MAX_DEPTH = 32  # nesting of the expression tree (and/or lists count as one level)
MAX_PAREN_DEPTH = 32  # nesting of parentheses, scanned before parsing
MAX_NODES = 512  # expression nodes in one filter
MAX_IN_LIST = 100  # values in one `in (...)` list
MAX_LAMBDA_NESTING = 3  # any/all inside any/all
MAX_ORDERBY_KEYS = 8  # keys in one $orderby (the id tie-breaker is not counted)
MAX_SEARCH_TERMS = 32  # words and phrases in one $search
MAX_STRING_LITERAL = 1024  # characters in one string literal
CACHE_SIZE = 1024  # compiled expressions kept per process


def check_limits(expr: ast.Expr) -> None:
    """Node count and depth of a tree built in code, walked without recursion."""
    stack: list[tuple[ast.Expr, int]] = [(expr, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED, f"more than MAX_NODES={MAX_NODES} expression nodes"
            )
        if depth > MAX_DEPTH:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED, f"expression nested deeper than MAX_DEPTH={MAX_DEPTH}"
            )
        if isinstance(node, ast.In) and len(node.items) > MAX_IN_LIST:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED,
                f"more than MAX_IN_LIST={MAX_IN_LIST} values in an 'in' list",
                node.pos,
            )
        stack.extend((child, depth + 1) for child in ast.children(node))

"""Text to tree: the lark LALR(1) parsers for $filter, $orderby and $search.

The grammar is ``odata.lark``. The parse tree is transformed while LALR reduces (lark's inline
``transformer=``), so no Python recursion follows the depth of the input: a deep or long input is
refused by the depth and node limits as the tree grows, never by a RecursionError. Parentheses are
counted before parsing; length is checked before anything else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from importlib import resources
from typing import Any

import lark
from lark import Lark, Token, Transformer

from . import ast, literals
from .errors import ErrorCode, ODataError
from .limits import (
    MAX_DEPTH,
    MAX_FILTER_LENGTH,
    MAX_IN_LIST,
    MAX_NODES,
    MAX_ORDERBY_KEYS,
    MAX_ORDERBY_LENGTH,
    MAX_PAREN_DEPTH,
    MAX_SEARCH_LENGTH,
    MAX_SEARCH_TERMS,
)

__all__ = ["OrderItem", "parse_filter", "parse_orderby", "parse_search"]

GRAMMAR = resources.files(__package__).joinpath("odata.lark").read_text(encoding="utf-8")

# Terminal names in lark errors, as a client would call them.
_FRIENDLY = {
    "OR": "or",
    "AND": "and",
    "NOT": "not",
    "IN": "in",
    "EQ_OP": "eq/ne",
    "REL_OP": "gt/ge/lt/le",
    "ADD_OP": "add/sub",
    "MUL_OP": "mul/div/divby/mod",
    "LAMBDA_OP": "any/all",
    "IDENT": "a field name",
    "STRING": "a string",
    "INT": "a number",
    "DECIMAL": "a number",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "SLASH": "'/'",
    "COLON": "':'",
    "MINUS": "'-'",
    "DIRECTION": "asc/desc",
    "S_WORD": "a word",
    "S_PHRASE": 'a "phrase"',
    "S_OR": "OR",
    "S_AND": "AND",
    "S_NOT": "NOT",
    "$END": "end of input",
}
_LITERALS = {"STRING", "TYPED_STRING", "DATETIME", "DATE", "TIME", "GUID", "DECIMAL", "INT"}


@dataclass(frozen=True)
class OrderItem:
    path: tuple[str, ...]
    descending: bool
    pos: int


@dataclass(frozen=True)
class SearchTerm:
    text: str
    phrase: bool
    pos: int


@dataclass(frozen=True)
class SearchNot:
    item: SearchNode
    pos: int


@dataclass(frozen=True)
class SearchBool:
    op: str  # "AND" | "OR"
    items: tuple[SearchNode, ...]


SearchNode = SearchTerm | SearchNot | SearchBool


class _Limits:
    """Per-parse counters; the transformer is shared, so parses are serialised by a lock."""

    def __init__(self, code: ErrorCode) -> None:
        self.code = code
        self.nodes = 0
        self.depth: dict[int, int] = {}


class _Build(Transformer[Token, Any]):
    """Reduce callbacks: lark nodes to ``ast`` nodes, counting nodes and depth as they grow."""

    state: _Limits

    def _node(self, node: Any, pos: int, *kids: Any) -> Any:
        st = self.state
        st.nodes += 1
        if st.nodes > MAX_NODES:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED, f"more than MAX_NODES={MAX_NODES} expression nodes", pos
            )
        depth = 1 + max((st.depth.get(id(k), 1) for k in kids), default=0)
        if depth > MAX_DEPTH:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED,
                f"expression nested deeper than MAX_DEPTH={MAX_DEPTH}",
                pos,
            )
        st.depth[id(node)] = depth
        return node

    # --- $filter ----------------------------------------------------------------------------
    def filter(self, kids: list[Any]) -> Any:
        return kids[0]

    def _bool(self, op: str, kids: list[Any]) -> Any:
        items = [k for k in kids if not isinstance(k, Token)]
        if len(items) == 1:
            return items[0]
        ops = [k for k in kids if isinstance(k, Token)]
        return self._node(ast.BoolOp(op, tuple(items), _pos(ops[0])), _pos(ops[0]), *items)

    def or_expr(self, kids: list[Any]) -> Any:
        return self._bool("or", kids)

    def and_expr(self, kids: list[Any]) -> Any:
        return self._bool("and", kids)

    def binary(self, kids: list[Any]) -> Any:
        left, op, right = kids
        pos = _pos(op)
        return self._node(ast.Binary(str(op).lower(), left, right, pos), pos, left, right)

    def not_expr(self, kids: list[Any]) -> Any:
        tok, operand = kids
        return self._node(ast.Unary("not", operand, _pos(tok)), _pos(tok), operand)

    def neg_expr(self, kids: list[Any]) -> Any:
        tok, operand = kids
        if (
            isinstance(operand, ast.Literal)
            and operand.kind in (ast.Kind.INT, ast.Kind.FLOAT, ast.Kind.DURATION)
            and isinstance(operand.value, int | float)
            and not isinstance(operand.value, bool)
        ):
            return ast.Literal(-operand.value, operand.kind, pos=_pos(tok))
        return self._node(ast.Unary("neg", operand, _pos(tok)), _pos(tok), operand)

    def in_expr(self, kids: list[Any]) -> Any:
        operand, tok, items = kids
        if len(items) > MAX_IN_LIST:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED,
                f"more than MAX_IN_LIST={MAX_IN_LIST} values in an 'in' list",
                _pos(tok),
            )
        node = ast.In(operand, tuple(items), _pos(tok))
        return self._node(node, _pos(tok), operand, *items)

    def expr_list(self, kids: list[Any]) -> Any:
        return list(kids)

    def path(self, kids: list[Any]) -> Any:
        if len(kids) == 1:
            return ((str(kids[0]),), _pos(kids[0]))
        (names, pos), name = kids
        return ((*names, str(name)), pos)

    def member(self, kids: list[Any]) -> Any:
        names, pos = kids[0]
        return self._node(ast.Member(names, pos), pos)

    def lambda_expr(self, kids: list[Any]) -> Any:
        (names, _start), op = kids[0], kids[1]
        var, pred = kids[2] if len(kids) > 2 else (None, None)
        node = ast.Lambda(names, str(op).lower(), var, pred, _pos(op))
        return self._node(node, _pos(op), *([pred] if pred is not None else []))

    def lambda_body(self, kids: list[Any]) -> Any:
        return (str(kids[0]), kids[1])

    def call(self, kids: list[Any]) -> Any:
        name: Token = kids[0]
        args = tuple(kids[1]) if len(kids) > 1 else ()
        node = ast.Call(str(name).lower(), args, _pos(name))
        return self._node(node, _pos(name), *args)

    def group(self, kids: list[Any]) -> Any:
        return kids[0]

    def literal(self, kids: list[Token]) -> Any:
        tok = kids[0]
        try:
            node = _literal(tok)
        except ValueError as exc:
            raise ODataError(self.state.code, str(exc), _pos(tok)) from None
        return self._node(node, _pos(tok))

    # --- $orderby ---------------------------------------------------------------------------
    def orderby(self, kids: list[Any]) -> Any:
        if len(kids) > MAX_ORDERBY_KEYS:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED,
                f"more than MAX_ORDERBY_KEYS={MAX_ORDERBY_KEYS} $orderby keys",
                kids[MAX_ORDERBY_KEYS].pos,
            )
        return list(kids)

    def orderby_item(self, kids: list[Any]) -> Any:
        names, pos = kids[0]
        desc = len(kids) > 1 and str(kids[1]).lower() == "desc"
        return OrderItem(names, desc, pos)

    # --- $search ----------------------------------------------------------------------------
    def search(self, kids: list[Any]) -> Any:
        return kids[0]

    def _term(self, node: SearchTerm) -> SearchTerm:
        self.state.nodes += 1
        if self.state.nodes > MAX_SEARCH_TERMS:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED,
                f"more than MAX_SEARCH_TERMS={MAX_SEARCH_TERMS} search terms",
                node.pos,
            )
        return node

    def s_word(self, kids: list[Token]) -> Any:
        return self._term(SearchTerm(str(kids[0]), False, _pos(kids[0])))

    def s_phrase(self, kids: list[Token]) -> Any:
        tok = kids[0]
        text = str(tok)[1:-1]
        if not text.strip():
            raise ODataError(ErrorCode.INVALID_SEARCH, "empty search phrase", _pos(tok))
        return self._term(SearchTerm(text, True, _pos(tok)))

    def s_negate(self, kids: list[Any]) -> Any:
        return SearchNot(kids[1], _pos(kids[0]))

    def _sbool(self, op: str, kids: list[Any]) -> Any:
        items = tuple(k for k in kids if not isinstance(k, Token))
        return items[0] if len(items) == 1 else SearchBool(op, items)

    def s_or(self, kids: list[Any]) -> Any:
        return self._sbool("OR", kids)

    def s_and(self, kids: list[Any]) -> Any:
        return self._sbool("AND", kids)


def _pos(tok: Token) -> int:
    return tok.start_pos if tok.start_pos is not None else 0


def _literal(tok: Token) -> ast.Literal:
    kind, text, pos = tok.type, str(tok), _pos(tok)
    K = ast.Kind
    if kind == "STRING":
        return ast.Literal(literals.parse_string(text), K.STRING, pos=pos)
    if kind == "TYPED_STRING":
        prefix, _, rest = text.partition("'")
        body = literals.parse_string("'" + rest)
        if prefix.lower() == "duration":
            return ast.Literal(literals.parse_duration(body), K.DURATION, pos=pos)
        return ast.Literal(body, K.ENUM, prefix, pos=pos)
    if kind == "DATETIME":
        return ast.Literal(literals.parse_datetime(text), K.DATETIME, pos=pos)
    if kind == "DATE":
        return ast.Literal(literals.parse_date(text), K.DATE, pos=pos)
    if kind == "TIME":
        return ast.Literal(literals.parse_time(text), K.TIME, pos=pos)
    if kind == "GUID":
        return ast.Literal(text.lower(), K.GUID, pos=pos)
    if kind == "DECIMAL":
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise ValueError(f"number out of range: {text}")
        return ast.Literal(value, K.FLOAT, pos=pos)
    if kind == "INT":
        number = int(text)
        if number > literals.INT64_MAX:
            raise ValueError(f"integer out of range: {text}")
        return ast.Literal(number, K.INT, pos=pos)
    if kind == "NULL":
        return ast.Literal(None, K.NULL, pos=pos)
    return ast.Literal(kind == "TRUE", K.BOOL, pos=pos)


_BUILD = _Build()
_LOCK = threading.Lock()


def _make(start: str) -> Lark:
    return Lark(
        GRAMMAR, start=start, parser="lalr", lexer="contextual", transformer=_BUILD, cache=False
    )


_PARSERS = {name: _make(name) for name in ("filter", "orderby", "search")}


def _scan_parens(text: str, code: ErrorCode) -> None:
    """Refuse deep parenthesis nesting before the parser sees it (quotes respected)."""
    depth, quote = 0, ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
            if depth > MAX_PAREN_DEPTH:
                raise ODataError(
                    ErrorCode.LIMIT_EXCEEDED,
                    f"parentheses nested deeper than MAX_PAREN_DEPTH={MAX_PAREN_DEPTH}",
                    i,
                )
        elif ch == ")":
            depth -= 1


def _expected(names: set[str] | frozenset[str] | None) -> tuple[str, ...]:
    out: set[str] = set()
    for name in names or ():
        if name in _LITERALS:
            out.add("a literal")
        else:
            out.add(_FRIENDLY.get(name, name.lower()))
    return tuple(sorted(out))


def _syntax_error(exc: lark.exceptions.LarkError, text: str, code: ErrorCode) -> ODataError:
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            return ODataError(code, "unexpected end of input", len(text), _expected(exc.expected))
        pos = _pos(tok)
        return ODataError(code, f"unexpected {str(tok)!r}", pos, _expected(exc.expected))
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        return ODataError(code, f"unexpected character {text[pos]!r}", pos, _expected(exc.allowed))
    if isinstance(exc, lark.exceptions.UnexpectedEOF):
        return ODataError(code, "unexpected end of input", len(text), _expected(set(exc.expected)))
    return ODataError(code, "could not parse the expression", None)


def _parse(start: str, text: str, code: ErrorCode, max_length: int) -> Any:
    if not isinstance(text, str):
        raise ODataError(code, "expected a string", None)
    if len(text) > max_length:
        raise ODataError(
            ErrorCode.LIMIT_EXCEEDED, f"longer than {max_length} characters", max_length, text=None
        )
    if not text.strip():
        raise ODataError(code, "empty expression", 0, text=text)
    try:
        _scan_parens(text, code)
        with _LOCK:
            _BUILD.state = _Limits(code)
            try:
                return _PARSERS[start].parse(text)
            finally:
                _BUILD.state = _Limits(code)
    except ODataError as exc:
        raise exc.with_text(text) from None
    except lark.exceptions.VisitError as exc:
        if isinstance(exc.orig_exc, ODataError):
            raise exc.orig_exc.with_text(text) from None
        raise ODataError(code, "could not parse the expression", None, text=text) from None
    except lark.exceptions.LarkError as exc:
        raise _syntax_error(exc, text, code).with_text(text) from None
    except (RecursionError, ValueError, TypeError, IndexError):
        raise ODataError(code, "could not parse the expression", None, text=text) from None


def parse_filter(text: str) -> ast.Expr:
    """$filter text to an expression tree. Raises ODataError (INVALID_FILTER, LIMIT_EXCEEDED)."""
    result: ast.Expr = _parse("filter", text, ErrorCode.INVALID_FILTER, MAX_FILTER_LENGTH)
    return result


def parse_orderby(text: str) -> list[OrderItem]:
    """$orderby text to its items. Raises ODataError (INVALID_ORDERBY, LIMIT_EXCEEDED)."""
    result: list[OrderItem] = _parse("orderby", text, ErrorCode.INVALID_ORDERBY, MAX_ORDERBY_LENGTH)
    return result


def parse_search(text: str) -> SearchNode:
    """$search text to its tree. Raises ODataError (INVALID_SEARCH, LIMIT_EXCEEDED)."""
    nul = text.find("\x00") if isinstance(text, str) else -1
    if nul >= 0:  # FTS5 reads a NUL as the end of its query: refused, wherever it is
        raise ODataError(
            ErrorCode.INVALID_SEARCH, "a NUL character (U+0000) is not allowed", nul, text=text
        )
    result: SearchNode = _parse("search", text, ErrorCode.INVALID_SEARCH, MAX_SEARCH_LENGTH)
    return result

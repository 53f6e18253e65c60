"""Tree to SQL: the $filter compiler (OData 4.01 Part 2 URL Conventions §5.1.1, ABNF).

Output is ``Compiled(sql, params)``: a boolean expression over the catalog's alias, in SQLite's
dialect or PostgreSQL's (``dialect.py``), with every client value bound as a ``?`` parameter
(``dialect.numbered`` turns them into ``$n``) and every identifier taken from the catalog.

Null semantics, as OData 4.01 URL Conventions §5.1.1.1-5.1.1.2 defines them:

* ``eq``/``ne``: null equals null and nothing else (``x eq null`` -> ``x IS NULL``; two nullable
  operands -> ``a IS b``). Never null.
* ``gt``/``lt``: false if either operand is null; ``ge``/``le`` are "gt or eq", so true when both
  are null. Never null.
* ``and``/``or``/``not``: three-valued (null is unknown): null and false = false, null or true =
  true, not null = null; SQL's own logic. A row is selected when the filter is true.
* arithmetic with a null operand is null; a canonical function with a null argument is null.
* ``in``: membership as ``eq`` against each item (so null is in a list holding null).

SQL comparisons yield NULL where OData says false. Where only "is it true?" matters (the top of
the filter, under and/or, inside any/all), NULL and false are the same, so the plain comparison
is emitted and indexes stay usable; under ``not`` or as an operand the exact two-valued form is
used (``COALESCE(a > b, 0)``, ``a IS b``).

Lambdas ``rel/any(v: p)``, ``rel/any()`` and ``rel/all(v: p)`` become correlated ``EXISTS``
subqueries with a fresh alias per lambda. Inside a lambda, a path that starts with a lambda
variable is a field of that variable's entity; any other path (or ``$it/...``) is a field of the
entity being filtered.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import ast, postgres
from .ast import Kind
from .catalog import Catalog, Field, FieldType, render
from .check import NUMERIC, arithmetic_result, comparable, orderable
from .dialect import Dialect, spelling
from .errors import ErrorCode, ODataError
from .functions import DISPLAY, FUNCTIONS, check_pattern
from .limits import MAX_IN_LIST, MAX_LAMBDA_NESTING, check_limits
from .sqlparts import Compiled, Param, Part, fmt, join

__all__ = ["Compiled", "check_limits", "compile_expr"]

_KIND_OF = {
    FieldType.STRING: Kind.STRING,
    FieldType.INT: Kind.INT,
    FieldType.FLOAT: Kind.FLOAT,
    FieldType.BOOL: Kind.BOOL,
    FieldType.DATETIME: Kind.DATETIME,
    FieldType.DURATION: Kind.DURATION,
    FieldType.ENUM: Kind.ENUM,
    FieldType.GUID: Kind.GUID,
}
_SQL_OP = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}  # eq/ne: the dialect's null-safe forms
_ARITH = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%"}
_LITERAL_TYPES: dict[Kind, tuple[type, ...]] = {
    Kind.STRING: (str,),
    Kind.INT: (int,),
    Kind.FLOAT: (float, int),
    Kind.BOOL: (bool,),
    Kind.DATETIME: (int,),
    Kind.DATE: (int,),
    Kind.TIME: (int,),
    Kind.DURATION: (int,),
    Kind.GUID: (str,),
    Kind.ENUM: (str,),
}


@dataclass(frozen=True)
class _Typed:
    part: Part
    kind: Kind
    nullable: bool
    field: Field | None = None
    literal: ast.Literal | None = None


@dataclass(frozen=True)
class _Scope:
    catalog: Catalog
    alias: str


def _mismatch(message: str, pos: int) -> ODataError:
    return ODataError(ErrorCode.TYPE_MISMATCH, message, pos if pos >= 0 else None)


def _kind_name(t: _Typed) -> str:
    if t.kind is Kind.ENUM and t.field is not None and t.field.enum_name:
        return t.field.enum_name
    return t.kind.value


class _Compiler:
    def __init__(self, catalog: Catalog, dialect: Dialect = Dialect.SQLITE) -> None:
        self.pg = dialect is Dialect.POSTGRESQL
        self.s = spelling(dialect)
        self.root = _Scope(catalog, catalog.alias)
        self.vars: dict[str, _Scope] = {}
        self.lambdas = 0
        self.aliases = 0

    # --- entry ------------------------------------------------------------------------------
    def predicate(self, expr: ast.Expr, positive: bool) -> Part:
        t = self.expr(expr, positive)
        if t.kind not in (Kind.BOOL,):
            raise _mismatch(f"expected a Boolean expression, found {_kind_name(t)}", expr.pos)
        return t.part

    def expr(self, e: ast.Expr, positive: bool = False) -> _Typed:
        match e:
            case ast.Literal():
                return self.literal(e)
            case ast.Member():
                return self.member(e)
            case ast.BoolOp():
                parts = [self.predicate(item, positive) for item in e.items]
                sep = " AND " if e.op == "and" else " OR "
                joined = join(sep, parts)
                return _Typed(Part(f"({joined.sql})", joined.params), Kind.BOOL, True)
            case ast.Unary(op="not"):
                inner = self.predicate(e.operand, False)
                return _Typed(fmt("(NOT {0})", inner), Kind.BOOL, True)
            case ast.Unary():
                return self.negate(e)
            case ast.Binary() if e.op in _SQL_OP or e.op in ("eq", "ne"):
                return self.compare(e, positive)
            case ast.Binary():
                return self.arithmetic(e)
            case ast.In():
                return self.membership(e, positive)
            case ast.Call():
                return self.call(e)
            case ast.Lambda():
                return self.lambda_(e)
        raise ODataError(ErrorCode.INVALID_FILTER, f"not an expression: {type(e).__name__}")

    # --- leaves -----------------------------------------------------------------------------
    def bind(self, value: Param, kind: Kind) -> Part:
        """A bound value; on PostgreSQL cast to its type, so no placeholder's type is a guess."""
        cast = self.s.casts.get(kind)
        if cast is None:
            return Part.bind(value)
        if kind is Kind.FLOAT and isinstance(value, int):
            value = float(value)
        return Part(f"?::{cast}", (value,))

    def literal(self, lit: ast.Literal) -> _Typed:
        if lit.kind is Kind.NULL:
            return _Typed(Part("NULL"), Kind.NULL, True, literal=lit)
        allowed = _LITERAL_TYPES[lit.kind]
        bad_bool = isinstance(lit.value, bool) and lit.kind is not Kind.BOOL
        if not isinstance(lit.value, allowed) or bad_bool:
            raise _mismatch(f"{lit.value!r} is not a {lit.kind.value} value", lit.pos)
        value = lit.value
        if isinstance(value, bool) and not self.s.native_bool:
            value = int(value)
        return _Typed(self.bind(value, lit.kind), lit.kind, False, literal=lit)

    def member(self, m: ast.Member) -> _Typed:
        scope, path = self.resolve(m.path, m.pos)
        name = "/".join(path)
        f = scope.catalog.fields.get(name)
        if f is None:
            if name in scope.catalog.relations:
                raise _mismatch(
                    f"'{name}' is a collection: use {name}/any(x: ...) or {name}/all(x: ...)",
                    m.pos,
                )
            hint = scope.catalog.nearest(name)
            more = f"; did you mean {', '.join(hint)}?" if hint else ""
            value = _enum_value_named(scope.catalog.fields.values(), name)
            if value is not None:  # `status eq FAILED`: a value written without quotes
                more = f"; to compare with the value {value}, quote it: '{value}'"
            raise ODataError(
                ErrorCode.UNKNOWN_FIELD,
                f"{scope.catalog.entity} has no field '{name}'{more}",
                m.pos,
                tuple(hint),
            )
        if not f.filterable:
            raise ODataError(ErrorCode.UNKNOWN_FIELD, f"'{name}' cannot be filtered on", m.pos)
        sql = Part.raw(render(f.sql_for(self.pg), scope.alias))
        return _Typed(sql, _KIND_OF[f.type], f.nullable, field=f)

    def resolve(self, path: tuple[str, ...], pos: int) -> tuple[_Scope, tuple[str, ...]]:
        head = path[0]
        if head == "$it":
            scope, rest = self.root, path[1:]
        elif head in self.vars:
            scope, rest = self.vars[head], path[1:]
        else:
            scope, rest = self.root, path
        if not rest:
            raise _mismatch(f"'{head}' is an entity, not a value: name one of its fields", pos)
        return scope, rest

    # --- operators --------------------------------------------------------------------------
    def coerce(self, t: _Typed, other: _Typed) -> _Typed:
        """A literal read as the type of the field it is compared with."""
        lit = t.literal
        if lit is None or lit.kind is Kind.NULL:
            return t
        if other.kind is Kind.ENUM and other.field is not None:
            f = other.field
            qualifier = lit.qualifier.rsplit(".", 1)[-1].lower()
            if lit.kind is Kind.ENUM and f.enum_name and qualifier != f.enum_name.lower():
                raise _mismatch(f"{lit.qualifier} is not {f.enum_name}", lit.pos)
            if lit.kind in (Kind.STRING, Kind.ENUM) and isinstance(lit.value, str):
                folded = {v.lower(): v for v in f.enum_values}
                member = folded.get(lit.value.lower())
                if member is None:
                    raise _mismatch(
                        f"'{lit.value}' is not a {f.enum_name or f.path} value; expected one of "
                        + ", ".join(f.enum_values),
                        lit.pos,
                    )
                return _Typed(self.bind(member, Kind.ENUM), Kind.ENUM, False, literal=lit)
        if other.kind is Kind.GUID and lit.kind is Kind.STRING and isinstance(lit.value, str):
            try:
                guid = self.bind(str(uuid.UUID(lit.value)), Kind.GUID)
                return _Typed(guid, Kind.GUID, False, literal=lit)
            except ValueError:
                raise _mismatch(f"'{lit.value}' is not a Guid", lit.pos) from None
        return t

    def operands(self, e: ast.Binary) -> tuple[_Typed, _Typed]:
        left, right = self.expr(e.left), self.expr(e.right)
        return self.coerce(left, right), self.coerce(right, left)

    def compare(self, e: ast.Binary, positive: bool) -> _Typed:
        a, b = self.operands(e)
        ok = comparable(a.kind, b.kind) if e.op in ("eq", "ne") else orderable(a.kind, b.kind)
        if not ok:
            raise _mismatch(
                f"cannot compare {_kind_name(a)} with {_kind_name(b)} using '{e.op}'", e.pos
            )
        op = {"eq": self.s.same, "ne": self.s.differ}.get(e.op) or _SQL_OP[e.op]
        if Kind.NULL in (a.kind, b.kind):
            return _Typed(self.null_compare(e.op, a, b), Kind.BOOL, False)
        if e.op in ("eq", "ne"):
            # `=` and `<>` are what SQLite's planner matches to indexes (partial ones included);
            # they agree with IS / IS NOT wherever a NULL result cannot be told from false: when
            # neither side can be null, or for `eq` in a positive context with one side not null.
            plain = not (a.nullable or b.nullable) or (
                e.op == "eq" and positive and not (a.nullable and b.nullable)
            )
            if plain:
                op = "=" if e.op == "eq" else "<>"
            return _Typed(fmt(f"({{0}} {op} {{1}})", a.part, b.part), Kind.BOOL, False)
        both_null = a.nullable and b.nullable and e.op in ("ge", "le")
        if not (a.nullable or b.nullable) or (positive and not both_null):
            sql = fmt(f"({{0}} {op} {{1}})", a.part, b.part)
        elif both_null:
            sql = fmt(
                f"COALESCE({{0}} {op} {{1}}, {{0}} IS NULL AND {{1}} IS NULL)", a.part, b.part
            )
        else:
            sql = fmt(f"COALESCE({{0}} {op} {{1}}, {self.s.false})", a.part, b.part)
        return _Typed(sql, Kind.BOOL, False)

    def membership(self, e: ast.In, positive: bool) -> _Typed:
        if len(e.items) > MAX_IN_LIST:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED,
                f"more than MAX_IN_LIST={MAX_IN_LIST} values in an 'in' list",
                e.pos,
            )
        a = self.expr(e.operand)
        items = [self.coerce(self.expr(item), a) for item in e.items]
        for item, node in zip(items, e.items, strict=True):
            if not comparable(a.kind, item.kind):
                raise _mismatch(
                    f"cannot compare {_kind_name(a)} with {_kind_name(item)} in 'in'", node.pos
                )
        values = [i for i in items if i.kind is not Kind.NULL]
        has_null = len(values) < len(items)
        if all(i.literal is not None for i in values) and values:
            listed = join(", ", [i.part for i in values])
            test = fmt("{0} IN ({1})", a.part, Part(listed.sql, listed.params))
            if has_null:
                test = fmt("({0} OR {1} IS NULL)", test, a.part)
            elif a.nullable and not positive:
                test = fmt(f"COALESCE({{0}}, {self.s.false})", test)
            return _Typed(Part(f"({test.sql})", test.params), Kind.BOOL, False)
        tests = [fmt(f"{{0}} {self.s.same} {{1}}", a.part, i.part) for i in items]
        joined = join(" OR ", tests)
        return _Typed(Part(f"({joined.sql})", joined.params), Kind.BOOL, False)

    def arithmetic(self, e: ast.Binary) -> _Typed:
        a, b = self.operands(e)
        kind = arithmetic_result(e.op, a.kind, b.kind)
        if kind is None:
            raise _mismatch(f"cannot apply '{e.op}' to {_kind_name(a)} and {_kind_name(b)}", e.pos)
        if e.op in ("div", "divby", "mod") and b.literal is not None and b.literal.value == 0:
            raise ODataError(ErrorCode.INVALID_FILTER, "division by zero", e.right.pos)
        nullable = a.nullable or b.nullable or (e.op in ("div", "divby", "mod"))
        if e.op == "divby":
            real = f"(CAST({{0}} AS {self.s.real}) / {{1}})"
            return _Typed(fmt(real, a.part, b.part), kind, nullable)
        sql = fmt(f"({{0}} {_ARITH[e.op]} {{1}})", a.part, b.part)
        if self.pg and e.op == "mod" and Kind.FLOAT in (a.kind, b.kind):
            # SQLite's % reads its operands as integers; PostgreSQL has no % on double precision.
            sql = fmt("(CAST(trunc({0}) AS bigint) % CAST(trunc({1}) AS bigint))", a.part, b.part)
        if kind is Kind.DATE and e.op in ("add", "sub"):
            sql = fmt("({0} - (({0} % 86400000000) + 86400000000) % 86400000000)", sql)
        return _Typed(sql, kind, nullable)

    def negate(self, e: ast.Unary) -> _Typed:
        t = self.expr(e.operand)
        if t.kind not in NUMERIC | {Kind.DURATION, Kind.NULL}:
            raise _mismatch(f"cannot negate {_kind_name(t)}", e.pos)
        return _Typed(fmt("(- {0})", t.part), t.kind, t.nullable)

    # --- functions and lambdas --------------------------------------------------------------
    def call(self, e: ast.Call) -> _Typed:
        sig = FUNCTIONS.get(e.name)
        shown = DISPLAY.get(e.name, e.name)
        if sig is None:
            known = ", ".join(sorted(DISPLAY.get(n, n) for n in FUNCTIONS))
            raise ODataError(
                ErrorCode.INVALID_FILTER, f"unknown function '{e.name}'; known: {known}", e.pos
            )
        lo, hi = len(sig.params) - sig.optional, len(sig.params)
        if not lo <= len(e.args) <= hi:
            count = str(lo) if lo == hi else f"{lo} to {hi}"
            raise ODataError(ErrorCode.INVALID_FILTER, f"{shown}() takes {count} arguments", e.pos)
        args = [self.expr(arg) for arg in e.args]
        for i, (t, node) in enumerate(zip(args, e.args, strict=True)):
            if t.kind is not Kind.NULL and t.kind not in sig.params[i]:
                wanted = " or ".join(sorted(k.value for k in sig.params[i]))
                raise _mismatch(
                    f"argument {i + 1} of {shown}() must be {wanted}, found {_kind_name(t)}",
                    node.pos,
                )
        lits = [t.literal.value if t.literal is not None else None for t in args]
        self.check_call(e, shown, lits)
        result = sig.result or args[0].kind
        nullable = any(t.nullable for t in args) or e.name in ("substring", "matchespattern")
        build = postgres.FUNCTIONS.get(e.name, sig.sql) if self.pg else sig.sql
        parts = [t.part for t in args]
        inner = e.args[0] if e.args else None
        if (
            self.pg
            and e.name in postgres.INSENSITIVE
            and isinstance(inner, ast.Call)
            and inner.name == "tolower"
            and isinstance(lits[1], str)
            and lits[1] == lits[1].lower()
        ):
            # contains(tolower(x), 'abc') is x ILIKE '%abc%': the same rows, and indexable.
            build, parts[0] = postgres.INSENSITIVE[e.name], self.expr(inner.args[0]).part
        return _Typed(build(parts, lits), result, nullable)

    def check_call(self, e: ast.Call, shown: str, lits: Sequence[object]) -> None:
        if e.name == "substring":
            for value, node in zip(lits[1:], e.args[1:], strict=False):
                if isinstance(value, int) and value < 0:
                    raise ODataError(
                        ErrorCode.INVALID_FILTER, f"{shown}() needs non-negative numbers", node.pos
                    )
        if e.name == "matchespattern" and isinstance(lits[1], str):
            why = check_pattern(lits[1])
            if why is not None:
                raise ODataError(ErrorCode.INVALID_FILTER, why, e.args[1].pos)

    def lambda_(self, e: ast.Lambda) -> _Typed:
        head = e.path[0]
        scope, rest = (self.vars[head], e.path[1:]) if head in self.vars else (self.root, e.path)
        name = "/".join(rest)
        rel = scope.catalog.relations.get(name)
        if rel is None:
            hint = scope.catalog.nearest(name, scope.catalog.relations)
            more = f"; did you mean {', '.join(hint)}?" if hint else ""
            raise ODataError(
                ErrorCode.UNKNOWN_FIELD,
                f"{scope.catalog.entity} has no collection '{name}'{more}",
                e.pos,
                tuple(hint),
            )
        if self.lambdas >= MAX_LAMBDA_NESTING:
            raise ODataError(
                ErrorCode.LIMIT_EXCEEDED,
                f"any/all nested deeper than MAX_LAMBDA_NESTING={MAX_LAMBDA_NESTING}",
                e.pos,
            )
        self.aliases += 1
        alias = f"{rel.target.alias}{self.aliases}"
        source = render(rel.from_sql, alias)  # plain SQL in both dialects
        where = render(rel.correlate_sql, alias, scope.alias)
        if e.predicate is None:
            if e.kind == "all":
                raise ODataError(ErrorCode.INVALID_FILTER, "all() needs a predicate", e.pos)
            return _Typed(Part(f"EXISTS (SELECT 1 FROM {source} WHERE {where})"), Kind.BOOL, False)
        if e.var is None or e.var in self.vars or e.var == "$it":
            raise ODataError(
                ErrorCode.INVALID_FILTER, f"lambda variable '{e.var}' is already in use", e.pos
            )
        self.vars[e.var] = _Scope(rel.target, alias)
        self.lambdas += 1
        try:
            pred = self.predicate(e.predicate, True)
        finally:
            self.lambdas -= 1
            del self.vars[e.var]
        if e.kind == "any":
            sql = fmt(f"EXISTS (SELECT 1 FROM {source} WHERE {where} AND {{0}})", pred)
        else:
            sql = fmt(
                f"(NOT EXISTS (SELECT 1 FROM {source} WHERE {where} AND {{0}} IS NOT {self.s.true}))",
                pred,
            )
        return _Typed(sql, Kind.BOOL, False)

    def null_compare(self, op: str, a: _Typed, b: _Typed) -> Part:
        """Comparisons with the null literal, per §5.1.1.1: they are never null themselves."""
        other = b if a.kind is Kind.NULL else a
        true, false = self.s.true, self.s.false
        if other.kind is Kind.NULL:
            return Part(true if op in ("eq", "ge", "le") else false)
        if op in ("eq", "ge", "le"):
            return fmt("({0} IS NULL)", other.part)
        if op == "ne":
            return fmt("({0} IS NOT NULL)", other.part)
        return Part(false)


def compile_expr(expr: ast.Expr, catalog: Catalog, dialect: Dialect = Dialect.SQLITE) -> Compiled:
    """A tree (parsed, or built with the ``ast`` constructors) to ``(sql, params)``."""
    check_limits(expr)
    try:
        part = _Compiler(catalog, dialect).predicate(expr, True)
    except RecursionError:
        raise ODataError(ErrorCode.LIMIT_EXCEEDED, "expression too deeply nested") from None
    return Compiled(part.sql, part.params)


def _enum_value_named(fields: Iterable[Field], name: str) -> str | None:
    """The enum value of some field that `name` spells (case-insensitively), if any: an
    identifier that is no field but is a value was meant as a string literal."""
    folded = name.lower()
    for f in fields:
        for value in f.enum_values:
            if value.lower() == folded:
                return value
    return None

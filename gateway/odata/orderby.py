"""$orderby and keyset pagination (OData 4.01 Part 2 §5.1.5; DESIGN §4.5).

``compile_orderby`` turns ``startDateTime desc, displayName`` into an ``OrderBy``: the keys in
order, each a sortable catalog field, with the entity id appended as the unique last key. Nulls
sort as OData 4.01 Part 1 (Protocol) §11.2.6.2 says: "null values come before non-null values when
sorting in ascending order and after non-null values when sorting in descending order", which is
SQLite's own order (NULL is the smallest value), so no NULLS FIRST/LAST is emitted for SQLite;
PostgreSQL sorts NULL as the largest value, so its ORDER BY names them on nullable keys (and its
indexes are built ``NULLS FIRST`` to match).

``keyset_predicate(order, values)`` is the "strictly after this row" condition for the next page
(``before=True``: strictly before, for the previous page, read with ``order.sql(reverse=True)``).
It treats NULL as smaller than every value, exactly as the ORDER BY does, so paging never skips
or repeats a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .catalog import Catalog, render
from .dialect import Dialect
from .errors import ErrorCode, ODataError
from .limits import MAX_ORDERBY_KEYS
from .parser import OrderItem, parse_orderby
from .sqlparts import Compiled, Param, Part, fmt

__all__ = ["OrderBy", "OrderKey", "compile_orderby", "keyset_predicate", "order_by"]

ID_PATH = "id"


@dataclass(frozen=True)
class OrderKey:
    path: str
    sql: str
    descending: bool
    nullable: bool
    postgres_sql: str = ""  # where the field's PostgreSQL spelling differs

    def expr(self, dialect: Dialect) -> str:
        return (
            self.postgres_sql if dialect is Dialect.POSTGRESQL and self.postgres_sql else self.sql
        )


@dataclass(frozen=True)
class OrderBy:
    keys: tuple[OrderKey, ...]  # the id is the last key

    def sql(self, reverse: bool = False, dialect: Dialect = Dialect.SQLITE) -> str:
        """The ORDER BY list (without the keywords); ``reverse`` for backward paging."""
        if dialect is Dialect.POSTGRESQL:
            return ", ".join(_pg_key(k, k.descending != reverse) for k in self.keys)
        return ", ".join(
            f"{k.sql} {'DESC' if k.descending != reverse else 'ASC'}" for k in self.keys
        )

    @property
    def select_sql(self) -> tuple[str, ...]:
        """The key expressions, to select alongside each row and build its cursor."""
        return tuple(k.sql for k in self.keys)

    def select_for(self, dialect: Dialect) -> tuple[str, ...]:
        """``select_sql`` in a dialect."""
        return tuple(k.expr(dialect) for k in self.keys)


def _pg_key(key: OrderKey, descending: bool) -> str:
    sql = key.expr(Dialect.POSTGRESQL)
    if not key.nullable:
        return f"{sql} {'DESC' if descending else 'ASC'}"
    return f"{sql} {'DESC NULLS LAST' if descending else 'ASC NULLS FIRST'}"


def order_by(catalog: Catalog, items: Sequence[tuple[str, bool]], alias: str = "") -> OrderBy:
    """An OrderBy from (path, descending) pairs, for the GraphQL typed orderBy input."""
    parsed = [OrderItem(tuple(p.split("/")), d, -1) for p, d in items]
    return _build(catalog, parsed, alias or catalog.alias)


def compile_orderby(text: str | None, catalog: Catalog) -> OrderBy:
    """$orderby text to an OrderBy; empty or None orders by the id alone."""
    if text is None or not text.strip():
        return _build(catalog, [], catalog.alias)
    items = parse_orderby(text)
    try:
        return _build(catalog, items, catalog.alias)
    except ODataError as exc:
        raise exc.with_text(text) from None


def _build(catalog: Catalog, items: Sequence[OrderItem], alias: str) -> OrderBy:
    if len(items) > MAX_ORDERBY_KEYS:
        raise ODataError(
            ErrorCode.LIMIT_EXCEEDED, f"more than MAX_ORDERBY_KEYS={MAX_ORDERBY_KEYS} keys"
        )
    keys: list[OrderKey] = []
    seen: set[str] = set()
    for item in items:
        path = "/".join(item.path)
        pos = item.pos if item.pos >= 0 else None
        f = catalog.fields.get(path)
        if f is None:
            hint = catalog.nearest(path, catalog.fields)
            more = f"; did you mean {', '.join(hint)}?" if hint else ""
            raise ODataError(
                ErrorCode.UNKNOWN_FIELD,
                f"{catalog.entity} has no field '{path}'{more}",
                pos,
                tuple(hint),
            )
        if not f.sortable:
            raise ODataError(ErrorCode.INVALID_ORDERBY, f"'{path}' cannot be sorted on", pos)
        if path in seen:
            raise ODataError(ErrorCode.INVALID_ORDERBY, f"'{path}' is ordered on twice", pos)
        seen.add(path)
        pg = Part.raw(render(f.postgres_sql, alias)).sql if f.postgres_sql else ""
        sql = Part.raw(render(f.sql, alias)).sql
        keys.append(OrderKey(path, sql, item.descending, f.nullable, pg))
    # The id breaks ties in the direction of the last key, so that an index on (key, id) serves
    # the whole order in one scan, forwards or backwards.
    id_descending = keys[-1].descending if keys else False
    keys.append(OrderKey(ID_PATH, render(catalog.id_sql, alias), id_descending, False))
    return OrderBy(tuple(keys))


def _after(k: str, nullable: bool, value: Param, descending: bool) -> Part | None:
    """key strictly after value in this direction, NULL being the smallest value; None: never."""
    if not descending:
        if value is None:
            return Part(f"{k} IS NOT NULL")
        return fmt(f"{k} > {{0}}", Part.bind(value))
    if value is None:
        return None
    if nullable:
        return fmt(f"({k} < {{0}} OR {k} IS NULL)", Part.bind(value))
    return fmt(f"{k} < {{0}}", Part.bind(value))


def _equal(k: str, value: Param) -> Part:
    if value is None:
        return Part(f"{k} IS NULL")
    return fmt(f"{k} = {{0}}", Part.bind(value))


def keyset_predicate(
    order: OrderBy,
    values: Sequence[Param],
    *,
    before: bool = False,
    dialect: Dialect = Dialect.SQLITE,
) -> Compiled:
    """Rows strictly after (or before) the row whose key values are ``values`` (id last).
    On PostgreSQL a Boolean key's value is a bool (its columns are ``boolean``)."""
    bools = dialect is Dialect.POSTGRESQL
    if len(values) != len(order.keys) or not all(
        v is None or (isinstance(v, str | int | float) and (bools or not isinstance(v, bool)))
        for v in values
    ):
        raise ODataError(ErrorCode.INVALID_ORDERBY, "the cursor does not match the ordering")
    if values[-1] is None:
        raise ODataError(ErrorCode.INVALID_ORDERBY, "the cursor has no id")
    # Built from the last key outwards: after_1 OR (eq_1 AND (after_2 OR (eq_2 AND ...))).
    tail: Part | None = None
    for key, value in reversed(list(zip(order.keys, values, strict=True))):
        k = key.expr(dialect)
        after = _after(k, key.nullable, value, key.descending != before)
        if tail is None:
            tail = after
            continue
        rest = fmt("({0} AND {1})", _equal(k, value), tail)
        tail = rest if after is None else fmt("({0} OR {1})", after, rest)
    assert tail is not None
    first, value = order.keys[0], values[0]
    if len(order.keys) > 1 and not first.nullable and value is not None:
        # A redundant bound on the leading key lets SQLite seek into its index instead of
        # scanning from the start: pages cost the same at any depth.
        descending = first.descending != before
        first_sql = first.expr(dialect)
        bound = fmt(f"{first_sql} {'<=' if descending else '>='} {{0}}", Part.bind(value))
        tail = fmt("({0} AND {1})", bound, tail)
    return Compiled(tail.sql, tail.params)

"""Keyset pagination: `ORDER BY` with the id as last key, and the "after this row" predicate.

Pages are index range scans at any depth and never skip or repeat a row while rows are inserted.
Sort keys here are columns that are never null (the default orderings); nullable sort keys come
with the OData `$orderby` compiler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.domain.paging import PageRequest, decode_cursor, encode_cursor
from gateway.store.database import Connection, Row

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SortKey:
    column: str  # a column name of the queried table, qualified by its alias
    descending: bool


@dataclass(frozen=True, slots=True)
class Ordering:
    """A named, total order: its last key is the unique id."""

    name: str
    keys: tuple[SortKey, ...]

    def order_by(self, reverse: bool = False) -> str:
        parts = []
        for key in self.keys:
            descending = key.descending != reverse
            parts.append(f"{key.column} {'DESC' if descending else 'ASC'}")
        return ", ".join(parts)

    def seek(self, values: Sequence[Any], reverse: bool = False) -> tuple[str, list[Any]]:
        """`(sql, params)`: rows strictly after `values` in this order (before it if `reverse`)."""
        clauses = []
        params: list[Any] = []
        for i, key in enumerate(self.keys):
            descending = key.descending != reverse
            terms = [f"{k.column} = ?" for k in self.keys[:i]]
            terms.append(f"{key.column} {'<' if descending else '>'} ?")
            clauses.append("(" + " AND ".join(terms) + ")")
            params.extend(values[: i + 1])
        return "(" + " OR ".join(clauses) + ")", params

    def cursor(self, values: tuple[Any, ...]) -> str:
        return encode_cursor(self.name, values)


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of records with their cursors, in the requested order."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


async def fetch_page(
    conn: Connection,
    *,
    select: str,
    where: Sequence[str],
    params: Sequence[Any],
    ordering: Ordering,
    page: PageRequest,
    argument_prefix: str = "",
    convert: Callable[[Row], T],
    key_of: Callable[[Row], tuple[Any, ...]],
) -> Page[T]:
    """Run one keyset query: `select` is `SELECT … FROM table alias`, `where` its AND-ed filters."""
    clauses = list(where)
    all_params = list(params)
    if page.cursor is not None:
        argument = argument_prefix + ("after" if page.forward else "before")
        values = decode_cursor(page.cursor, ordering.name, len(ordering.keys), argument)
        seek_sql, seek_params = ordering.seek(values, reverse=not page.forward)
        clauses.append(seek_sql)
        all_params.extend(seek_params)
    sql = select
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += f" ORDER BY {ordering.order_by(reverse=not page.forward)} LIMIT ?"
    rows = await conn.fetchall(sql, [*all_params, page.limit + 1])
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if not page.forward:
        rows.reverse()
    return Page(
        items=[convert(row) for row in rows],
        cursors=[ordering.cursor(key_of(row)) for row in rows],
        has_next_page=more if page.forward else page.cursor is not None,
        has_previous_page=page.cursor is not None if page.forward else more,
    )


async def fetch_pages_by_parent(
    conn: Connection,
    *,
    table: str,
    parent_column: str,
    parent_ids: Sequence[str],
    ordering: Ordering,
    page: PageRequest,
    convert: Callable[[Row], T],
    key_of: Callable[[Row], tuple[Any, ...]],
) -> dict[str, Page[T]]:
    """One page per parent (the same page arguments for each), in one windowed statement.

    `table` is `name alias`; `parent_column` is qualified by that alias.
    """
    pages: dict[str, Page[T]] = {
        parent: Page([], [], False, page.cursor is not None) for parent in parent_ids
    }
    if not parent_ids or page.limit == 0:
        return pages
    marks = ", ".join("?" * len(parent_ids))
    clauses = [f"{parent_column} IN ({marks})"]
    params: list[Any] = list(parent_ids)
    if page.cursor is not None:
        argument = "after" if page.forward else "before"
        values = decode_cursor(page.cursor, ordering.name, len(ordering.keys), argument)
        seek_sql, seek_params = ordering.seek(values, reverse=not page.forward)
        clauses.append(seek_sql)
        params.extend(seek_params)
    alias = table.split()[-1]
    order = ordering.order_by(reverse=not page.forward)
    sql = (
        f"SELECT * FROM (SELECT {alias}.*, {parent_column} AS _parent, "
        f"row_number() OVER (PARTITION BY {parent_column} ORDER BY {order}) AS _rn "
        f"FROM {table} WHERE {' AND '.join(clauses)}) WHERE _rn <= ? ORDER BY _parent, _rn"
    )
    rows = await conn.fetchall(sql, [*params, page.limit + 1])
    grouped: dict[str, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row["_parent"], []).append(row)
    for parent, parent_rows in grouped.items():
        more = len(parent_rows) > page.limit
        kept = parent_rows[: page.limit]
        if not page.forward:
            kept.reverse()
        pages[parent] = Page(
            items=[convert(row) for row in kept],
            cursors=[ordering.cursor(key_of(row)) for row in kept],
            has_next_page=more if page.forward else page.cursor is not None,
            has_previous_page=page.cursor is not None if page.forward else more,
        )
    return pages

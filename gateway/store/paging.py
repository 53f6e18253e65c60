"""Lists with keyset pagination: AND-ed conditions and a total order compiled by the query
language, one page per statement, cursors that encode the row's sort-key values.

Pages are index seeks at any depth and never skip or repeat a row while rows are inserted. A
cursor names its ordering, so a cursor of one ordering is refused by another.

Every list is confined to the caller's workspaces here, in `build_query`: the condition joins the
client's, so pages, counts, cursors and filters all see only those rows. Relations reached from a
filter (a run's process, its activities, a process's runs) always share their row's workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby, islice
from operator import itemgetter
from typing import Any, Generic, Literal, TypeVar

from gateway.domain.auth import Workspaces
from gateway.domain.paging import PageRequest, decode_cursor, encode_cursor
from gateway.odata import (
    Catalog,
    Compiled,
    Dialect,
    OrderBy,
    ast,
    compile_expr,
    compile_filter,
    compile_orderby,
    compile_search,
    keyset_predicate,
)
from gateway.store import searched
from gateway.store.counts import counted
from gateway.store.protocol import Connection, Row

T = TypeVar("T")
FEW_CHILDREN = 16  # children per parent read at once before paging each parent in a window


Source = tuple[str, Any]  # what a condition was compiled from: ("filter", text), ("where", tree)...


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What to list: conditions (AND-ed) and a total order whose last key is the id.

    `where` is compiled for SQLite; `sources` keep what the client's conditions were compiled
    from, so `in_dialect` compiles them again for another engine (PostgreSQL)."""

    entity: str
    order: OrderBy
    where: tuple[Compiled, ...] = ()
    catalog: Catalog | None = None
    sources: tuple[Source, ...] = ()
    dialect: Dialect = Dialect.SQLITE

    def in_dialect(self, dialect: Dialect) -> ListQuery:
        """The same list in `dialect`'s SQL."""
        if dialect is self.dialect:
            return self
        base = self.where[: len(self.where) - len(self.sources)]  # written portable by hand
        catalog = self.catalog
        again = tuple(_compile(catalog, s, dialect) for s in self.sources) if catalog else ()
        return ListQuery(self.entity, self.order, base + again, self.catalog, self.sources, dialect)

    @property
    def signature(self) -> str:
        """Names the list and its order in each cursor, so no other list accepts it."""
        keys = ",".join(f"{k.path} {'desc' if k.descending else 'asc'}" for k in self.order.keys)
        return f"{self.entity}:{keys}"


def confine(catalog: Catalog, workspaces: Workspaces) -> Compiled | None:
    """The condition that keeps a list inside `workspaces` (every table has `workspace_id`)."""
    if workspaces.ids is None:
        return None
    return _confined(catalog, tuple(sorted(workspaces.ids)), Dialect.SQLITE)


def _confined(catalog: Catalog, ids: tuple[str, ...], dialect: Dialect) -> Compiled:
    if not ids:
        return Compiled("FALSE" if dialect is Dialect.POSTGRESQL else "0", ())
    marks = ", ".join("?" * len(ids))
    return Compiled(f"{catalog.alias}.workspace_id IN ({marks})", ids)


def _compile(catalog: Catalog, source: Source, dialect: Dialect) -> Compiled:
    kind, value = source
    if kind == "confine":
        return _confined(catalog, value, dialect)
    if kind == "filter":
        return compile_filter(value, catalog, dialect)
    if kind == "search":
        return compile_search(value, catalog, dialect)
    return compile_expr(value, catalog, dialect)


def build_query(
    catalog: Catalog,
    default: ListQuery,
    *,
    workspaces: Workspaces,
    filter: str | None = None,
    order_by: str | None = None,
    search: str | None = None,
    where: ast.Expr | None = None,
) -> ListQuery:
    """The list a client asked for: OData `$filter`, `$orderby` and `$search` over `catalog`,
    and a typed `where` already turned into the query language's AST (AND-ed with `filter`),
    inside the caller's `workspaces` (the context's `workspaces`)."""
    order = compile_orderby(order_by, catalog) if order_by and order_by.strip() else default.order
    sources: list[Source] = []
    if workspaces.ids is not None:
        sources.append(("confine", tuple(sorted(workspaces.ids))))
    if filter is not None and filter.strip():
        sources.append(("filter", filter))
    if search is not None and search.strip():
        sources.append(("search", search))
    if where is not None:
        sources.append(("where", where))
    conditions = [*default.where, *(_compile(catalog, s, Dialect.SQLITE) for s in sources)]
    return ListQuery(catalog.entity, order, tuple(conditions), catalog, tuple(sources))


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of records with their cursors, in the requested order."""

    items: list[T]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool


def check_cursor(query: ListQuery, page: PageRequest, argument_prefix: str = "") -> None:
    """Refuse a cursor that is not this list's now, before any page is fetched."""
    if page.cursor is not None:
        argument = argument_prefix + ("after" if page.forward else "before")
        decode_cursor(page.cursor, query.signature, len(query.order.keys), argument)


def _clauses(query: ListQuery, page: PageRequest, argument: str) -> tuple[list[str], list[Any]]:
    clauses = [c.sql for c in query.where]
    params: list[Any] = [p for c in query.where for p in c.params]
    if page.cursor is not None:
        values = decode_cursor(page.cursor, query.signature, len(query.order.keys), argument)
        seek = keyset_predicate(query.order, values, before=not page.forward, dialect=query.dialect)
        clauses.append(seek.sql)
        params.extend(seek.params)
    return clauses, params


def _select(alias: str, columns: Sequence[str]) -> str:
    return ", ".join(columns) if columns else f"{alias}.*"


def _keys_sql(query: ListQuery) -> str:
    keys = query.order.select_for(query.dialect)
    return ", ".join(f"{sql} AS _k{i}" for i, sql in enumerate(keys))


Key = str | int  # a column of a row: its name in a `sqlite3.Row`, its position in a tuple
Cursors = bool | Literal["last"]  # every row's cursor, none, or the last row's only


def _cursor_rows(rows: list[Row], cursors: Cursors, more: bool) -> list[Row]:
    """The rows to encode cursors of: with `"last"`, the last one, when there is more to read."""
    if cursors != "last":
        return rows
    return rows[-1:] if more else []


def as_is(row: Row) -> Row:
    """The `convert` that keeps rows as they come (the page's items are the rows themselves)."""
    return row


def _keys(query: ListQuery, columns: Sequence[str]) -> list[Key]:
    """Where a row has its sort keys (`_k0`, …): after the narrowed select list's columns, as
    positions in a tuple; by name in a row of every column."""
    n = len(query.order.keys)
    return list(range(len(columns), len(columns) + n)) if columns else [f"_k{i}" for i in range(n)]


def _with_keys(query: ListQuery, columns: Sequence[str], cursors: Cursors) -> str:
    """The sort keys after the select list, for cursors; narrowed rows without cursors need
    none (the order is the statement's: fewer values to decode, a third of a nested page's)."""
    return "" if columns and not cursors else f", {_keys_sql(query)}"


async def _fetch(
    conn: Connection, sql: str, params: list[Any], columns: Sequence[str]
) -> list[Row]:
    """A narrowed select list's rows are plain tuples (cheaper; positions are known)."""
    if columns:
        return await conn.fetch_tuples(sql, params)  # type: ignore[return-value]  # tuples are read by position only, as rows are
    return await conn.fetchall(sql, params)


def _page(
    rows: list[Row],
    query: ListQuery,
    page: PageRequest,
    convert: Callable[[Row], T],
    cursors: Cursors,
    keys: list[Key],
) -> Page[T]:
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    if not page.forward:
        rows.reverse()
    return Page(
        items=rows if convert is as_is else [convert(row) for row in rows],  # type: ignore[arg-type]  # with `as_is`, T is Row
        cursors=_cursors(_cursor_rows(rows, cursors, more), query, keys) if cursors else [],
        has_next_page=more if page.forward else page.cursor is not None,
        has_previous_page=page.cursor is not None if page.forward else more,
    )


def _cursors(rows: list[Row], query: ListQuery, keys: list[Key]) -> list[str]:
    signature = query.signature
    return [encode_cursor(signature, tuple(row[k] for k in keys)) for row in rows]


async def fetch_page(
    conn: Connection,
    *,
    table: str,
    query: ListQuery,
    page: PageRequest,
    convert: Callable[[Row], T],
    argument_prefix: str = "",
    columns: Sequence[str] = (),
    cursors: Cursors = True,
) -> Page[T]:
    """One page of `table` (`name alias`) in one statement; `columns` narrows the select list
    (default: every column of the table, as `sqlite3.Row`s) and makes the rows plain tuples in
    its order (then the sort keys); `cursors=False` leaves the page's cursors empty, `"last"` gives
    the last row's alone, when more rows follow (all a next page needs)."""
    query = query.in_dialect(conn.dialect)
    if page.limit == 0:
        return Page([], [], False, False)
    alias = table.split()[-1]
    argument = argument_prefix + ("after" if page.forward else "before")
    clauses, params = _clauses(query, page, argument)
    select = f"SELECT {_select(alias, columns)}{_with_keys(query, columns, cursors)} FROM {table}"
    order = query.order.sql(not page.forward, query.dialect)

    async def fetch(sql: str, params: list[Any]) -> list[Row]:
        return await _fetch(conn, sql, params, columns)

    walked = await searched.rows(
        conn,
        table=table,
        alias=alias,
        query=query,
        page=page,
        clauses=clauses,
        params=params,
        select=select,
        fetch=fetch,
    )
    if walked is not None:  # a search with many matches: its page, found by walking the order
        return _page(walked, query, page, convert, cursors, _keys(query, columns))
    if clauses and query.dialect is Dialect.SQLITE:
        # The page's rows are found by their rowids first (conditions and order over an index
        # when one covers them), then read: a condition on one key ordered by another sorts
        # index entries, not whole rows (a week's runs, newest first, of 1,000,000: 241 -> 77
        # ms); for conditions an index serves in order, it costs the same.
        found = f"SELECT {alias}.rowid FROM {table} WHERE {' AND '.join(clauses)}"
        sql = f"{select} WHERE {alias}.rowid IN ({found} ORDER BY {order} LIMIT ?) ORDER BY {order}"
    elif clauses:
        sql = f"{select} WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT ?"
    else:
        sql = f"{select} ORDER BY {order} LIMIT ?"
    rows = await _fetch(conn, sql, [*params, page.limit + 1], columns)
    return _page(rows, query, page, convert, cursors, _keys(query, columns))


async def count(conn: Connection, *, table: str, query: ListQuery) -> int:
    """How many rows the list has, whatever the page (runs by status and workspace from the
    counts the database keeps: `gateway/store/counts.py`)."""
    query = query.in_dialect(conn.dialect)
    found = counted(query.entity, query.where, query.dialect)
    if found is not None:
        sql, params = found
    else:
        sql = f"SELECT count(*) FROM {table}"
        if query.where:
            sql += " WHERE " + " AND ".join(c.sql for c in query.where)
        params = [p for c in query.where for p in c.params]
    row = await conn.fetchone(sql, params)
    return int(row[0]) if row else 0


async def fetch_pages_by_parent(
    conn: Connection,
    *,
    table: str,
    parent_column: str,
    parent_ids: Sequence[str],
    query: ListQuery,
    page: PageRequest,
    convert: Callable[[Row], T],
    columns: Sequence[str] = (),
    cursors: Cursors = True,
) -> dict[str, Page[T]]:
    """One page per parent (the same arguments for each), usually in one statement.

    When the parents have few children (at most `max(limit + 1, FEW_CHILDREN)` each on average,
    like a run's activities), one statement reads them all in index order and each parent's page
    is cut from its rows. When they have more (a process's runs), that statement stops after
    that many rows, and a second one pages each parent in a window (`row_number() OVER
    (PARTITION BY …)`), which reads every child of the parents all the same.

    `table` is `name alias`; `parent_column` is qualified by that alias; `columns` narrows the
    select list (default: every column of the table) and makes the rows plain tuples in its order
    (then the sort keys and the parent's id); `cursors` as `fetch_page`'s.
    """
    query = query.in_dialect(conn.dialect)
    after_cursor = page.cursor is not None
    if not parent_ids or page.limit == 0:
        return {parent: Page([], [], False, after_cursor) for parent in parent_ids}
    alias = table.split()[-1]
    clauses, params = _clauses(query, page, "after" if page.forward else "before")
    marks = ", ".join("?" * len(parent_ids))
    clauses.insert(0, f"{parent_column} IN ({marks})")
    params[:0] = list(parent_ids)
    order = query.order.sql(not page.forward, query.dialect)
    keyed = _with_keys(query, columns, cursors)
    select = f"{_select(alias, columns)}{keyed}, {parent_column} AS _parent"
    where = " AND ".join(clauses)
    per_parent = page.limit + 1
    most = max(per_parent, FEW_CHILDREN) * len(parent_ids)
    rows = await _fetch(
        conn,
        f"SELECT {select} FROM {table} WHERE {where} ORDER BY {parent_column}, {order} LIMIT ?",
        [*params, most + 1],
        columns,
    )
    if len(rows) > most:
        rows = await _fetch(
            conn,
            f"SELECT * FROM (SELECT {select}, row_number() OVER (PARTITION BY {parent_column} "
            f"ORDER BY {order}) AS _rn FROM {table} WHERE {where}) AS _w WHERE _rn <= ? "
            "ORDER BY _parent, _rn",
            [*params, per_parent],
            columns,
        )
    keys = _keys(query, columns) if keyed else []
    parent_key: Key = len(columns) + len(keys) if columns else "_parent"
    pages: dict[str, Page[T]] = {}
    if cursors or convert is not as_is:
        for parent, parent_rows in groupby(rows, key=itemgetter(parent_key)):  # by parent
            chosen = list(islice(parent_rows, per_parent))
            pages[parent] = _page(chosen, query, page, convert, cursors, keys)
    else:  # the rows as they are, no cursors: `_page`'s work without a call per parent
        limit, forward = page.limit, page.forward
        for parent, parent_rows in groupby(rows, key=itemgetter(parent_key)):
            chosen = list(islice(parent_rows, per_parent))
            more = len(chosen) > limit
            if more:
                del chosen[limit:]
            if not forward:
                chosen.reverse()
            pages[parent] = Page(
                chosen,  # type: ignore[arg-type]  # with `as_is`, T is Row
                [],
                more if forward else after_cursor,
                after_cursor if forward else more,
            )
    if len(pages) < len(parent_ids):
        for parent in parent_ids:
            if parent not in pages:
                pages[parent] = Page([], [], False, after_cursor)
    return pages


async def count_by_parent(
    conn: Connection,
    *,
    table: str,
    parent_column: str,
    parent_ids: Sequence[str],
    query: ListQuery,
) -> dict[str, int]:
    """How many rows each parent's list has, in one statement."""
    query = query.in_dialect(conn.dialect)
    if not parent_ids:
        return {}
    marks = ", ".join("?" * len(parent_ids))
    clauses = [f"{parent_column} IN ({marks})", *(c.sql for c in query.where)]
    params = [*parent_ids, *(p for c in query.where for p in c.params)]
    rows = await conn.fetchall(
        f"SELECT {parent_column}, count(*) FROM {table} WHERE {' AND '.join(clauses)} "
        f"GROUP BY {parent_column}",
        params,
    )
    counts = dict.fromkeys(parent_ids, 0)
    counts.update({row[0]: row[1] for row in rows})
    return counts


async def fetch_matching(
    conn: Connection,
    *,
    table: str,
    query: ListQuery,
    limit: int,
    convert: Callable[[Row], T],
) -> list[T]:
    """Up to `limit` rows of the list in its order, with no cursors (for bulk changes)."""
    query = query.in_dialect(conn.dialect)
    alias = table.split()[-1]
    sql = f"SELECT {alias}.* FROM {table}"
    if query.where:
        sql += " WHERE " + " AND ".join(c.sql for c in query.where)
    sql += f" ORDER BY {query.order.sql(False, query.dialect)} LIMIT ?"
    rows = await conn.fetchall(sql, [*(p for c in query.where for p in c.params), limit])
    return [convert(row) for row in rows]


async def fetch_rows_by_id(
    conn: Connection, *, table: str, ids: Sequence[str], columns: Sequence[str]
) -> list[Row]:
    """The rows of `table` (`name alias`) with these ids as plain tuples of `columns` (catalog
    SQL over the alias), in one statement, in no particular order."""
    if not ids:
        return []
    alias = table.split()[-1]
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {alias}.id IN ({marks})"
    return await conn.fetch_tuples(sql, list(ids))  # type: ignore[return-value]  # tuples are read by position only, as rows are

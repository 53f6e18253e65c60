"""Pages written as JSON by PostgreSQL itself: one statement gives a list's page, each row's
object already encoded, its child lists (a run's activities) nested in it, as the text of a
JSON array the response carries as it is (no record decoded, no object built in Python).

The shape of each object is described by the caller (the fast path's plan, `api/fastpath/json.py`)
with `Value`, `Object`, `Typed` and `Child`; this module turns it into SQL. The text is exactly
what `orjson.dumps(..., option=OPT_UTC_Z)` writes for the same values (no whitespace, the same
string escapes, times as ISO 8601 with `Z` and microseconds only when there are any), so either
way of answering gives the same bytes; the tests compare them. The rows are the ones
`paging.fetch_page` and `paging.fetch_pages_by_parent` read: the same conditions (the caller's
workspaces among them), cursors and order, and each parent's first `limit` children.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.domain.paging import PageRequest
from gateway.odata import Dialect
from gateway.store.paging import ListQuery, page_clauses
from gateway.store.protocol import Connection


class Kind(enum.Enum):
    """How a column's value is written (the fast path's conversions that SQL can do exactly)."""

    PLAIN = "plain"  # text, integers, booleans: `to_json`
    BOOL = "bool"  # 0/1 (or a boolean) to false/true
    DATETIME = "datetime"  # microseconds since the epoch to "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"
    DURATION_MS = "duration_ms"  # (start, end) microseconds to whole milliseconds, floored
    ETAG = "etag"  # a version to `W/"<version>"`
    EMPTY_NULL = "empty_null"  # an empty text to null


@dataclass(frozen=True, slots=True)
class Value:
    """One column of the row (an SQL expression over the table's alias), written as `kind`."""

    sql: str
    kind: Kind = Kind.PLAIN
    end: str = ""  # a duration's end column


@dataclass(frozen=True, slots=True)
class Constant:
    """A value the same for every row (a `__typename`), written as JSON."""

    value: Any


@dataclass(slots=True)
class Object:
    """A JSON object of the row: its fields in order; null when `null_when` is NULL."""

    fields: list[tuple[str, Node]]
    null_when: str = ""


@dataclass(slots=True)
class Typed:
    """An object whose fields depend on the row's kind: `discriminator`'s value picks one. A
    row of any other kind fails the statement (the caller answers another way then)."""

    discriminator: str
    objects: dict[str, Object]


@dataclass(slots=True)
class Child:
    """A list under each row (a connection): `parent_column` of the child table names the
    row's `parent_id`. `parts` are the connection's fields: ("typename", name),
    ("totalCount", None) or ("nodes", the node's shape). Its query and page come per request:
    `lists[index]`."""

    index: int
    table: str  # `name alias`
    parent_column: str  # qualified by the child's alias
    parent_id: str  # the parent row's id, qualified by the parent's alias
    parts: list[tuple[str, str, Any]] = field(default_factory=list)


Node = Value | Constant | Object | Typed | Child
Lists = Sequence[tuple[ListQuery, PageRequest]]  # each Child's list, by its index


class Backward(Exception):
    """A page read backwards (`last`/`before`): not written here (the caller reads it itself)."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


_US = 1_000_000


def _datetime(sql: str) -> str:
    # The timestamp's text in the ISO date style the pool sets: `YYYY-MM-DD HH:MM:SS[.f...]`,
    # trailing zeros of the fraction dropped; padded back to six digits, with `T` and `Z`.
    v = f"({sql})"
    text = f"(timestamp 'epoch' + {v} * interval '1 microsecond')::text"
    width = f"CASE WHEN {v} % {_US} = 0 THEN 19 ELSE 26 END"
    return (
        f"CASE WHEN {v} IS NULL THEN 'null' "
        f"ELSE '\"' || replace(rpad({text}, {width}, '0'), ' ', 'T') || 'Z\"' END"
    )


def _value(value: Value) -> str:
    v = f"({value.sql})"
    match value.kind:
        case Kind.PLAIN:
            return f"coalesce(to_json{v}::text, 'null')"
        case Kind.BOOL:
            return (
                f"CASE WHEN {v} IS NULL THEN 'null' WHEN {v}::int <> 0 THEN 'true' ELSE 'false' END"
            )
        case Kind.DATETIME:
            return _datetime(value.sql)
        case Kind.DURATION_MS:
            end = f"({value.end})"
            return (
                f"CASE WHEN {v} IS NULL OR {end} IS NULL THEN 'null' "
                f"ELSE floor(({end} - {v}) / 1000.0)::bigint::text END"
            )
        case Kind.ETAG:
            return f"coalesce(to_json('W/\"' || {v}::text || '\"')::text, 'null')"
        case Kind.EMPTY_NULL:
            return f"coalesce(to_json(nullif({v}, ''))::text, 'null')"
    raise AssertionError(value.kind)  # pragma: no cover


class _Writer:
    """SQL text of a shape, with its parameters in the order their marks appear."""

    def __init__(self, lists: Lists, dialect: Dialect) -> None:
        self.lists = lists
        self.dialect = dialect
        self.params: list[Any] = []

    def node(self, node: Node) -> str:
        if isinstance(node, Value):
            return _value(node)
        if isinstance(node, Constant):
            return _literal(_json(node.value))
        if isinstance(node, Object):
            return self.object(node)
        if isinstance(node, Typed):
            return self.typed(node)
        return self.child(node)

    def concat(self, pieces: list[tuple[bool, str]]) -> str:
        """`||` of pieces: (True, literal text) merged with its neighbours, or (False, SQL)."""
        out: list[str] = []
        text = ""
        for is_text, piece in pieces:
            if is_text:
                text += piece
                continue
            if text:
                out.append(_literal(text))
                text = ""
            out.append(piece)
        if text:
            out.append(_literal(text))
        return " || ".join(out) if out else "''"

    def pieces(self, fields: list[tuple[str, Node]]) -> list[tuple[bool, str]]:
        pieces: list[tuple[bool, str]] = [(True, "{")]
        for n, (key, node) in enumerate(fields):
            pieces.append((True, ("," if n else "") + _json(key) + ":"))
            pieces.append(self.piece(node))
        pieces.append((True, "}"))
        return pieces

    def object(self, node: Object) -> str:
        text = self.concat(self.pieces(node.fields))
        if node.null_when:
            return f"CASE WHEN ({node.null_when}) IS NULL THEN 'null' ELSE {text} END"
        return text

    def typed(self, node: Typed) -> str:
        d = f"({node.discriminator})"
        # A row of no known kind: division by zero, only when such a row is met.
        otherwise = f"(length({d}::text) / 0)::text"
        objects = list(node.objects.items())
        keys = [[k for k, _ in o.fields] for _, o in objects]
        nulls = {o.null_when for _, o in objects}
        if len(objects) == 1 or not (all(k == keys[0] for k in keys) and len(nulls) == 1):
            whens = " ".join(f"WHEN {_literal(kind)} THEN {self.object(o)}" for kind, o in objects)
            return f"CASE {d} {whens} ELSE {otherwise} END"
        # The same keys on every kind: one object, a CASE only where the kinds differ.
        pieces: list[tuple[bool, str]] = [(True, "{")]
        for n, key in enumerate(keys[0]):
            pieces.append((True, ("," if n else "") + _json(key) + ":"))
            nodes = [dict(o.fields)[key] for _, o in objects]
            first = nodes[0]
            if all(x == first for x in nodes):
                pieces.append(self.piece(first))
                continue
            whens = " ".join(
                f"WHEN {_literal(kind)} THEN {self.node(x)}"
                for (kind, _), x in zip(objects, nodes, strict=True)
            )
            pieces.append((False, f"CASE {d} {whens} END"))
        pieces.append((True, "}"))
        known = ", ".join(_literal(kind) for kind, _ in objects)
        text = f"CASE WHEN {d} IN ({known}) THEN {self.concat(pieces)} ELSE {otherwise} END"
        null_when = objects[0][1].null_when
        if null_when:
            return f"CASE WHEN ({null_when}) IS NULL THEN 'null' ELSE {text} END"
        return text

    def piece(self, node: Node) -> tuple[bool, str]:
        if isinstance(node, Constant):
            return (True, _json(node.value))
        return (False, self.node(node))

    def rows(self, table: str, query: ListQuery, page: PageRequest, node: Node, extra: str) -> str:
        """`ARRAY(...)` of the page's objects in the list's order (`extra`: a condition first)."""
        if not page.forward:
            raise Backward
        selected = self.node(node)  # its marks come first in the text
        where, params = page_clauses(query, page, "after")
        if extra:
            where.insert(0, extra)
        self.params.extend(params)
        self.params.append(page.limit)
        order = query.order.sql(False, query.dialect)
        condition = f" WHERE {' AND '.join(where)}" if where else ""
        # The objects are written after the sort and the limit (PostgreSQL evaluates a costly
        # select list above them), in the statement's order, which ARRAY keeps.
        rows = f"SELECT {selected} FROM {table}{condition} ORDER BY {order} LIMIT ?"
        return f"array_to_string(ARRAY({rows}), ',')"

    def child(self, node: Child) -> str:
        query, page = self.lists[node.index]
        query = query.in_dialect(self.dialect)
        link = f"{node.parent_column} = {node.parent_id}"
        pieces: list[tuple[bool, str]] = [(True, "{")]
        for n, (key, kind, detail) in enumerate(node.parts):
            pieces.append((True, ("," if n else "") + _json(key) + ":"))
            if kind == "typename":
                pieces.append((True, _json(detail)))
            elif kind == "totalCount":
                where = [link, *(c.sql for c in query.where)]
                self.params.extend(p for c in query.where for p in c.params)
                count = f"SELECT count(*) FROM {node.table} WHERE {' AND '.join(where)}"
                pieces.append((False, f"({count})::text"))
            elif page.limit == 0:
                pieces.append((True, "[]"))
            else:
                pieces.append((True, "["))
                pieces.append((False, self.rows(node.table, query, page, detail, link)))
                pieces.append((True, "]"))
        pieces.append((True, "}"))
        return self.concat(pieces)


def page_sql(
    *, table: str, query: ListQuery, page: PageRequest, node: Node, lists: Lists
) -> tuple[str, list[Any]]:
    """The statement (and its parameters) of one page written as a JSON array of `node`s.
    Raises `Backward` for a page read backwards."""
    writer = _Writer(lists, Dialect.POSTGRESQL)
    query = query.in_dialect(Dialect.POSTGRESQL)
    if page.limit == 0:
        return "SELECT '[]'", []
    rows = writer.rows(table, query, page, node, "")
    return f"SELECT '[' || {rows} || ']'", writer.params


async def fetch_json_page(
    conn: Connection, *, table: str, query: ListQuery, page: PageRequest, node: Node, lists: Lists
) -> str:
    """One page of `table` as the text of a JSON array of `node`s (see `page_sql`)."""
    sql, params = page_sql(table=table, query=query, page=page, node=node, lists=lists)
    row = await conn.fetchone(sql, params)
    assert row is not None
    text: str = row[0]
    return text

"""The select lists of narrowed pages (the fast path's): the SQL that selects a catalog field or a
plain column, so SQL text stays in the store. A plain column keeps its name as its label; an
expression (a catalog field computed from several columns) gets one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.odata import Catalog
from gateway.odata.catalog import render
from gateway.store.protocol import Connection


def column(alias: str, name: str) -> str:
    """The select-list SQL of a plain column of the table aliased `alias`."""
    return f"{alias}.{name}"


def field_column(catalog: Catalog, path: str, label: str) -> tuple[str, str]:
    """(label, select-list SQL) of a catalog field: a plain column keeps its own name as label;
    an expression is selected `AS label`."""
    sql = render(catalog.fields[path].sql, catalog.alias)
    name = sql.removeprefix(f"{catalog.alias}.")
    if name.isidentifier():
        return name, sql
    return label, f"({sql}) AS {label}"


def first_of(alias: str, names: Sequence[str], label: str) -> str:
    """The select-list SQL of the first of these columns that is not NULL, as `label`."""
    return f"coalesce({', '.join(column(alias, n) for n in names)}) AS {label}"


async def fetch_by_ids(
    conn: Connection, *, table: str, ids: Sequence[str], columns: Sequence[str]
) -> dict[str, tuple[Any, ...]]:
    """The rows of `table` (`name alias`) with these ids in one statement, narrowed to
    `columns` (the first of which is the id), by id."""
    if not ids:
        return {}
    alias = table.split()[-1]
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {alias}.id IN ({marks})"
    return {row[0]: row for row in await conn.fetch_tuples(sql, list(ids))}

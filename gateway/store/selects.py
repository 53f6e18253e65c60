"""The select lists of narrowed pages (the fast path's): the SQL that selects a catalog field or a
plain column, so SQL text stays in the store. A plain column keeps its name as its label; an
expression (a catalog field computed from several columns) gets one."""

from __future__ import annotations

from gateway.odata import Catalog
from gateway.odata.catalog import render


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

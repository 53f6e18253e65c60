"""Narrow reads: when every property a `$select` names is a catalog field (or a complex property
whose every part is, like `durations`), a list reads just those columns as tuples and writes the
OData objects straight from them, with no records in between (the same plan GraphQL's fast path
follows; a page of 100 runs costs a third). Anything else reads whole records (`json_format`).

A row is `(type discriminator, version, id, *fields)`: the discriminator (a run's `source`, an
activity's `kind`) names the derived type for `@odata.type`, the version makes `@odata.etag`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gateway.domain.models import ACTIVITY_CLASSES, RUN_CLASSES, etag
from gateway.odata import Catalog, FieldType
from gateway.odata.catalog import render
from gateway.odata_http.model import MODEL, NAMESPACE, Kind
from gateway.store.catalogs import ACTIVITIES, PROCESSES, RUNS, VERSION_SQL

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
Row = tuple[Any, ...]


def _time(v: Any) -> Any:
    return None if v is None else _EPOCH + _MICROSECOND * v


def _bool(v: Any) -> Any:
    return None if v is None else bool(v)


_CONVERT: dict[FieldType, Callable[[Any], Any] | None] = {
    FieldType.DATETIME: _time,
    FieldType.BOOL: _bool,
}
_CATALOGS: dict[str, Catalog] = {"Run": RUNS, "Activity": ACTIVITIES, "Process": PROCESSES}
_DISCRIMINATORS: dict[str, tuple[str, dict[str, str]]] = {
    "Run": ("source", {s.value: c.__name__ for s, c in RUN_CLASSES.items()}),
    "Activity": ("kind", {k.value: c.__name__ for k, c in ACTIVITY_CLASSES.items()}),
}


@dataclass(frozen=True)
class Projection:
    columns: tuple[str, ...]
    write: Callable[[Row], dict[str, Any]]

    @staticmethod
    def id_of(row: Row) -> str:
        return str(row[2])


def _getter(i: int, field_type: FieldType) -> Callable[[Row], Any]:
    convert = _CONVERT.get(field_type)
    if convert is None:
        return lambda row: row[i]
    return lambda row: convert(row[i])


@functools.cache
def projection(type_name: str, select: frozenset[str] | None) -> Projection | None:
    """The narrow read of a base type's list for `select`, or None when it needs whole records."""
    catalog = _CATALOGS.get(type_name)
    if catalog is None or select is None:
        return None
    alias = catalog.alias
    discriminator, types = _DISCRIMINATORS.get(type_name, ("id", {}))
    columns = [render(catalog.fields[discriminator].sql, alias), render(VERSION_SQL, alias)]
    columns.append(render(catalog.fields["id"].sql, alias))
    getters: dict[str, Callable[[Row], Any]] = {}
    family = [type_name, *(t.name for t in MODEL.derived(type_name))]
    properties = {p.name: p for name in family for p in MODEL.properties(name)}
    for name in sorted(select):
        p = properties[name]
        if p.collection:
            return None
        if p.kind is Kind.COMPLEX:
            parts = MODEL.properties(p.type.removeprefix(f"{NAMESPACE}."))
            paths = [f"{name}/{part.name}" for part in parts]
            if p.nullable or not all(path in catalog.fields for path in paths):
                return None
            inner: list[tuple[str, Callable[[Row], Any]]] = []
            for part, path in zip(parts, paths, strict=True):
                columns.append(render(catalog.fields[path].sql, alias))
                inner.append((part.name, _getter(len(columns) - 1, catalog.fields[path].type)))
            getters[name] = _complex(inner)
            continue
        found = catalog.fields.get(name)
        if found is None or "/" in name:
            return None
        columns.append(render(found.sql, alias))
        getters[name] = _getter(len(columns) - 1, found.type)
    writers = {
        value: _writer(derived, [(n, g) for n, g in getters.items() if _has(derived, n)])
        for value, derived in types.items()
    }
    plain = _writer(type_name, list(getters.items()), annotate_type=False)

    def write(row: Row) -> dict[str, Any]:
        return (writers.get(row[0]) or plain)(row)

    return Projection(tuple(columns), write)


def _complex(parts: list[tuple[str, Callable[[Row], Any]]]) -> Callable[[Row], Any]:
    return lambda row: {name: get(row) for name, get in parts}


def _has(type_name: str, name: str) -> bool:
    return any(p.name == name for p in MODEL.properties(type_name))


def _writer(
    type_name: str,
    getters: list[tuple[str, Callable[[Row], Any]]],
    *,
    annotate_type: bool = True,
) -> Callable[[Row], dict[str, Any]]:
    annotation = f"#{NAMESPACE}.{type_name}"

    def write(row: Row) -> dict[str, Any]:
        out: dict[str, Any] = {"@odata.type": annotation} if annotate_type else {}
        out["@odata.etag"] = etag(row[1])
        for name, get in getters:
            out[name] = get(row)
        return out

    return write

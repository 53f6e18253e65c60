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


_CATALOGS: dict[str, Catalog] = {"Run": RUNS, "Activity": ACTIVITIES, "Process": PROCESSES}
_DISCRIMINATORS: dict[str, tuple[str, dict[str, str]]] = {
    "Run": ("source", {s.value: c.__name__ for s, c in RUN_CLASSES.items()}),
    "Activity": ("kind", {k.value: c.__name__ for k, c in ACTIVITY_CLASSES.items()}),
}


@dataclass(frozen=True)
class Projection:
    columns: tuple[str, ...]
    write: Callable[[Row], dict[str, Any]]
    keys: dict[str, int]  # catalog path (`process/id`) -> its column, read but not written

    @staticmethod
    def id_of(row: Row) -> str:
        return str(row[2])


def _expression(i: int, field_type: FieldType) -> str:
    """Python source for column `i`'s value of `row`, converted as its field type says."""
    if field_type is FieldType.DATETIME:
        return f"(None if (v{i:d} := row[{i:d}]) is None else _EPOCH + _MICROSECOND * v{i:d})"
    if field_type is FieldType.BOOL:
        return f"(None if (v{i:d} := row[{i:d}]) is None else bool(v{i:d}))"
    return f"row[{i:d}]"


@functools.cache
def projection(
    type_name: str, select: frozenset[str] | None, keys: tuple[str, ...] = ()
) -> Projection | None:
    """The narrow read of a base type's list for `select`, or None when it needs whole records;
    `keys` are catalog paths read besides (the ids a single-valued expansion follows)."""
    catalog = _CATALOGS.get(type_name)
    if catalog is None or select is None or not all(k in catalog.fields for k in keys):
        return None
    alias = catalog.alias
    discriminator, types = _DISCRIMINATORS.get(type_name, ("id", {}))
    columns = [render(catalog.fields[discriminator].sql, alias), render(VERSION_SQL, alias)]
    columns.append(render(catalog.fields["id"].sql, alias))
    values: dict[str, str] = {}  # property -> the source of its value
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
            inner: list[str] = []
            for part, path in zip(parts, paths, strict=True):
                columns.append(render(catalog.fields[path].sql, alias))
                value = _expression(len(columns) - 1, catalog.fields[path].type)
                inner.append(f"{part.name!r}: {value}")
            values[name] = "{" + ", ".join(inner) + "}"
            continue
        found = catalog.fields.get(name)
        if found is None or "/" in name:
            return None
        if name == "id":  # read once, as the row's third column
            values[name] = "row[2]"
            continue
        columns.append(render(found.sql, alias))
        values[name] = _expression(len(columns) - 1, found.type)
    writers = {
        value: _writer(derived, {n: v for n, v in values.items() if _has(derived, n)})
        for value, derived in types.items()
    }
    plain = _writer(type_name, values, annotate_type=False)

    def write(row: Row) -> dict[str, Any]:
        return (writers.get(row[0]) or plain)(row)

    positions = {}
    for key in keys:
        columns.append(render(catalog.fields[key].sql, alias))
        positions[key] = len(columns) - 1
    return Projection(tuple(columns), write, positions)


def _has(type_name: str, name: str) -> bool:
    return any(p.name == name for p in MODEL.properties(type_name))


def _writer(
    type_name: str, values: dict[str, str], *, annotate_type: bool = True
) -> Callable[[Row], dict[str, Any]]:
    """One compiled function from a row to its OData object (no call per property): the keys
    are property names from the model (as `repr` literals), the values column positions."""
    items = ["'@odata.etag': etag(row[1])"]
    if annotate_type:
        items.insert(0, f"'@odata.type': {f'#{NAMESPACE}.{type_name}'!r}")
    items += [f"{name!r}: {value}" for name, value in values.items()]
    names: dict[str, Any] = {"_EPOCH": _EPOCH, "_MICROSECOND": _MICROSECOND, "etag": etag}
    source = "def write(row):\n    return {" + ", ".join(items) + "}\n"
    code = compile(source, f"<odata writer {type_name}>", "exec")
    exec(code, names)  # noqa: S102 (source built from names of the model, literals and integers)
    written: Callable[[Row], dict[str, Any]] = names["write"]
    return written

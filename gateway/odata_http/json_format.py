"""OData JSON Format 4.01 with `odata.metadata=minimal`: records to JSON objects.

An entity gets `@odata.type` when its type is derived from the one the context names (every run
and activity: their base types are abstract) and `@odata.etag` (the record's `W/"<version>"`).
Enum members are written by name, date-times as ISO 8601 in UTC with `Z` (the same bytes as
`/graphql`), complex values as nested objects. A writer per (type, `$select`) is built once
from the model and reused.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from operator import attrgetter
from typing import Any

import orjson

from gateway.odata_http.model import MODEL, NAMESPACE, Kind, Model, Property

Writer = Callable[[Any], dict[str, Any]]
_DUMP_OPTIONS = orjson.OPT_UTC_Z


def dumps(body: Any) -> bytes:
    return orjson.dumps(body, option=_DUMP_OPTIONS)


def _complex_writer(type_name: str) -> Writer:
    return writer(type_name, None, annotate=False)


def _reader(p: Property) -> Callable[[Any], Any]:
    get = attrgetter(p.attr)
    if p.kind is not Kind.COMPLEX:
        if p.collection:
            return lambda obj: list(get(obj))
        return get
    inner = p.type.removeprefix(f"{NAMESPACE}.")
    write: Writer | None = None  # bound on first use: a record may nest its own type

    def bound() -> Writer:
        nonlocal write
        if write is None:
            write = _complex_writer(inner)
        return write

    if p.collection:

        def many(obj: Any) -> Any:
            values = get(obj)
            if not values:
                return []
            each = write or bound()
            return [each(v) for v in values]

        return many

    def one(obj: Any) -> Any:
        value = get(obj)
        return None if value is None else (write or bound())(value)

    return one


@functools.cache
def writer(
    type_name: str, select: frozenset[str] | None, *, annotate: bool = True, model: Model = MODEL
) -> Writer:
    """The function that writes a record of `type_name` (its own type, not a base), with only
    the `select`ed properties when given; `annotate` adds `@odata.type` and `@odata.etag`."""
    properties = [
        (p.name, _reader(p))
        for p in model.properties(type_name)
        if select is None or p.name in select
    ]
    type_annotation = f"#{NAMESPACE}.{type_name}"
    derived = model.types[type_name].base is not None
    etagged = any(f.name == "version" for f in dataclasses.fields(model.types[type_name].record))

    if not annotate:
        return lambda obj: {name: read(obj) for name, read in properties}

    def write(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {"@odata.type": type_annotation} if derived else {}
        if etagged:
            out["@odata.etag"] = obj.e_tag
        for name, read in properties:
            out[name] = read(obj)
        return out

    return write


def entity(obj: Any, select: frozenset[str] | None) -> dict[str, Any]:
    """One record as an OData entity."""
    return writer(type(obj).__name__, select)(obj)

"""`$select` (URL Conventions §5.1.3): the structural properties to write, checked against the
model. A name may be any property of the type or of a type derived from it (so `Runs?$select=
jobId` works; `RunsGateway.DatabricksRun/jobId` too); navigation properties and `*` are
accepted; a name of neither is an error that suggests the nearest ones.
"""

from __future__ import annotations

import difflib
import functools

from gateway.odata_http.errors import bad_option
from gateway.odata_http.model import MODEL, NAMESPACE


@functools.cache
def _names(type_name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(structural properties, navigation properties) of a type and every type derived from it."""
    base = MODEL.types[type_name].base or type_name
    family = [type_name, *(t.name for t in MODEL.derived(type_name))]
    properties = {p.name for name in family for p in MODEL.properties(name)}
    navigation = {n.name for n in MODEL.navigation(base)}
    return frozenset(properties), frozenset(navigation)


def selected(type_name: str, select: tuple[str, ...] | None) -> frozenset[str] | None:
    """The property names to write; None for every one."""
    if select is None:
        return None
    properties, navigation = _names(type_name)
    chosen: set[str] = set()
    for item in select:
        if item == "*" or item == f"{NAMESPACE}.*":
            return None
        name = item.split("/", 1)[1] if item.startswith(f"{NAMESPACE}.") and "/" in item else item
        head = name.split("/", 1)[0]
        if head in properties:
            chosen.add(head)
        elif head not in navigation:
            near = difflib.get_close_matches(head, [*properties, *navigation], n=3)
            hint = f" Did you mean {', '.join(near)}?" if near else ""
            raise bad_option(
                "$select", f"{type_name} has no property {head!r}.{hint}", "UNKNOWN_FIELD"
            )
    return frozenset(chosen)

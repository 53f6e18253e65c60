"""Resource paths (OData 4.01 URL Conventions §4): what a URL below `/odata/` addresses.

    ""                                   the service document
    $metadata                            the CSDL document
    Runs                                 an entity set; Runs/$count its count
    Runs/RunsGateway.DatabricksRun       a type-cast segment: only that derived type (and /$count)
    Runs('run_…')  Runs(id='run_…')      one entity by key (then a cast, a property, /$value,
                                         a navigation property, /$count, or a bound action)
    Runs('run_…')/activities             a collection navigation property, as a collection
    Runs('run_…')/RunsGateway.cancel     a bound action (POST)

Key-as-segment (`Runs/run_…`) is not supported: it would be ambiguous with `$count` and casts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gateway.odata_http.actions import ACTIONS, Action
from gateway.odata_http.errors import RequestError
from gateway.odata_http.model import MODEL, NAMESPACE, EntitySet, Navigation, Property

_KEY = re.compile(r"^(?P<set>[A-Za-z_][A-Za-z0-9_]*)\((?:id=)?'(?P<key>(?:[^']|'')*)'\)$")
MAX_SEGMENTS = 6


@dataclass(frozen=True)
class Resource:
    kind: str  # "service", "metadata", "collection", "entity", "property", "action"
    set: EntitySet | None = None
    key: str | None = None
    cast: str | None = None  # a derived type's name
    navigation: Navigation | None = None  # from the keyed entity
    prop: Property | None = None
    value: bool = False  # /$value of a property
    count: bool = False  # /$count of a collection
    action: Action | None = None

    @property
    def type_name(self) -> str:
        """The type of what the path addresses (its cast, or the set's or navigation's type)."""
        if self.cast:
            return self.cast
        if self.navigation is not None:
            return self.navigation.target
        return self.set.type if self.set else ""


def _unknown(segment: str) -> RequestError:
    sets = ", ".join(MODEL.sets)
    return RequestError(
        404, "NOT_FOUND", f"No resource {segment!r} here; the entity sets are {sets}."
    )


def _cast(segment: str, base: str) -> str | None:
    """The derived type a `RunsGateway.X` segment names, or None when it is not a type."""
    name = segment.removeprefix(f"{NAMESPACE}.")
    found = MODEL.types.get(name)
    if found is None or not found.entity:
        return None
    if name != base and found.base != base:
        raise RequestError(400, "INVALID_CAST", f"{name} is not derived from {base}.")
    return name


def parse(path: str) -> Resource:
    """The resource of a path below `/odata/` (already percent-decoded)."""
    if path in ("", "/"):
        return Resource("service")
    segments = path.strip("/").split("/")
    if len(segments) > MAX_SEGMENTS:
        raise RequestError(400, "INVALID_PATH", f"At most {MAX_SEGMENTS} path segments.")
    head, rest = segments[0], segments[1:]
    if head == "$metadata" and not rest:
        return Resource("metadata")
    if head in ("$batch", "$entity", "$all", "$crossjoin"):
        raise RequestError(501, "NOT_IMPLEMENTED", f"{head} is not supported.")
    match = _KEY.match(head)
    entity_set = MODEL.sets.get(match.group("set") if match else head)
    if entity_set is None:
        raise _unknown(head)
    resource = Resource(
        "entity" if match else "collection",
        entity_set,
        key=match.group("key").replace("''", "'") if match else None,
    )
    for segment in rest:
        resource = _step(resource, segment)
    return resource


def _step(r: Resource, segment: str) -> Resource:
    if r.count or r.value or r.kind == "action":
        raise RequestError(400, "INVALID_PATH", f"Nothing may follow {segment!r}'s predecessor.")
    if segment == "$count" and r.kind == "collection":
        return Resource(**{**r.__dict__, "count": True})
    if segment == "$value" and r.kind == "property":
        return Resource(**{**r.__dict__, "value": True})
    if r.kind == "property":
        raise RequestError(
            400, "INVALID_PATH", f"{r.prop.name if r.prop else ''} has no {segment!r}."
        )
    type_name = r.type_name
    base = MODEL.types[type_name].base or type_name
    if segment.startswith(f"{NAMESPACE}."):
        if r.kind == "entity" and r.navigation is None:
            action = ACTIONS.get((base, segment.removeprefix(f"{NAMESPACE}.")))
            if action is not None:
                return Resource(**{**r.__dict__, "kind": "action", "action": action})
        cast = _cast(segment, base)
        if cast is None or r.cast is not None:
            raise RequestError(400, "INVALID_PATH", f"{segment!r} is no type or action here.")
        return Resource(**{**r.__dict__, "cast": cast})
    if r.kind != "entity" or r.navigation is not None:
        raise RequestError(400, "INVALID_PATH", f"{segment!r} cannot follow a collection.")
    for n in MODEL.navigation(base):
        if n.name == segment:
            return Resource(
                **{
                    **r.__dict__,
                    "kind": "collection" if n.collection else "entity",
                    "navigation": n,
                }
            )
    for p in MODEL.properties(type_name):
        if p.name == segment:
            return Resource(**{**r.__dict__, "kind": "property", "prop": p})
    raise RequestError(404, "NOT_FOUND", f"{type_name} has no property {segment!r}.")

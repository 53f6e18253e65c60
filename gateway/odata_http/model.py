"""The entity data model of `/odata/`, derived at import from the domain's records
(`gateway.domain.models`) and the query catalogs (`gateway.store.catalogs`), never written by hand.

* Each record class becomes a structured type: `Run` and `Activity` abstract, with one derived
  entity type per platform (as the GraphQL interfaces and their concrete types); `Process` and
  `Workspace` entity types; nested records (durations, trigger, statistics, errors) complex types;
  enums enum types. Attribute names become camelCase, as GraphQL prints them.
* An attribute `<name>_id` that holds another record's id becomes a single-valued navigation
  property `<name>` (`process_id` -> `process`, `original_attempt_run_id` -> `originalAttemptRun`).
* A catalog's collection relation (`Run.activities`, `Process.runs`) becomes a collection-valued
  navigation property.
* A catalog's top-level field that no record declares (`isActive`, `durationMs`) is a computed
  property, read from the record's Python property of the same name.

`ENTITY_SETS` names the sets and the catalog behind each; `csdl.py` prints it all as CSDL XML.
"""

from __future__ import annotations

import dataclasses
import enum
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.domain import models
from gateway.odata import Catalog, FieldType
from gateway.store.catalogs import ACTIVITIES, PROCESSES, RUNS

NAMESPACE = "RunsGateway"
VERSION = "4.01"

# Attributes that are not properties: the version is the ETag, ids of other records are
# navigation properties.
_HIDDEN = frozenset({"version"})
_RENAMED = {"attributes": "platformAttributes"}  # GraphQL's name for an activity's attributes
_ID_TARGETS = {"run": "Run", "process": "Process", "workspace": "Workspace"}
_FIELD_TYPES = {
    FieldType.STRING: "Edm.String",
    FieldType.INT: "Edm.Int64",
    FieldType.FLOAT: "Edm.Double",
    FieldType.BOOL: "Edm.Boolean",
    FieldType.DATETIME: "Edm.DateTimeOffset",
    FieldType.DURATION: "Edm.Duration",
    FieldType.GUID: "Edm.Guid",
}
_PRIMITIVES: dict[type, str] = {
    str: "Edm.String",
    int: "Edm.Int64",
    float: "Edm.Double",
    bool: "Edm.Boolean",
    datetime: "Edm.DateTimeOffset",
}


class Kind(enum.Enum):
    PRIMITIVE = "primitive"
    ENUM = "enum"
    COMPLEX = "complex"
    UNTYPED = "untyped"


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


@dataclass(frozen=True)
class Property:
    """A structural property: `attr` is the record's attribute (or Python property)."""

    name: str
    attr: str
    type: str  # qualified: Edm.String, RunsGateway.RunStatus, RunsGateway.Durations
    kind: Kind
    collection: bool = False
    nullable: bool = True
    description: str = ""


@dataclass(frozen=True)
class Navigation:
    """A navigation property: single-valued ones read the target's id from `attr`; collections
    come from the catalog relation of the same name."""

    name: str
    target: str  # the entity type's name
    collection: bool
    nullable: bool
    attr: str | None = None
    description: str = ""


@dataclass
class StructuredType:
    name: str
    record: type
    entity: bool
    base: str | None = None
    abstract: bool = False
    properties: list[Property] = field(default_factory=list)
    navigation: list[Navigation] = field(default_factory=list)
    description: str = ""

    @property
    def qualified(self) -> str:
        return f"{NAMESPACE}.{self.name}"


@dataclass(frozen=True)
class EnumType:
    name: str
    members: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class EntitySet:
    name: str
    type: str  # the entity type's name
    catalog: Catalog | None  # None: the set is listed whole (it cannot be filtered or sorted)


@dataclass
class Model:
    types: dict[str, StructuredType]  # in declaration order: bases before derived types
    enums: dict[str, EnumType]
    sets: dict[str, EntitySet]

    def derived(self, name: str) -> list[StructuredType]:
        """The types directly derived from `name`."""
        return [t for t in self.types.values() if t.base == name]

    def set_of(self, type_name: str) -> EntitySet:
        """The entity set holding entities of `type_name` (or of its base type)."""
        structured = self.types[type_name]
        root = structured.base or structured.name
        return next(s for s in self.sets.values() if s.type == root)

    def properties(self, type_name: str) -> list[Property]:
        """Every structural property of a type, its base's first."""
        structured = self.types[type_name]
        inherited = self.properties(structured.base) if structured.base else []
        return [*inherited, *structured.properties]

    def navigation(self, type_name: str) -> list[Navigation]:
        structured = self.types[type_name]
        inherited = self.navigation(structured.base) if structured.base else []
        return [*inherited, *structured.navigation]


def _doc(cls: type) -> str:
    return (cls.__doc__ or "").strip().split("\n")[0]


class _Builder:
    def __init__(self, catalogs: Mapping[str, Catalog]) -> None:
        self.catalogs = catalogs
        self.types: dict[str, StructuredType] = {}
        self.enums: dict[str, EnumType] = {}

    def _enum(self, cls: type[enum.Enum]) -> str:
        if cls.__name__ not in self.enums:
            self.enums[cls.__name__] = EnumType(cls.__name__, tuple(m.name for m in cls), _doc(cls))
        return f"{NAMESPACE}.{cls.__name__}"

    def _type_of(self, hint: Any) -> tuple[str, Kind, bool, bool]:
        """(qualified type, kind, collection, nullable) of a type hint."""
        nullable = False
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(hint) if a is not type(None)]
            nullable = len(args) < len(typing.get_args(hint))
            hint = args[0] if len(args) == 1 else Any
            origin = typing.get_origin(hint)
        if origin is tuple:
            inner, kind, _, _ = self._type_of(typing.get_args(hint)[0])
            return inner, kind, True, False
        if hint is Any or origin is dict:
            return "Edm.Untyped", Kind.UNTYPED, False, True
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return self._enum(hint), Kind.ENUM, False, nullable
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            return self.structured(hint, entity=False).qualified, Kind.COMPLEX, False, nullable
        if hint in _PRIMITIVES:
            return _PRIMITIVES[hint], Kind.PRIMITIVE, False, nullable
        raise TypeError(f"no EDM type for {hint!r}")  # pragma: no cover (a new record field)

    def structured(
        self, cls: type, *, entity: bool, base: StructuredType | None = None
    ) -> StructuredType:
        if cls.__name__ in self.types:
            return self.types[cls.__name__]
        catalog = self.catalogs.get(base.name if base else cls.__name__)
        made = StructuredType(
            cls.__name__,
            cls,
            entity,
            base=base.name if base else None,
            description=_doc(cls),
        )
        self.types[cls.__name__] = made  # before its fields: a record may nest itself
        hints = typing.get_type_hints(cls)
        inherited = {f.name for f in dataclasses.fields(base.record)} if base else set()
        for f in dataclasses.fields(cls):
            if f.name in _HIDDEN or f.name in inherited:
                continue
            qualified, kind, collection, nullable = self._type_of(hints[f.name])
            target = _ID_TARGETS.get(f.name.removesuffix("_id").rsplit("_", 1)[-1])
            if entity and f.name.endswith("_id") and f.name != "source_id" and target:
                made.navigation.append(
                    Navigation(camel(f.name.removesuffix("_id")), target, False, nullable, f.name)
                )
                continue
            name = _RENAMED.get(f.name, camel(f.name))
            described = catalog.fields.get(name) if catalog else None
            made.properties.append(
                Property(
                    name,
                    f.name,
                    qualified,
                    kind,
                    collection,
                    nullable,
                    described.description if described else "",
                )
            )
        return made

    def entity(self, cls: type, subclasses: list[type]) -> None:
        """An entity type for `cls`; abstract, with one derived type each, when it has
        subclasses. Computed catalog fields and relations go on the base."""
        made = self.structured(cls, entity=True)
        made.abstract = bool(subclasses)
        for sub in subclasses:
            self.structured(sub, entity=True, base=made)
        catalog = self.catalogs.get(cls.__name__)
        if catalog is None:
            return
        family = [made, *(self.types[sub.__name__] for sub in subclasses)]
        declared = {p.name for t in family for p in t.properties}
        declared |= {n.name for n in made.navigation}
        for path, f in catalog.fields.items():
            if "/" in path or path in declared:
                continue
            qualified = _FIELD_TYPES.get(f.type) or f"{NAMESPACE}.{f.enum_name}"
            kind = Kind.ENUM if f.type is FieldType.ENUM else Kind.PRIMITIVE
            made.properties.append(
                Property(path, snake(path), qualified, kind, False, f.nullable, f.description)
            )
        for relation in catalog.relations.values():
            made.navigation.append(
                Navigation(
                    relation.name,
                    relation.target.entity,
                    True,
                    False,
                    description=relation.description,
                )
            )


def _build() -> Model:
    builder = _Builder({c.entity: c for c in (RUNS, ACTIVITIES, PROCESSES)})
    builder.entity(models.Workspace, [])
    builder.entity(models.Process, [])
    builder.entity(models.Run, list(models.RUN_CLASSES.values()))
    builder.entity(models.Activity, list(models.ACTIVITY_CLASSES.values()))
    sets = {
        "Runs": EntitySet("Runs", "Run", RUNS),
        "Processes": EntitySet("Processes", "Process", PROCESSES),
        "Activities": EntitySet("Activities", "Activity", ACTIVITIES),
        "Workspaces": EntitySet("Workspaces", "Workspace", None),
    }
    return Model(builder.types, builder.enums, sets)


MODEL = _build()

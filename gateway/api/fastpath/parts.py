"""What a fast path plan is made of: the select list of one statement, and the tree of
connections, objects, references and value fields that `plan.Compiler` builds and `execute`
runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from graphql import DocumentNode, FieldNode, GraphQLField, OperationDefinitionNode

from gateway.api.fastpath.specs import Column, Entity, ValueList
from gateway.store.selects import column as column_sql

Row = Any  # a sqlite3.Row, or any sequence the getters index
Getter = Callable[[Row], Any]


class Layout:
    """The select list of one statement: each column once, in the order first needed."""

    def __init__(self, entity: Entity) -> None:
        self.entity = entity
        self.sql: dict[str, str] = {}
        self.need(entity.id_column)
        if entity.discriminator is not None:
            self.need(Column(entity.discriminator, column_sql(entity.alias, entity.discriminator)))

    def need(self, column: Column) -> None:
        self.sql.setdefault(column.label, column.sql)
        for extra in column.extra:
            self.need(extra)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.sql.values())

    @property
    def index(self) -> dict[str, int]:
        """Each label's position in the row."""
        return {label: i for i, label in enumerate(self.sql)}


# --- what the plan is made of -------------------------------------------------------------------


@dataclass
class Scalar:
    column: Column


@dataclass
class Const:
    value: Any


@dataclass
class Embedded:
    null_when: Column | None
    fields: list[tuple[str, Scalar | Const | Embedded]]  # an object inside another, too


@dataclass
class Derived:
    """An object written from the domain value the codec makes of some of the row's columns."""

    derive: Callable[[Any], Any]  # the columns by label (a mapping) -> the domain value
    columns: tuple[Column, ...]
    write: Callable[[Any], Any]  # the domain value -> the response's value
    # The columns the selection reads, whose values key the written values kept per plan;
    # None when nothing may be kept (the plan fills in a list inside the written object).
    key: tuple[Column, ...] | None = None


Spec = Scalar | Const | Embedded | Derived


@dataclass
class ObjectPlan:
    """How to write records of an entity: the fields of each concrete type, and its relations."""

    entity: Entity
    layout: Layout
    fields: dict[str, list[tuple[str, Spec]]]  # concrete GraphQL type -> (response key, spec)
    # key (or the embedded object's key and the list's, for a list inside it), plan, the types
    # it is on
    relations: list[tuple[str | tuple[str, str], ConnectionPlan, frozenset[str]]]
    references: list[tuple[str, ReferencePlan, frozenset[str]]] = field(default_factory=list)
    value_lists: list[tuple[str, ValueListPlan, frozenset[str]]] = field(default_factory=list)
    writers: dict[str, list[tuple[str, Getter]]] = field(default_factory=dict)  # bound specs
    write: dict[str, Callable[[Row], dict[str, Any]]] = field(default_factory=dict)  # per type


@dataclass
class ReferencePlan:
    """A field naming one record by id: the parent's column with the id, the child's plan."""

    label: str  # the parent's column (its label in the parent's layout)
    nullable: bool
    child: ObjectPlan


@dataclass
class ValueListPlan:
    """A list of domain values per parent: the field (for its arguments), how to read, write."""

    field_def: GraphQLField
    node: FieldNode
    spec: ValueList
    write: Callable[[Any], Any]
    prepared: Any = None  # what `spec.prepare` made of the selection


@dataclass
class EdgePart:
    kind: str  # "typename", "cursor" or "node"
    value: str | ObjectPlan | None = None


@dataclass
class ConnectionPlan:
    """A connection field: its arguments, and what it selects of the page and the count."""

    entity: Entity
    field_def: GraphQLField
    node: FieldNode  # its arguments (every merged node has the same ones)
    layout: Layout
    parent_column: str | None  # None at the root; else the child's column naming its parent
    parts: list[tuple[str, str, Any]] = field(default_factory=list)  # key, kind, detail
    # Its argument values when the operation has no variables (they cannot change), once known.
    fixed_arguments: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @cached_property
    def needs_page(self) -> bool:
        return any(kind in ("nodes", "edges", "pageInfo", "list") for _, kind, _ in self.parts)

    @cached_property
    def bare(self) -> bool:
        """A plain list of the page's objects (no connection around it)."""
        return any(kind == "list" for _, kind, _ in self.parts)

    @cached_property
    def needs_cursors(self) -> bool:
        return any(kind in ("edges", "pageInfo") for _, kind, _ in self.parts)

    @cached_property
    def needs_count(self) -> bool:
        return any(kind == "totalCount" for _, kind, _ in self.parts)


@dataclass
class Plan:
    """A compiled operation: its variable definitions and its root fields."""

    operation: OperationDefinitionNode
    roots: list[tuple[str, str, Any]]  # key, kind ("typename" or "list"), detail
    document: DocumentNode | None = None  # the parsed request, for its cost
    # The cost of an operation without variables (it cannot change), once measured: an int, or
    # None when it is past the limit (the executor then answers the limit error).
    fixed_cost: int | None = field(default=None, compare=False, repr=False)
    costed: bool = field(default=False, compare=False, repr=False)

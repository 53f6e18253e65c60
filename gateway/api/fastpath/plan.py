"""The plan compiler: a validated query operation to a tree of connections, objects and columns.

It collects fields the way GraphQL does (aliases, fragments and inline fragments, merged by
response key in first-seen order), once per concrete type, and accepts only what `fields` knows.
Anything else (a directive, an unknown field, an argument it does not handle) raises
`Unsupported`, and the operation runs through the executor instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

from gateway.api.fastpath.collect import Collector, Unsupported, sets_of
from gateway.api.fastpath.fields import ENTITIES, ROOT_LISTS, Column, Entity, ValueList
from gateway.api.fastpath.values import NotWritable, value_writer
from gateway.store.selects import column as column_sql

LIST_ARGUMENTS = frozenset(
    ("filter", "where", "orderBy", "search", "first", "after", "last", "before")
)
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
    fields: list[tuple[str, Scalar | Const]]


@dataclass
class Derived:
    """An object written from the domain value the codec makes of some of the row's columns."""

    derive: Callable[[Any], Any]  # the columns by label (a mapping) -> the domain value
    columns: tuple[Column, ...]
    write: Callable[[Any], Any]  # the domain value -> the response's value


Spec = Scalar | Const | Embedded | Derived


@dataclass
class ObjectPlan:
    """How to write records of an entity: the fields of each concrete type, and its relations."""

    entity: Entity
    layout: Layout
    fields: dict[str, list[tuple[str, Spec]]]  # concrete GraphQL type -> (response key, spec)
    relations: list[tuple[str, ConnectionPlan, frozenset[str]]]  # key, plan, the types it is on
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
        return any(kind in ("nodes", "edges", "pageInfo") for _, kind, _ in self.parts)

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


# --- compiling ----------------------------------------------------------------------------------


class Compiler:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.collector = Collector(schema, document)

    def _object_type(self, name: str) -> GraphQLObjectType:
        found = self.schema.get_type(name)
        if not isinstance(found, GraphQLObjectType):
            raise Unsupported(f"{name} is not an object type")
        return found

    def operation(self, operation: OperationDefinitionNode) -> Plan:
        if operation.operation is not OperationType.QUERY or operation.directives:
            raise Unsupported("not a query")
        query = self.schema.query_type
        if query is None:
            raise Unsupported("no query type")
        roots: list[tuple[str, str, Any]] = []
        for key, nodes in self.collector.collect(query, [operation.selection_set]).items():
            name = nodes[0].name.value
            if name == "__typename":
                roots.append((key, "typename", query.name))
            elif name in ROOT_LISTS:
                roots.append((key, "list", self.connection(ROOT_LISTS[name], query, nodes, None)))
            else:
                raise Unsupported(f"root field {name}")
        return Plan(operation, roots)

    def connection(
        self,
        entity: Entity,
        parent: GraphQLObjectType,
        nodes: list[FieldNode],
        parent_column: str | None,
        only: str = "",
    ) -> ConnectionPlan:
        """`only`: the one concrete type of its nodes (empty: every type of the entity)."""
        field_def = parent.fields[nodes[0].name.value]
        if set(field_def.args) - LIST_ARGUMENTS:
            raise Unsupported("an argument the fast path does not know")
        connection_type = self._object_type(get_named_type(field_def.type).name)
        plan = ConnectionPlan(entity, field_def, nodes[0], Layout(entity), parent_column)
        for key, inner in self.collector.collect(connection_type, sets_of(nodes)).items():
            name = inner[0].name.value
            if name == "__typename":
                plan.parts.append((key, "typename", connection_type.name))
            elif name == "totalCount":
                plan.parts.append((key, "totalCount", None))
            elif name == "nodes":
                nodes_plan = self.objects(entity, plan.layout, sets_of(inner), only)
                plan.parts.append((key, "nodes", nodes_plan))
            elif name == "edges":
                edges = self.edges(entity, plan.layout, connection_type, inner, only)
                plan.parts.append((key, "edges", edges))
            elif name == "pageInfo":
                plan.parts.append((key, "pageInfo", self.page_info(connection_type, inner)))
            else:
                raise Unsupported(f"connection field {name}")
        return plan

    def edges(
        self,
        entity: Entity,
        layout: Layout,
        connection_type: GraphQLObjectType,
        nodes: list[FieldNode],
        only: str = "",
    ) -> list[tuple[str, EdgePart]]:
        edge_type = self._object_type(get_named_type(connection_type.fields["edges"].type).name)
        parts: list[tuple[str, EdgePart]] = []
        for key, inner in self.collector.collect(edge_type, sets_of(nodes)).items():
            name = inner[0].name.value
            if name == "__typename":
                parts.append((key, EdgePart("typename", edge_type.name)))
            elif name == "cursor":
                parts.append((key, EdgePart("cursor")))
            elif name == "node":
                node = self.objects(entity, layout, sets_of(inner), only)
                parts.append((key, EdgePart("node", node)))
            else:
                raise Unsupported(f"edge field {name}")
        return parts

    def page_info(
        self, connection_type: GraphQLObjectType, nodes: list[FieldNode]
    ) -> list[tuple[str, str]]:
        info_type = self._object_type(get_named_type(connection_type.fields["pageInfo"].type).name)
        parts: list[tuple[str, str]] = []
        for key, inner in self.collector.collect(info_type, sets_of(nodes)).items():
            name = inner[0].name.value
            if name not in (
                "__typename",
                "hasNextPage",
                "hasPreviousPage",
                "startCursor",
                "endCursor",
            ):
                raise Unsupported(f"page info field {name}")
            parts.append((key, info_type.name if name == "__typename" else name))
        return parts

    def objects(
        self, entity: Entity, layout: Layout, sets: list[SelectionSetNode], only: str = ""
    ) -> ObjectPlan:
        plan = ObjectPlan(entity, layout, {}, [])
        relations: dict[tuple[str, tuple[int, ...]], tuple[ConnectionPlan, set[str]]] = {}
        references: dict[tuple[str, tuple[int, ...]], tuple[ReferencePlan, set[str]]] = {}
        value_lists: dict[tuple[str, tuple[int, ...]], tuple[ValueListPlan, set[str]]] = {}
        for type_name in dict.fromkeys(entity.type_names.values()):
            if only and type_name != only:
                continue
            runtime = self._object_type(type_name)
            specs: list[tuple[str, Spec]] = []
            for key, nodes in self.collector.collect(runtime, sets).items():
                name = nodes[0].name.value
                if name == "__typename":
                    specs.append((key, Const(type_name)))
                elif name in entity.relations:
                    # Fragments on one concrete type may select more of the same relation.
                    merged = (key, tuple(id(n) for n in nodes))
                    if merged not in relations:
                        spec = entity.relations[name]
                        child = self.connection(
                            ENTITIES[spec.child], runtime, nodes, spec.parent_column, spec.only
                        )
                        relations[merged] = (child, set())
                    relations[merged][1].add(type_name)
                    specs.append((key, Const(None)))  # filled in once the relation is fetched
                elif name in entity.references and not (
                    name in entity.embedded and self._columns_hold(entity, runtime, name, nodes)
                ):
                    merged = (key, tuple(id(n) for n in nodes))
                    if merged not in references:
                        references[merged] = (self.reference(entity, layout, name, nodes), set())
                    references[merged][1].add(type_name)
                    specs.append((key, Const(None)))  # filled in once the records are read
                elif name in entity.value_lists:
                    merged = (key, tuple(id(n) for n in nodes))
                    if merged not in value_lists:
                        listed = self.value_list(entity, runtime, name, nodes)
                        value_lists[merged] = (listed, set())
                    value_lists[merged][1].add(type_name)
                    specs.append((key, Const(None)))  # filled in once the values are read
                elif name in entity.embedded:
                    specs.append((key, self.embedded(entity, layout, runtime, name, nodes)))
                elif name in entity.scalars and not nodes[0].arguments:
                    column = entity.scalars[name]
                    layout.need(column)
                    specs.append((key, Scalar(column)))
                else:
                    raise Unsupported(f"{type_name}.{name}")
            plan.fields[type_name] = specs
        plan.relations = [(k, c, frozenset(types)) for (k, _), (c, types) in relations.items()]
        plan.references = [(k, r, frozenset(ts)) for (k, _), (r, ts) in references.items()]
        plan.value_lists = [(k, v, frozenset(ts)) for (k, _), (v, ts) in value_lists.items()]
        return plan

    def value_list(
        self, entity: Entity, runtime: GraphQLObjectType, name: str, nodes: list[FieldNode]
    ) -> ValueListPlan:
        if len({n.arguments for n in nodes}) > 1:
            raise Unsupported(f"{name} merged with other arguments")
        field_def = runtime.fields[name]
        try:
            write = value_writer(field_def.type, nodes, self.collector.collect)
        except NotWritable as why:
            raise Unsupported(str(why)) from None
        return ValueListPlan(field_def, nodes[0], entity.value_lists[name], write)

    def reference(
        self, entity: Entity, layout: Layout, name: str, nodes: list[FieldNode]
    ) -> ReferencePlan:
        if any(n.arguments for n in nodes):
            raise Unsupported(f"arguments of {name}")
        spec = entity.references[name]
        layout.need(spec.column)
        child = ENTITIES[spec.child]
        child_layout = Layout(child)
        # the loaders' rule: a record outside the caller's workspaces is as if missing
        where = child.workspace_column
        child_layout.need(Column(where, column_sql(child.alias, where)))
        objects = self.objects(child, child_layout, sets_of(nodes))
        return ReferencePlan(spec.column.label, spec.nullable, objects)

    def embedded(
        self,
        entity: Entity,
        layout: Layout,
        parent: GraphQLObjectType,
        name: str,
        nodes: list[FieldNode],
    ) -> Embedded | Derived:
        """From the row's columns as they are when they hold the selection, else from the
        domain value its codec makes of them (`Derived`), when the field has one."""
        spec = entity.embedded[name]
        if spec.derive is not None and not self._columns_hold(entity, parent, name, nodes):
            columns = tuple(Column(c, column_sql(entity.alias, c)) for c in spec.columns)
            for needed in columns:
                layout.need(needed)
            try:
                write = value_writer(parent.fields[name].type, nodes, self.collector.collect)
            except NotWritable as why:
                raise Unsupported(str(why)) from None
            return Derived(spec.derive, columns, write)
        named: GraphQLNamedType = get_named_type(parent.fields[name].type)
        runtime = self._object_type(named.name)
        null_when = None
        if spec.null_when is not None:
            null_when = Column(spec.null_when, column_sql(entity.alias, spec.null_when))
            layout.need(null_when)
        fields: list[tuple[str, Scalar | Const]] = []
        for key, inner in self.collector.collect(runtime, sets_of(nodes)).items():
            sub = inner[0].name.value
            if sub == "__typename":
                fields.append((key, Const(runtime.name)))
                continue
            column = entity.scalars.get(f"{spec.prefix}/{sub}")
            if column is None or inner[0].arguments or inner[0].selection_set is not None:
                raise Unsupported(f"{name}.{sub}")
            layout.need(column)
            fields.append((key, Scalar(column)))
        return Embedded(null_when, fields)

    def _columns_hold(
        self, entity: Entity, parent: GraphQLObjectType, name: str, nodes: list[FieldNode]
    ) -> bool:
        """Whether every field selected of the embedded object is a column of the row."""
        runtime = self._object_type(get_named_type(parent.fields[name].type).name)
        prefix = entity.embedded[name].prefix
        return all(
            inner[0].name.value == "__typename"
            or (
                f"{prefix}/{inner[0].name.value}" in entity.scalars
                and not inner[0].arguments
                and inner[0].selection_set is None
            )
            for inner in self.collector.collect(runtime, sets_of(nodes)).values()
        )


def compile_operation(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> Plan:
    """The plan of the named operation (or the only one); `Unsupported` if not covered."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise Unsupported("which operation")
        chosen = operations[0]
    else:
        named = [o for o in operations if o.name and o.name.value == operation_name]
        if len(named) != 1:
            raise Unsupported("no such operation")
        chosen = named[0]
    return Compiler(schema, document).operation(chosen)

"""The plan compiler: a validated query operation to a tree of connections, objects and columns.

It collects fields the way GraphQL does (aliases, fragments and inline fragments, merged by
response key in first-seen order), once per concrete type, and accepts only what `fields` knows.
Anything else (a directive, an unknown field, an argument it does not handle) raises
`Unsupported`, and the operation runs through the executor instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)

from gateway.api.fastpath.collect import Collector, Unsupported, sets_of
from gateway.api.fastpath.fields import ENTITIES, ROOT_LISTS
from gateway.api.fastpath.parts import (
    ConnectionPlan,
    Const,
    Derived,
    EdgePart,
    Embedded,
    Layout,
    ObjectPlan,
    Plan,
    ReferencePlan,
    Scalar,
    Spec,
    ValueListPlan,
)
from gateway.api.fastpath.specs import Column, Entity
from gateway.api.fastpath.specs import Embedded as EmbeddedSpec
from gateway.api.fastpath.values import NotWritable, value_writer
from gateway.api.fastpath.writers import kept_by_identity
from gateway.store.selects import column as column_sql

LIST_ARGUMENTS = frozenset(
    ("filter", "where", "orderBy", "search", "first", "after", "last", "before")
)
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
        relations: dict[
            tuple[str | tuple[str, str], tuple[int, ...]], tuple[ConnectionPlan, set[str]]
        ] = {}
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
                    lists = self.embedded_lists(entity, runtime, key, name, nodes)
                    for inside, child in lists:
                        relations.setdefault(inside, (child, set()))[1].add(type_name)
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
        spec = entity.value_lists[name]
        if spec.kept:
            write = kept_by_identity(write)
        prepared = None
        if spec.prepare is not None:
            prepared = spec.prepare(frozenset(self.selected(field_def.type, name, nodes)))
        return ValueListPlan(field_def, nodes[0], spec, write, prepared)

    def selected(
        self, type_: GraphQLOutputType, name: str, nodes: list[FieldNode]
    ) -> Iterator[tuple[str, str]]:
        """(parent field, field) of every field selected below `nodes` (fragments included)."""
        named = get_named_type(type_)
        if not isinstance(named, GraphQLObjectType):
            return
        for inner in self.collector.collect(named, sets_of(nodes)).values():
            sub = inner[0].name.value
            yield name, sub
            if sub != "__typename":
                yield from self.selected(named.fields[sub].type, sub, inner)

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

    def embedded_lists(
        self,
        entity: Entity,
        parent: GraphQLObjectType,
        key: str,
        name: str,
        nodes: list[FieldNode],
    ) -> list[tuple[tuple[tuple[str, str], tuple[int, ...]], ConnectionPlan]]:
        """The lists selected inside an embedded object (`statistics { activityStatistics }`),
        each a plain list of a child entity fetched for all parents like a relation."""
        prefix = entity.embedded[name].prefix
        runtime = self._object_type(get_named_type(parent.fields[name].type).name)
        found = []
        for inner_key, inner in self.collector.collect(runtime, sets_of(nodes)).items():
            spec = entity.embedded_lists.get(f"{prefix}/{inner[0].name.value}")
            if spec is None:
                continue
            child = ENTITIES[spec.child]
            field_def = runtime.fields[inner[0].name.value]
            if set(field_def.args) - LIST_ARGUMENTS or len({n.arguments for n in inner}) > 1:
                raise Unsupported(f"arguments of {name}.{inner_key}")
            plan = ConnectionPlan(child, field_def, inner[0], Layout(child), spec.parent_column)
            plan.parts.append(("", "list", self.objects(child, plan.layout, sets_of(inner))))
            found.append((((key, inner_key), tuple(id(n) for n in inner)), plan))
        return found

    def embedded(
        self,
        entity: Entity,
        layout: Layout,
        parent: GraphQLObjectType,
        name: str,
        nodes: list[FieldNode],
        path: str = "",
    ) -> Embedded | Derived:
        """From the row's columns as they are when they hold the selection, else from the
        domain value its codec makes of them (`Derived`), when the field has one. `path`: the
        embedded object's path when it is inside another (`statistics/assets`)."""
        spec = entity.embedded[path or name]
        lists = frozenset(
            path.removeprefix(f"{spec.prefix}/")
            for path in entity.embedded_lists
            if path.startswith(f"{spec.prefix}/")
        )
        if spec.derive is not None and not self._columns_hold(entity, parent, name, nodes, path):
            columns = tuple(Column(c, column_sql(entity.alias, c)) for c in spec.columns)
            for needed in columns:
                layout.need(needed)
            try:
                write = value_writer(
                    parent.fields[name].type, nodes, self.collector.collect, deferred=lists
                )
            except NotWritable as why:
                raise Unsupported(str(why)) from None
            return Derived(
                spec.derive, columns, write, self._key(spec, columns, parent, name, nodes, lists)
            )
        named: GraphQLNamedType = get_named_type(parent.fields[name].type)
        runtime = self._object_type(named.name)
        null_when = None
        if spec.null_when is not None:
            null_when = Column(spec.null_when, column_sql(entity.alias, spec.null_when))
            layout.need(null_when)
        fields: list[tuple[str, Scalar | Const | Embedded]] = []
        for key, inner in self.collector.collect(runtime, sets_of(nodes)).items():
            sub = inner[0].name.value
            if sub == "__typename":
                fields.append((key, Const(runtime.name)))
                continue
            if sub in lists:
                fields.append((key, Const(None)))  # filled in once the list is fetched
                continue
            inside = f"{spec.prefix}/{sub}"
            if inside in entity.embedded and not inner[0].arguments:
                found = self.embedded(entity, layout, runtime, sub, inner, inside)
                assert isinstance(found, Embedded)  # an object inside another has no codec
                fields.append((key, found))
                continue
            column = entity.scalars.get(f"{spec.prefix}/{sub}")
            if column is None or inner[0].arguments or inner[0].selection_set is not None:
                raise Unsupported(f"{name}.{sub}")
            layout.need(column)
            fields.append((key, Scalar(column)))
        return Embedded(null_when, fields)

    def _key(
        self,
        spec: EmbeddedSpec,
        columns: tuple[Column, ...],
        parent: GraphQLObjectType,
        name: str,
        nodes: list[FieldNode],
        lists: frozenset[str],
    ) -> tuple[Column, ...] | None:
        """The columns a derived object's selection reads (its written value's key), or None
        when a list is filled in inside it after it is written."""
        runtime = self._object_type(get_named_type(parent.fields[name].type).name)
        selected = {
            inner[0].name.value
            for inner in self.collector.collect(runtime, sets_of(nodes)).values()
        }
        if selected & lists:
            return None
        if spec.reads is None:
            return columns
        read = {c for field in selected - {"__typename"} for c in spec.reads[field]}
        return tuple(c for c in columns if c.label in read)

    def _columns_hold(
        self,
        entity: Entity,
        parent: GraphQLObjectType,
        name: str,
        nodes: list[FieldNode],
        path: str = "",
    ) -> bool:
        """Whether every field selected of the embedded object is a column of the row (or of
        an embedded object inside it that its columns hold)."""
        runtime = self._object_type(get_named_type(parent.fields[name].type).name)
        prefix = entity.embedded[path or name].prefix
        return all(
            inner[0].name.value == "__typename"
            or f"{prefix}/{inner[0].name.value}" in entity.embedded_lists
            or (
                f"{prefix}/{inner[0].name.value}" in entity.embedded
                and not inner[0].arguments
                and self._columns_hold(
                    entity, runtime, inner[0].name.value, inner, f"{prefix}/{inner[0].name.value}"
                )
            )
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

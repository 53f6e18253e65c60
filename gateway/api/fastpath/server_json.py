"""On PostgreSQL, a root list's nodes written as JSON by the database (`store/json_pages.py`):
the plan's objects become the shape of the statement, once per plan. Only what SQL writes to the
same bytes is covered: plain, boolean, time, duration and ETag columns, embedded objects,
`__typename`, and child lists with their nodes, `__typename` and `totalCount`. A plan with more
(edges, cursors, page info, references, JSON columns, values from the codec) is written in Python
as before."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.api.fastpath.fields import Column, Convert
from gateway.api.fastpath.plan import (
    ConnectionPlan,
    Const,
    Derived,
    Embedded,
    ObjectPlan,
    Scalar,
    Spec,
)
from gateway.store.json_pages import Child, Constant, Kind, Node, Object, Typed, Value

_KINDS = {
    Convert.NONE: Kind.PLAIN,
    Convert.BOOL: Kind.BOOL,
    Convert.DATETIME: Kind.DATETIME,
    Convert.DURATION_MS: Kind.DURATION_MS,
    Convert.ETAG: Kind.ETAG,
    Convert.EMPTY_NULL: Kind.EMPTY_NULL,
}


class NotCovered(Exception):
    """Part of the plan SQL does not write here."""


@dataclass
class Shape:
    """A root list's nodes as the statement writes them, and the child lists in it (their plans
    give each request's query and page, by `Child.index`)."""

    node: Node
    children: list[ConnectionPlan]


_NOT_COVERED = Shape(Constant(None), [])


def shape_of(plan: ConnectionPlan) -> Shape | None:
    """The shape of a root list's nodes, or None when SQL does not write all of its plan."""
    found: Shape | None = plan.json_shape
    if found is None:
        try:
            found = _Shaper().root(plan)
        except NotCovered:
            found = _NOT_COVERED
        plan.json_shape = found
    return None if found is _NOT_COVERED else found


def _expression(column: Column) -> str:
    """A column's SQL without its label (`(expr) AS label` -> `(expr)`)."""
    suffix = f" AS {column.label}"
    return column.sql.removesuffix(suffix) if column.sql.endswith(suffix) else column.sql


class _Shaper:
    def __init__(self) -> None:
        self.children: list[ConnectionPlan] = []

    def root(self, plan: ConnectionPlan) -> Shape:
        if plan.needs_cursors:
            raise NotCovered("cursors")
        nodes = [detail for _, kind, detail in plan.parts if kind == "nodes"]
        if len(nodes) != 1:
            raise NotCovered("not one nodes field")
        node = self.objects(nodes[0], (plan.entity.alias,))
        return Shape(node, self.children)

    def objects(self, plan: ObjectPlan, aliases: tuple[str, ...]) -> Node:
        if plan.references or plan.value_lists:
            raise NotCovered("references or value lists")
        relations = {key: (child, types) for key, child, types in plan.relations}
        entity = plan.entity
        objects: dict[str, Object] = {}
        children: dict[str, Child] = {}  # one per relation, whichever types it is on
        for type_name, specs in plan.fields.items():
            fields: list[tuple[str, Node]] = []
            for key, spec in specs:
                if key in relations and type_name in relations[key][1]:
                    if key not in children:
                        children[key] = self.child(relations[key][0], entity.id_column, aliases)
                    fields.append((key, children[key]))
                else:
                    fields.append((key, self.spec(spec)))
            objects[type_name] = Object(fields)
        if entity.discriminator is None:
            (only,) = objects.values()
            return only
        discriminator = plan.layout.sql[entity.discriminator]
        by_value = {v: objects[t] for v, t in entity.type_names.items() if t in objects}
        return Typed(discriminator, by_value)

    def spec(self, spec: Spec) -> Node:
        if isinstance(spec, Const):
            return Constant(spec.value)
        if isinstance(spec, Scalar):
            return self.value(spec.column)
        if isinstance(spec, Embedded):
            fields: list[tuple[str, Node]] = [(k, self.spec(s)) for k, s in spec.fields]
            null_when = "" if spec.null_when is None else _expression(spec.null_when)
            return Object(fields, null_when)
        assert isinstance(spec, Derived)
        raise NotCovered("a value from the codec")

    def value(self, column: Column) -> Value:
        kind = _KINDS.get(column.convert)
        if kind is None:
            raise NotCovered(f"{column.label}: {column.convert}")
        end = _expression(column.extra[0]) if kind is Kind.DURATION_MS else ""
        return Value(_expression(column), kind, end)

    def child(self, plan: ConnectionPlan, parent_id: Column, aliases: tuple[str, ...]) -> Child:
        alias = plan.entity.alias
        if alias in aliases or plan.parent_column is None or plan.needs_cursors:
            raise NotCovered("a child list of the same table, or with cursors")
        index = len(self.children)
        self.children.append(plan)
        child = Child(index, plan.entity.table, plan.parent_column, _expression(parent_id))
        for key, kind, detail in plan.parts:
            if kind == "nodes":
                child.parts.append((key, kind, self.objects(detail, (*aliases, alias))))
            elif kind in ("typename", "totalCount"):
                child.parts.append((key, kind, detail))
            else:
                raise NotCovered(kind)
        return child

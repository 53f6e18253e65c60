"""The shapes of what the fast path knows (`fields` lists it): how a column becomes a value,
the embedded objects, relations, references and value fields of an entity, and the entity."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.api.fastpath import loads
from gateway.odata import Catalog
from gateway.store.paging import ListQuery
from gateway.store.protocol import Connection


class Convert(enum.Enum):
    """How a column's value becomes the response's value."""

    NONE = "none"  # as stored: text, integers, enum names
    BOOL = "bool"  # 0/1 to false/true
    DATETIME = "datetime"  # microseconds since the epoch to an aware UTC datetime
    ETAG = "etag"  # a version to `W/"<version>"`
    DURATION_MS = "duration_ms"  # (start, end) microseconds to whole milliseconds
    JSON = "json"  # JSON text to its value (NULL stays null)
    JSON_LIST = "json_list"  # JSON text of a list to the list (NULL: empty)
    JSON_OBJECT = "json_object"  # JSON text of an object to the object (NULL: empty)
    ATTRIBUTE = "attribute"  # one text member (`Column.key`) of a JSON object; else null
    EMPTY_NULL = "empty_null"  # an empty value to null


@dataclass(frozen=True, slots=True)
class Column:
    """A value selected from the row: its label in the result and the SQL that selects it."""

    label: str
    sql: str  # with the table alias filled in
    convert: Convert = Convert.NONE
    extra: tuple[Column, ...] = ()  # further columns the conversion reads (a duration's end)
    key: str = ""  # the member an ATTRIBUTE conversion reads


@dataclass(frozen=True, slots=True)
class Embedded:
    """A non-list object field written from the same row (`durations`, `statistics`, ...)."""

    prefix: str  # the scalars' path prefix: `durations` for `durations/totalMs`
    null_when: str | None = None  # a column whose NULL makes the object null
    # For a selection its scalars do not hold (`statistics { metrics { name } }`): the codec's
    # function from these columns (by name) to the domain value (`values.py` writes it).
    derive: Callable[[Any], Any] | None = None
    columns: tuple[str, ...] = ()
    # Which of those columns each field of the object reads (None: every field reads them all):
    # a written value is a function of the columns its selection reads alone, so it is kept
    # per plan, by those columns' values, and written once (`writers.py`).
    reads: Mapping[str, tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class RelationSpec:
    """A connection field of the entity, fetched for all parents in one windowed statement."""

    child: str  # the child entity's name
    parent_column: str  # qualified by the child table's alias
    # The one concrete type its nodes have (a typed list such as `DatabricksRun.tasks`); a row of
    # another kind declines the request (the executor answers it). Empty: every child type.
    only: str = ""


@dataclass(frozen=True, slots=True)
class Reference:
    """A field naming one record by its id (`Run.process`, `Activity.run`): the records of all
    parents read in one statement, and written by the child entity's plan."""

    child: str  # the child entity's name
    column: Column  # the parent's column holding the child's id
    nullable: bool = False  # null when the column is; else a missing record declines


@dataclass(frozen=True, slots=True)
class ValueList:
    """A field of domain values read for all parents in one statement (`Run.statusHistory`,
    `Process.runAggregate`): `load(conn, parent ids, the field's arguments, scope)` gives each
    parent's; `values.py` writes them. An argument it refuses (raises) declines to the
    executor. `prepare`, if any, makes what the load needs of the selection below the field
    (its (parent field, field) names), once, when the plan is compiled (`Scope.prepared`).
    `kept`: the load gives the same immutable value object again while it is unchanged (as
    `Process.runAggregate`'s), so the plan keeps each written value by its object's identity."""

    load: Callable[
        [Connection, Sequence[str], dict[str, Any], loads.Scope], Awaitable[Mapping[str, Any]]
    ]
    prepare: Callable[[loads.Selected], Any] | None = None
    kept: bool = False


@dataclass(frozen=True)
class Entity:
    """A kind of record the fast path writes."""

    name: str  # the GraphQL interface or type
    catalog: Catalog | None  # None: only ever reached by reference, never listed
    table: str  # `name alias`
    default: ListQuery | None
    discriminator: str | None  # the column whose value picks the concrete GraphQL type
    type_names: Mapping[str, str]  # discriminator value -> concrete GraphQL type
    scalars: Mapping[str, Column]  # GraphQL field path -> column
    embedded: Mapping[str, Embedded] = field(default_factory=dict)
    relations: Mapping[str, RelationSpec] = field(default_factory=dict)
    references: Mapping[str, Reference] = field(default_factory=dict)
    value_lists: Mapping[str, ValueList] = field(default_factory=dict)
    workspace_column: str = "workspace_id"  # the column naming the record's workspace
    # Lists inside an embedded object, by path (`statistics/activityStatistics`): fetched for
    # all parents in one windowed statement like a relation, and written as a plain list.
    embedded_lists: Mapping[str, RelationSpec] = field(default_factory=dict)

    @property
    def alias(self) -> str:
        return self.table.split()[-1]

    @property
    def id_column(self) -> Column:
        return self.scalars["id"]

"""The field catalog: the only source of SQL identifiers the compiler ever emits (DESIGN §4.3).

A ``Catalog`` describes one entity (Run, Activity, Process): its public field paths (GraphQL field
names joined with ``/``), the SQL expression behind each, the collection relations usable in
``any``/``all`` lambdas, the unique id used as the last ordering key, and how ``$search`` reaches
its FTS5 table.

SQL in a catalog is a template: ``{alias}`` stands for the entity's table alias, so one catalog
serves the outer query (alias ``r``) and nested lambdas (``a1``, ``a2``...) alike::

    Field("statistics/errors", "{alias}.stat_errors", FieldType.INT)
    Relation("activities", ACTIVITY, "activities AS {alias}", "{alias}.run_id = {outer}.id")

Storage conventions the compiler relies on: DATETIME is INTEGER microseconds since the epoch, UTC;
DURATION is INTEGER microseconds; ENUM is TEXT holding the SCREAMING_CASE name; BOOL is 0/1; GUID
is lowercase TEXT. Fields named like ``durations/totalMs`` are plain INT milliseconds.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["Catalog", "Field", "FieldType", "Relation", "SearchSpec", "render"]

ALIAS_PLACEHOLDER = "{alias}"
OUTER_PLACEHOLDER = "{outer}"


class FieldType(enum.Enum):
    STRING = "String"
    INT = "Int"
    FLOAT = "Float"
    BOOL = "Boolean"
    DATETIME = "DateTimeOffset"
    DURATION = "Duration"
    ENUM = "Enum"
    GUID = "Guid"


def render(template: str, alias: str, outer: str = "") -> str:
    """Fill ``{alias}`` (and ``{outer}``) in a catalog SQL template. Not str.format: SQL may hold
    braces of its own."""
    return template.replace(ALIAS_PLACEHOLDER, alias).replace(OUTER_PLACEHOLDER, outer)


@dataclass(frozen=True)
class Field:
    path: str
    sql: str
    type: FieldType
    enum_values: tuple[str, ...] = ()
    filterable: bool = True
    sortable: bool = True
    indexed: bool = False
    nullable: bool = True
    description: str = ""
    enum_name: str = ""  # e.g. "RunStatus": the qualifier accepted in RunStatus'FAILED'
    postgres_sql: str = ""  # the PostgreSQL spelling, where it is not ``sql``'s

    def sql_for(self, postgres: bool) -> str:
        return self.postgres_sql if postgres and self.postgres_sql else self.sql

    def __post_init__(self) -> None:
        if self.type is FieldType.ENUM and not self.enum_values:
            raise ValueError(f"enum field {self.path!r} needs enum_values")


@dataclass(frozen=True, eq=False)
class Relation:
    name: str
    target: Catalog
    from_sql: str  # "activities AS {alias}"
    correlate_sql: str  # "{alias}.run_id = {outer}.id"
    description: str = ""


@dataclass(frozen=True)
class SearchSpec:
    """How ``$search`` reaches the entity's full-text index (FTS5; a tsvector on PostgreSQL).
    ``match_sql`` holds exactly one ``?``,
    bound to the FTS5 query string, e.g.
    ``{alias}.rowid IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)``."""

    match_sql: str
    description: str = ""
    # PostgreSQL: one ``?`` bound to a ``to_tsquery`` text, e.g.
    # ``{alias}.search_vector @@ to_tsquery('simple', ?)`` over a GIN-indexed tsvector.
    postgres_sql: str = ""
    # The FTS5 table ``match_sql`` reads (``runs_fts``), for a plan that probes it directly.
    fts_table: str = ""

    def condition(self, alias: str) -> str:
        """The SQLite condition, as ``compile_search`` writes it for ``alias``."""
        return render(self.match_sql, alias)


@dataclass(frozen=True, eq=False)  # hashed by identity: it keys the compile cache
class Catalog:
    entity: str
    alias: str
    fields: Mapping[str, Field]
    id_sql: str
    relations: Mapping[str, Relation] = field(default_factory=dict)
    search: SearchSpec | None = None

    @staticmethod
    def build(
        entity: str,
        alias: str,
        fields: Iterable[Field],
        id_sql: str,
        relations: Iterable[Relation] = (),
        search: SearchSpec | None = None,
    ) -> Catalog:
        """A catalog from lists of fields and relations."""
        return Catalog(
            entity,
            alias,
            {f.path: f for f in fields},
            id_sql,
            {r.name: r for r in relations},
            search,
        )

    def nearest(self, path: str, names: Iterable[str] | None = None) -> list[str]:
        """Field (and relation) names close to a misspelt ``path``, best first."""
        pool = list(names) if names is not None else [*self.fields, *self.relations]
        lowered = {n.lower(): n for n in pool}
        hits = difflib.get_close_matches(path.lower(), list(lowered), n=3, cutoff=0.6)
        return [lowered[h] for h in hits]

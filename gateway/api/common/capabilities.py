"""`capabilities`: what clients may filter, sort and search on, with which operators and functions,
and every limit, so GraphiQL users and codegen can discover them (OData Capabilities, in GraphQL)."""

from __future__ import annotations

import strawberry

from gateway.api.common.limit_registry import LIMITS, Limit
from gateway.odata import Catalog
from gateway.odata.functions import FUNCTIONS
from gateway.store.catalogs import ACTIVITIES, PROCESSES, RUNS

OPERATORS = (
    "eq", "ne", "gt", "ge", "lt", "le", "and", "or", "not", "in",
    "add", "sub", "mul", "div", "divby", "mod", "any", "all",
)  # fmt: skip
_CANONICAL = {"matchespattern": "matchesPattern"}


@strawberry.type(description="A field of a list's `filter` and `orderBy`.")
class FieldCapability:
    path: str = strawberry.field(description="The field path, `/` between levels.")
    type: str = strawberry.field(description="Its OData type: String, Int, DateTimeOffset, ...")
    filterable: bool = strawberry.field(description="Usable in `filter`.")
    sortable: bool = strawberry.field(description="Usable in `orderBy`.")
    indexed: bool = strawberry.field(
        description="Served by an index: filtering and sorting on it stay fast on large lists."
    )
    nullable: bool = strawberry.field(description="May be null.")
    enum_values: list[str] = strawberry.field(description="The values of an enum field.")
    description: str = strawberry.field(description="What it is.")


@strawberry.type(description="What one kind of list can be queried by.")
class EntityCapability:
    entity: str = strawberry.field(description="`Run`, `Activity` or `Process`.")
    searchable: bool = strawberry.field(description="Takes a `search` argument.")
    search_fields: str | None = strawberry.field(description="What `search` looks at.")
    lambda_collections: list[str] = strawberry.field(
        description="Collections usable in `any`/`all`, such as `activities`."
    )
    fields: list[FieldCapability] = strawberry.field(description="Its fields.")


@strawberry.type(description="Limits on what one request may ask for.")
class LimitCapability:
    name: str = strawberry.field(description="The limit's name, as errors name it.")
    value: int = strawberry.field(description="Its value.")
    description: str = strawberry.field(description="What it limits.")
    deprecation_reason: str | None = strawberry.field(
        default=None,
        description="Why this name is deprecated and which name replaces it; null for a "
        "current name.",
    )


@strawberry.type(description="How runs, activities and processes can be queried.")
class Capabilities:
    entities: list[EntityCapability] = strawberry.field(description="Per list.")
    operators: list[str] = strawberry.field(description="`filter` operators.")
    functions: list[str] = strawberry.field(description="`filter` functions.")
    limits: list[LimitCapability] = strawberry.field(description="Every limit.")
    notes: list[str] = strawberry.field(description="Rules worth knowing.")


def _entity(catalog: Catalog) -> EntityCapability:
    return EntityCapability(
        entity=catalog.entity,
        searchable=catalog.search is not None,
        search_fields=catalog.search.description if catalog.search else None,
        lambda_collections=sorted(catalog.relations),
        fields=[
            FieldCapability(
                path=f.path,
                type=f.type.value,
                filterable=f.filterable,
                sortable=f.sortable,
                indexed=f.indexed,
                nullable=f.nullable,
                enum_values=list(f.enum_values),
                description=f.description,
            )
            for f in catalog.fields.values()
        ],
    )


def _deprecation(limit: Limit) -> str:
    if limit.name == "filterDepth":
        return (
            "Renamed `filterDepth`: it is the nesting of a filter expression, and `queryDepth` "
            "the nesting of a document."
        )
    return f"Renamed `{limit.name}`: limits are named in camelCase, as errors name them."


def _limits() -> list[LimitCapability]:
    """Every limit of the one table, then each old name, deprecated, with the same value."""
    current = [
        LimitCapability(name=limit.name, value=limit.value, description=limit.description)
        for limit in LIMITS
    ]
    deprecated = [
        LimitCapability(
            name=limit.old_name,
            value=limit.value,
            description=limit.description,
            deprecation_reason=_deprecation(limit),
        )
        for limit in LIMITS
        if limit.old_name is not None
    ]
    return current + deprecated


CAPABILITIES = Capabilities(
    entities=[_entity(RUNS), _entity(ACTIVITIES), _entity(PROCESSES)],
    operators=list(OPERATORS),
    functions=sorted(_CANONICAL.get(name, name) for name in FUNCTIONS),
    limits=_limits(),
    notes=[
        "String comparisons and contains/startswith/endswith are case-sensitive, as OData says; "
        "use tolower() for a case-insensitive match.",
        "Enum values compare by name, case-insensitively: 'failed' and RunStatus'FAILED' both work.",
        "Date-times take any offset and are compared in UTC.",
        "A comparison with null is false, except `eq null` / `ne null`.",
        "`filter` and `orderBy` cursors belong together: a cursor only works with the same "
        "orderBy it came from.",
    ],
)

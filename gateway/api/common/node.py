"""The Relay `Node` interface, paging arguments, and the mapping of domain classes to GraphQL types."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry


@strawberry.interface(
    description="An object with an opaque, globally unique id. The id's prefix names its kind "
    "(`run_`, `act_`, `proc_`, `ws_`), and `node(id:)` fetches any of them."
)
class Node:
    id: strawberry.ID = strawberry.field(description="The opaque, globally unique id.")


def served_from(domain_class: type) -> classmethod[Any, [Any, Any], bool]:
    """`is_type_of` for a GraphQL type whose resolvers return instances of `domain_class`."""

    def is_type_of(cls: type, obj: Any, info: Any) -> bool:
        return isinstance(obj, domain_class)

    return classmethod(is_type_of)


First = Annotated[
    int | None,
    strawberry.argument(description="Return the first n nodes (default 50, at most 500)."),
]
After = Annotated[
    str | None,
    strawberry.argument(description="Return nodes after this cursor (from `endCursor`)."),
]
Last = Annotated[
    int | None, strawberry.argument(description="Return the last n nodes (at most 500).")
]
Before = Annotated[
    str | None,
    strawberry.argument(description="Return nodes before this cursor (from `startCursor`)."),
]

Filter = Annotated[
    str | None,
    strawberry.argument(
        description="An OData `$filter` expression, such as `status eq 'FAILED' and "
        "startDateTime ge 2026-01-01T00:00:00Z`. `capabilities` lists the fields, operators and "
        "functions."
    ),
]
OrderBy = Annotated[
    str | None,
    strawberry.argument(
        description="An OData `$orderby` list, such as `startDateTime desc, displayName`. The id "
        "breaks ties. Default: newest first."
    ),
]
Search = Annotated[
    str | None,
    strawberry.argument(
        description='An OData `$search` expression: terms, "quoted phrases", AND, OR, NOT.'
    ),
]
IfMatch = Annotated[
    str | None,
    strawberry.argument(
        description="The eTag the change is based on; a stale one gets PreconditionFailedError "
        "and changes nothing. Left out, the change applies to whatever version is current."
    ),
]
TargetId = Annotated[strawberry.ID, strawberry.argument(description="The record's id.")]

"""The GraphQL API (strawberry), one package per concept (runs, activities, processes,
statistics, lifecycle, live, auth) over `common`; `schema` is the root.

The domain's enums are described here, before any module of the API uses them: strawberry
registers an enum class once, and the first use wins."""

from gateway.api.common import enums as _enums  # noqa: F401 (the descriptions must come first)

"""One way from a list field's arguments to a store query: `filter`, `where`, `orderBy` and
`search` compiled into one `ListQuery` inside the caller's workspaces, and the page asked for
(`first`/`after`/`last`/`before`, its cursor checked against the list before anything is read).

Every list goes through here: the executor's list resolvers, the statistics, live filters, bulk
changes and the fast path, so they accept and refuse exactly the same arguments. The compiler's
errors (`ODataError`) leave as they are; `api.auth.masking` (queries) and the mutation error
registry (`api.common.errors`) turn them into the response's errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.api.common.where import to_expr
from gateway.domain.auth import Workspaces
from gateway.domain.paging import PageRequest
from gateway.odata import Catalog
from gateway.store import activities, processes, runs
from gateway.store.catalogs import ACTIVITIES, PROCESSES, RUNS
from gateway.store.paging import ListQuery, build_query, check_cursor


@dataclass(frozen=True, slots=True)
class Listed:
    """A kind of list: the catalog its arguments are compiled against and its default order."""

    catalog: Catalog
    default: ListQuery


RUN_LIST = Listed(RUNS, runs.NEWEST_FIRST)
PROCESS_LIST = Listed(PROCESSES, processes.NEWEST_FIRST)
ACTIVITY_LIST = Listed(ACTIVITIES, activities.IN_RUN_ORDER)


@dataclass(frozen=True, slots=True)
class ListArguments:
    """A list field's arguments; `where` is the typed input (`api.common.where`)."""

    filter: str | None = None
    where: object | None = None
    order_by: str | None = None
    search: str | None = None
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    @classmethod
    def of(cls, arguments: Mapping[str, Any], where: object | None = None) -> ListArguments:
        """From GraphQL argument values by their schema names (`orderBy`); `where` typed."""
        return cls(
            filter=arguments.get("filter"),
            where=where,
            order_by=arguments.get("orderBy"),
            search=arguments.get("search"),
            first=arguments.get("first"),
            after=arguments.get("after"),
            last=arguments.get("last"),
            before=arguments.get("before"),
        )


def list_query(listed: Listed, workspaces: Workspaces, arguments: ListArguments) -> ListQuery:
    """The rows the arguments select, in their order, inside `workspaces`."""
    return build_query(
        listed.catalog,
        listed.default,
        workspaces=workspaces,
        filter=arguments.filter,
        order_by=arguments.order_by,
        search=arguments.search,
        where=to_expr(arguments.where),
    )


def list_request(
    listed: Listed, workspaces: Workspaces, arguments: ListArguments
) -> tuple[PageRequest, ListQuery]:
    """The page and the query of a list; a cursor of another list is refused here."""
    request = PageRequest.from_arguments(
        arguments.first, arguments.after, arguments.last, arguments.before
    )
    query = list_query(listed, workspaces, arguments)
    check_cursor(query, request)
    return request, query

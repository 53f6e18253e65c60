"""Where each entity set and navigation property reads from: the store's own list functions
(keyset pages, counts) and lookups by id, the same ones GraphQL's lists and loaders call.

A `Listing` is one list: its catalog, its default order, a page and a count. The root sets have
one each; a collection navigation property from one entity (`Runs('…')/activities`,
`Processes('…')/runs`) is the store's per-parent page with that one parent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from gateway.domain.models import ACTIVITY_CLASSES, RUN_CLASSES
from gateway.domain.paging import PageRequest
from gateway.odata import Catalog, Compiled, compile_filter
from gateway.store import activities, processes, runs, workspaces
from gateway.store.catalogs import ACTIVITIES, PROCESSES, RUNS
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection

PageOf = Callable[[Connection, PageRequest, ListQuery], Awaitable[Page[Any]]]
CountOf = Callable[[Connection, ListQuery], Awaitable[int]]
GetMany = Callable[[Connection, Sequence[str]], Awaitable[dict[str, Any]]]
RowsById = Callable[[Connection, Sequence[str], Sequence[str]], Awaitable[list[Any]]]
RowsOf = Callable[[Connection, PageRequest, ListQuery, Sequence[str]], Awaitable[Page[Any]]]


@dataclass(frozen=True)
class Listing:
    catalog: Catalog
    default: ListQuery
    page: PageOf
    count: CountOf
    rows: RowsOf | None = None  # a page as tuples of catalog columns (`projection.py`)


ROOTS: dict[str, Listing] = {
    "Runs": Listing(RUNS, runs.NEWEST_FIRST, runs.page, runs.count, runs.rows_page),
    "Processes": Listing(
        PROCESSES, processes.NEWEST_FIRST, processes.page, processes.count, processes.rows_page
    ),
    "Activities": Listing(
        ACTIVITIES, activities.NEWEST_FIRST, activities.page, activities.count, activities.rows_page
    ),
}

ROWS_BY_ID: dict[str, RowsById] = {"Run": runs.rows_by_id, "Process": processes.rows_by_id}
"""Entities read by id as plain tuples of catalog columns (`projection.py`)."""

GET_MANY: dict[str, GetMany] = {
    "Run": runs.get_many,
    "Process": processes.get_many,
    "Activity": activities.get_many,
    "Workspace": workspaces.get_many,
}


@dataclass(frozen=True)
class Children:
    """A collection navigation property: pages and counts for many parents at once."""

    catalog: Catalog
    default: ListQuery
    pages: Callable[
        [Connection, Sequence[str], PageRequest, ListQuery], Awaitable[dict[str, Page[Any]]]
    ]
    counts: Callable[[Connection, Sequence[str], ListQuery], Awaitable[dict[str, int]]]
    row_pages: Callable[
        [Connection, Sequence[str], PageRequest, ListQuery, Sequence[str]],
        Awaitable[dict[str, Page[Any]]],
    ]

    def of(self, parent_id: str) -> Listing:
        """The list of one parent's children."""

        async def page(conn: Connection, request: PageRequest, query: ListQuery) -> Page[Any]:
            return (await self.pages(conn, [parent_id], request, query))[parent_id]

        async def count(conn: Connection, query: ListQuery) -> int:
            return (await self.counts(conn, [parent_id], query))[parent_id]

        async def rows(
            conn: Connection, request: PageRequest, query: ListQuery, columns: Sequence[str]
        ) -> Page[Any]:
            return (await self.row_pages(conn, [parent_id], request, query, columns))[parent_id]

        return Listing(self.catalog, self.default, page, count, rows)


CHILDREN: dict[tuple[str, str], Children] = {
    ("Run", "activities"): Children(
        ACTIVITIES,
        activities.IN_RUN_ORDER,
        activities.pages_by_run,
        activities.count_by_run,
        activities.row_pages_by_run,
    ),
    ("Process", "runs"): Children(
        RUNS,
        runs.NEWEST_FIRST,
        runs.pages_by_process,
        runs.count_by_process,
        runs.row_pages_by_process,
    ),
}


def _casts() -> dict[str, Compiled]:
    found = {
        cls.__name__: compile_filter(f"source eq '{source.value}'", RUNS)
        for source, cls in RUN_CLASSES.items()
    }
    found.update(
        (cls.__name__, compile_filter(f"kind eq '{kind.value}'", ACTIVITIES))
        for kind, cls in ACTIVITY_CLASSES.items()
    )
    return found


CAST_CONDITIONS: dict[str, Compiled] = _casts()
"""The condition of each type-cast segment (`Runs/RunsGateway.DatabricksRun`): its platform."""


def with_condition(query: ListQuery, condition: Compiled) -> ListQuery:
    return ListQuery(query.entity, query.order, (*query.where, condition))

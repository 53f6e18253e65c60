"""Data loaders: every relation is fetched in one statement per request level, whatever the page size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from gateway.domain.paging import PageRequest
from gateway.store import activities, processes, runs, statistics, workspaces
from gateway.store.database import Connection, Database
from gateway.store.paging import ListQuery, Page

V = TypeVar("V")
ParentPage = tuple[str, PageRequest, ListQuery]
ParentCount = tuple[str, ListQuery]


class Loaders:
    """One set per request, so nothing is cached across requests."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.workspace = self._by_id(workspaces.get_many)
        self.process = self._by_id(processes.get_many)
        self.run = self._by_id(runs.get_many)
        self.activity = self._by_id(activities.get_many)
        self.activity_page = self._pages(activities.pages_by_run)
        self.activity_count = self._counts(activities.count_by_run)
        self.run_page_by_process = self._pages(runs.pages_by_process)
        self.run_count_by_process = self._counts(runs.count_by_process)
        self.run_statistics_by_process = self._counts(statistics.by_process)
        self.process_health = self._by_id(statistics.health_by_process)

    def _by_id(
        self, fetch: Callable[[Connection, Sequence[str]], Awaitable[dict[str, V]]]
    ) -> DataLoader[str, V | None]:
        async def load(ids: list[str]) -> list[V | None]:
            async with self._db.read() as conn:
                found = await fetch(conn, ids)
            return [found.get(id) for id in ids]

        return DataLoader(load_fn=load)

    def _pages(
        self,
        fetch: Callable[
            [Connection, Sequence[str], PageRequest, ListQuery], Awaitable[dict[str, Page[V]]]
        ],
    ) -> DataLoader[ParentPage, Page[V]]:
        """Pages of children, one statement per distinct (page arguments, query)."""

        async def load(keys: list[ParentPage]) -> list[Page[V]]:
            groups: dict[tuple[PageRequest, ListQuery], list[str]] = {}
            for parent, request, query in keys:
                groups.setdefault((request, query), []).append(parent)
            found: dict[ParentPage, Page[V]] = {}
            async with self._db.read() as conn:
                for (request, query), parents in groups.items():
                    pages = await fetch(conn, parents, request, query)
                    found.update({(p, request, query): page for p, page in pages.items()})
            return [found[key] for key in keys]

        return DataLoader(load_fn=load)

    def _counts(
        self,
        fetch: Callable[[Connection, Sequence[str], ListQuery], Awaitable[dict[str, V]]],
    ) -> DataLoader[ParentCount, V]:
        """Counts (or other aggregates) of children, one fetch per distinct query."""

        async def load(keys: list[ParentCount]) -> list[V]:
            groups: dict[ListQuery, list[str]] = {}
            for parent, query in keys:
                groups.setdefault(query, []).append(parent)
            found: dict[ParentCount, V] = {}
            async with self._db.read() as conn:
                for query, parents in groups.items():
                    counts = await fetch(conn, parents, query)
                    found.update({(p, query): n for p, n in counts.items()})
            return [found[key] for key in keys]

        return DataLoader(load_fn=load)

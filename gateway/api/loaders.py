"""Data loaders: every relation is fetched in one statement per request level, whatever the page size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from gateway.domain.models import Activity, Process, Run, Workspace
from gateway.domain.paging import PageRequest
from gateway.store import activities, processes, runs, workspaces
from gateway.store.database import Connection, Database
from gateway.store.paging import Page

K = TypeVar("K")
V = TypeVar("V")
ParentPage = tuple[str, PageRequest]


class Loaders:
    """One set per request, so nothing is cached across requests."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.workspace = self._by_id(workspaces.get_many)
        self.process = self._by_id(processes.get_many)
        self.run = self._by_id(runs.get_many)
        self.activity = self._by_id(activities.get_many)
        self.activity_page = self._pages(activities.pages_by_run)
        self.activity_count = self._by_id(activities.count_by_run)
        self.run_page_by_process = self._pages(runs.pages_by_process)
        self.run_count_by_process = self._by_id(runs.count_by_process)

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
        fetch: Callable[[Connection, Sequence[str], PageRequest], Awaitable[dict[str, Page[V]]]],
    ) -> DataLoader[ParentPage, Page[V]]:
        async def load(keys: list[ParentPage]) -> list[Page[V]]:
            by_request: dict[PageRequest, list[str]] = {}
            for parent, request in keys:
                by_request.setdefault(request, []).append(parent)
            found: dict[ParentPage, Page[V]] = {}
            async with self._db.read() as conn:
                for request, parents in by_request.items():
                    pages = await fetch(conn, parents, request)
                    found.update({(parent, request): page for parent, page in pages.items()})
            return [found[key] for key in keys]

        return DataLoader(load_fn=load)


__all__ = ["Activity", "Loaders", "Process", "Run", "Workspace"]

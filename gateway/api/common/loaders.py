"""Data loaders: every relation is fetched in one statement per request level, whatever the page size."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader

from gateway.domain.aggregates import ReportFields, RunAggregate
from gateway.domain.auth import Workspaces
from gateway.domain.models import RunEvent
from gateway.domain.paging import PageRequest
from gateway.services import statistics as run_statistics
from gateway.store import activities, events, processes, runs, statistics, workspaces
from gateway.store.paging import ListQuery, Page
from gateway.store.protocol import Connection, Database

V = TypeVar("V")
Q = TypeVar("Q")  # what a count or aggregate is of: a list query, or (query, fields)
ParentPage = tuple[str, PageRequest, ListQuery]
ParentCount = tuple[str, ListQuery]


async def _statistics_by_process(
    conn: Connection, process_ids: Sequence[str], scope: tuple[ListQuery, ReportFields]
) -> dict[str, RunAggregate]:
    query, wanted = scope
    return await run_statistics.by_process(conn, process_ids, query, wanted)


class Loaders:
    """One set per request, so nothing is cached across requests. The by-id loaders answer
    None for a record outside the caller's workspaces, exactly as for a missing one."""

    def __init__(self, db: Database, visible: Workspaces) -> None:
        self._db = db
        self._visible = visible
        self.workspace = self._by_id(workspaces.get_many, lambda w: w.id)
        self.process = self._by_id(processes.get_many, lambda p: p.workspace_id)
        self.run = self._by_id(runs.get_many, lambda r: r.workspace_id)
        self.activity = self._by_id(activities.get_many, lambda a: a.workspace_id)
        self.activity_page = self._pages(activities.pages_by_run)
        self.activity_count = self._counts(activities.count_by_run)
        self.run_page_by_process = self._pages(runs.pages_by_process)
        self.run_count_by_process = self._counts(runs.count_by_process)
        self.history = DataLoader(load_fn=self._load_history)
        # Keyed by (process id, (query, the fields selected)): one read per distinct pair.
        self.run_statistics_by_process = self._counts(_statistics_by_process)
        # Keyed by processes the caller already sees: their runs are in the same workspace.
        self.process_health = self._by_id(statistics.health_by_process, None)

    async def _load_history(self, keys: list[tuple[str, int]]) -> list[list[RunEvent]]:
        """The latest events of runs, one statement per distinct limit."""
        groups: dict[int, list[str]] = {}
        for run_id, limit in keys:
            groups.setdefault(limit, []).append(run_id)
        found: dict[tuple[str, int], list[RunEvent]] = {}
        async with self._db.read() as conn:
            for limit, run_ids in groups.items():
                latest = await events.latest_for_runs(conn, run_ids, limit)
                found.update({(id, limit): latest[id] for id in run_ids})
        return [found[key] for key in keys]

    def _by_id(
        self,
        fetch: Callable[[Connection, Sequence[str]], Awaitable[dict[str, V]]],
        workspace_of: Callable[[V], str] | None,
    ) -> DataLoader[str, V | None]:
        """`workspace_of` None: the ids are of records the caller may already see."""
        visible = self._visible

        async def load(ids: list[str]) -> list[V | None]:
            async with self._db.read() as conn:
                found = await fetch(conn, ids)
            if workspace_of is not None and not visible.every:
                found = {k: v for k, v in found.items() if visible.allows(workspace_of(v))}
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
        fetch: Callable[[Connection, Sequence[str], Q], Awaitable[dict[str, V]]],
    ) -> DataLoader[tuple[str, Q], V]:
        """Counts (or other aggregates) of children, one fetch per distinct query."""

        async def load(keys: list[tuple[str, Q]]) -> list[V]:
            groups: dict[Q, list[str]] = {}
            for parent, query in keys:
                groups.setdefault(query, []).append(parent)
            found: dict[tuple[str, Q], V] = {}
            async with self._db.read() as conn:
                for query, parents in groups.items():
                    counts = await fetch(conn, parents, query)
                    found.update({(p, query): n for p, n in counts.items()})
            return [found[key] for key in keys]

        return DataLoader(load_fn=load)

"""The store's SQL, captured: the store's own functions run against a recording connection, so
the floor always runs exactly the statements the server runs."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from gateway.api.fastpath import FastPath
from gateway.api.schema import schema
from gateway.odata import Dialect
from gateway.store.protocol import Connection as StoreConnection

from .queries import Query


class Recorder:
    """Stands in for the store's connection: records every statement, returns no rows. It
    speaks SQLite's dialect: the floor runs the statements over the SQLite file."""

    dialect = Dialect.SQLITE

    def __init__(self) -> None:
        self.statements: list[tuple[str, list[Any]]] = []

    async def fetchall(self, sql: str, params: Any = ()) -> list[Any]:
        self.statements.append((sql, list(params)))
        return []

    async def fetch_tuples(self, sql: str, params: Any = ()) -> list[Any]:
        return await self.fetchall(sql, params)

    async def fetchone(self, sql: str, params: Any = ()) -> Any:
        await self.fetchall(sql, params)
        return None

    async def fetch_by_id(self, table: str, ids: Any) -> dict[str, Any]:
        await StoreConnection.fetch_by_id(self, table, ids)  # type: ignore[arg-type]
        return {}


def store_sql(call: Any) -> tuple[str, list[Any]]:
    """The one statement a store function runs (given a `Recorder`)."""
    recorder = Recorder()
    asyncio.run(call(recorder))
    if len(recorder.statements) != 1:
        raise RuntimeError(f"expected one statement, got {recorder.statements}")
    return recorder.statements[0]


class ByIds:
    """A store statement over a list of ids, captured once per list length, ids filled in later."""

    def __init__(self, call: Any) -> None:
        self.call = call  # (recorder, ids) -> awaitable
        self.cache: dict[int, tuple[str, list[Any]]] = {}

    def bind(self, ids: list[str]) -> tuple[str, list[Any]]:
        n = len(ids)
        if n not in self.cache:
            marks = [f"\x00{i}" for i in range(n)]
            sql, params = store_sql(lambda rec: self.call(rec, marks))
            slots = {m: i for i, m in enumerate(marks)}
            self.cache[n] = (sql, [("id", slots[p]) if p in slots else ("v", p) for p in params])
        sql, template = self.cache[n]
        return sql, [ids[v] if kind == "id" else v for kind, v in template]


def same(row: Any) -> Any:
    return row


def with_fast_path_columns(query: Query) -> Query:
    """The query with the floor narrowed to the columns the server's fast path selects, so the
    floor runs the server's SQL (unchanged when the fast path does not cover the document)."""
    plan = asyncio.run(FastPath(schema).plan(query.document, None))
    if plan is None:
        return query
    ((_, _, runs),) = plan.roots
    activities = [
        child.layout.columns
        for _, kind, objects in runs.parts
        if kind == "nodes"
        for _, child, _ in objects.relations
    ]
    floor = replace(
        query.floor,
        run_columns=runs.layout.columns,
        activity_columns=activities[0] if activities else (),
    )
    return replace(query, floor=floor)

"""Shared fixtures: a demo database made once and copied per test, the app over it, a client."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import Settings
from gateway.demo.generator import load
from gateway.store.engines import database_for
from gateway.store.protocol import Database

DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DEMO_RUNS = 300


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo data set, made once per test session."""
    path = tmp_path_factory.mktemp("template") / "demo.db"

    async def make() -> None:
        async with database_for(path, readers=1) as db:
            await load(db, runs_wanted=DEMO_RUNS, now=DEMO_NOW)
            await db._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]

    asyncio.run(make())
    return path


@pytest.fixture
def demo_path(demo_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo database for one test."""
    path = tmp_path / "gateway.db"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """An empty, migrated database."""
    async with database_for(tmp_path / "empty.db", readers=2) as database:
        yield database


@pytest.fixture
async def demo_db(demo_path: Path) -> AsyncIterator[Database]:
    async with database_for(demo_path, readers=2) as database:
        yield database


class GraphQLClient:
    """Posts operations to /graphql the way a frontend does."""

    def __init__(self, http: TestClient) -> None:
        self.http = http

    def __call__(
        self, query: str, variables: dict[str, Any] | None = None, *, status: int = 200
    ) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}})
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    @property
    def statements(self) -> int:
        db: Database = self.http.app.state.db  # type: ignore[attr-defined]
        return db.statements.count


@pytest.fixture
def client_factory() -> Iterator[Callable[..., GraphQLClient]]:
    opened: list[TestClient] = []

    def make(path: Path, **settings: Any) -> GraphQLClient:
        settings.setdefault("scheduler", False)  # no scheduled runs among what tests count
        http = TestClient(create_app(Settings(database=str(path), **settings)))
        http.__enter__()
        opened.append(http)
        return GraphQLClient(http)

    yield make
    for http in opened:
        http.__exit__(None, None, None)


@pytest.fixture
def gql(demo_path: Path, client_factory: Callable[[Path], GraphQLClient]) -> GraphQLClient:
    """A client of the app over a fresh copy of the demo data set."""
    return client_factory(demo_path)


@pytest.fixture
def empty_gql(tmp_path: Path, client_factory: Callable[[Path], GraphQLClient]) -> GraphQLClient:
    """A client of the app over an empty database."""
    return client_factory(tmp_path / "empty.db")

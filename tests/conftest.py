"""Shared fixtures: a demo database made once and copied per test, the app over it, a client.

`GATEWAY_TEST_STORE=postgres` runs the same tests on PostgreSQL (tests/pg.py): `db`, `demo_db`,
`demo_path`, `gql` and `empty_gql` are then databases cloned, per test, from two template
databases made once per session (migrated, and migrated with the demo data set), each under a
unique name and dropped after the test.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import orjson
import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import Settings
from gateway.demo.generator import load
from gateway.store.engines import database_for
from gateway.store.protocol import Database
from tests import pg

ON_POSTGRES = pg.REQUIRED
DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DEMO_RUNS = 300


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="tests the SQLite engine itself")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


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


@pytest.fixture(scope="session")
def pg_templates() -> Iterator[dict[str, str]]:
    """PostgreSQL template databases, made once per session: "empty" (migrated) and "demo"."""
    pg.need_postgres()
    names = {"empty": pg.unique_name(), "demo": pg.unique_name()}

    async def make() -> None:
        for kind, name in names.items():
            await pg.create_database(name)
            async with database_for(pg.url_of(name), readers=1) as db:
                if kind == "demo":
                    await load(db, runs_wanted=DEMO_RUNS, now=DEMO_NOW)

    try:
        asyncio.run(make())
        yield names
    finally:

        async def drop() -> None:
            for name in names.values():
                await pg.drop_database(name)

        asyncio.run(drop())


def _pg_clone(request: pytest.FixtureRequest, kind: str) -> str:
    """A new database cloned from a template, dropped when the test ends; its URL."""
    templates: dict[str, str] = request.getfixturevalue("pg_templates")
    name = pg.unique_name()
    pg.blocking(pg.create_database(name, templates[kind]))
    request.addfinalizer(lambda: pg.blocking(pg.drop_database(name)))
    return pg.url_of(name)


@pytest.fixture
def demo_path(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A fresh copy of the demo database for one test (on PostgreSQL: its URL; the SQLite
    template is then never made)."""
    if ON_POSTGRES:
        return _pg_clone(request, "demo")  # type: ignore[return-value]  # a URL in this mode
    path = tmp_path / "gateway.db"
    shutil.copy(request.getfixturevalue("demo_template"), path)
    return path


@pytest.fixture(scope="module")
def module_demo(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """One copy of the demo data set shared by a module's read-only tests (on PostgreSQL: its
    URL, dropped after the module)."""
    if ON_POSTGRES:
        return _pg_clone(request, "demo")  # type: ignore[return-value]  # a URL in this mode
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(request.getfixturevalue("demo_template"), path)
    return path


@pytest.fixture(scope="module")
def module_empty(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """Where an empty database shared by a module's tests goes (on PostgreSQL: a migrated one's
    URL, dropped after the module)."""
    if ON_POSTGRES:
        return _pg_clone(request, "empty")  # type: ignore[return-value]  # a URL in this mode
    return tmp_path_factory.mktemp("empty") / "gateway.db"


@pytest.fixture
def empty_location(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """Where an empty, migrated database is (on PostgreSQL: its URL)."""
    if ON_POSTGRES:
        return _pg_clone(request, "empty")  # type: ignore[return-value]  # a URL in this mode
    return tmp_path / "empty.db"


@pytest.fixture
def new_location(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """Where a new database goes, by name: a file in the test's directory (not made yet), or on
    PostgreSQL a new empty database's URL (not migrated; dropped when the test ends). For tests
    that hand a database to commands, as a user would, on either engine."""
    made: dict[str, str] = {}

    def location(name: str) -> Path:
        if not ON_POSTGRES:
            return tmp_path / name
        if name not in made:
            database = pg.unique_name()
            pg.blocking(pg.create_database(database))
            request.addfinalizer(lambda: pg.blocking(pg.drop_database(database)))
            made[name] = pg.url_of(database)
        return made[name]  # type: ignore[return-value]  # a URL in this mode

    return location


@pytest.fixture
async def db(empty_location: Path) -> AsyncIterator[Database]:
    """An empty, migrated database."""
    async with database_for(empty_location, readers=2) as database:
        yield database


@pytest.fixture
async def demo_db(demo_path: Path) -> AsyncIterator[Database]:
    async with database_for(demo_path, readers=2) as database:
        yield database


def without_request_ids(body: Any, request_id: str | None) -> Any:
    """`body` (a GraphQL answer, a graphql-transport-ws message, an OData error, an ingest
    answer) with every error's request id checked and taken out: each must be the request's
    `X-Request-Id` (when given), and tests compare the rest exactly."""
    if not isinstance(body, dict):
        return body
    out = dict(body)
    if isinstance(out.get("errors"), list):
        out["errors"] = [_strip(e, "extensions", request_id) for e in out["errors"]]
    if out.get("type") in ("error", "next"):
        payload = out.get("payload")
        if isinstance(payload, list):
            out["payload"] = [_strip(e, "extensions", request_id) for e in payload]
        elif isinstance(payload, dict):
            out["payload"] = without_request_ids(payload, request_id)
    if isinstance(out.get("error"), dict):  # OData's innererror.requestId; the ingest's own
        out["error"] = _pop(_strip(out["error"], "innererror", request_id), request_id)
    if "failed" in out:  # an ingest summary
        out = _pop(out, request_id)
    return out


def _strip(record: Any, key: str, request_id: str | None) -> Any:
    if not isinstance(record, dict) or not isinstance(record.get(key), dict):
        return record
    inner = _pop(record[key], request_id)
    out = {**record, key: inner}
    if not inner:
        del out[key]
    return out


def _pop(mapping: dict[str, Any], request_id: str | None) -> dict[str, Any]:
    if "requestId" not in mapping:
        return mapping
    out = dict(mapping)
    found = out.pop("requestId")
    assert request_id is None or found == request_id, (found, request_id)
    return out


class CheckedClient(TestClient):
    """A test client whose JSON answers have every error's request id checked against the
    response's `X-Request-Id` and taken out (`without_request_ids`), so that tests compare
    error bodies exactly while every error of the suite is checked to carry its id."""

    def request(self, *args: Any, **kwargs: Any) -> httpx2.Response:  # type: ignore[override]  # the same call, its answer normalised
        response = super().request(*args, **kwargs)
        if "json" not in response.headers.get("content-type", ""):
            return response
        try:
            body = response.json()
        except ValueError:
            return response
        normalised = without_request_ids(body, response.headers.get("x-request-id"))
        if normalised != body:
            response._content = orjson.dumps(normalised)
        return response


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
        settings.setdefault("create", True)  # tests open new files; `serve` itself would refuse
        http = CheckedClient(create_app(Settings(database=str(path), **settings)))
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
def empty_gql(
    empty_location: Path, client_factory: Callable[[Path], GraphQLClient]
) -> GraphQLClient:
    """A client of the app over an empty database."""
    return client_factory(empty_location)

"""Storage faults are typed errors the client can act on, and `/readyz` reports them: a database
file deleted or replaced under a running server (`STORAGE_UNAVAILABLE`: no write is acknowledged
to it), a full store (`STORAGE_FULL`), a read-only one (`STORAGE_READ_ONLY`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from tests.conftest import GraphQLClient
from tests.servers import free_port, serve_process

CREATE = """
mutation ($name: String!) {
  createProcess(input: {source: GATEWAY, kind: GATEWAY_PROCESS, displayName: $name}) {
    __typename
    ... on CreateProcessPayload { process { id } }
  }
}
"""
COUNT = "{ processes { totalCount } }"

pytestmark = pytest.mark.sqlite_only  # SQLite files themselves


def _code(body: dict[str, Any]) -> str:
    (error,) = body["errors"]
    code: str = error["extensions"]["code"]
    return code


def _migrated(path: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "gateway", "migrate", "--database", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def test_a_deleted_database_file_is_unavailable_not_silently_lost(tmp_path: Path) -> None:
    database = _migrated(tmp_path / "served.db")
    with serve_process(database, tmp_path / "server.log", CREATE="false") as (url, _):
        ok = httpx2.post(f"{url}/graphql", json={"query": CREATE, "variables": {"name": "a"}})
        assert ok.json()["data"]["createProcess"]["__typename"] == "CreateProcessPayload"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        lost = httpx2.post(f"{url}/graphql", json={"query": CREATE, "variables": {"name": "b"}})
        assert _code(lost.json()) == "STORAGE_UNAVAILABLE"
        ready = httpx2.get(f"{url}/readyz")
        assert ready.status_code == 503
        assert ready.json() == {"status": "unavailable", "reason": "STORAGE_UNAVAILABLE"}
    port = str(free_port())
    restart = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--database", str(database), "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert restart.returncode == 2
    assert "There is no database" in restart.stderr
    assert not database.exists()  # not silently created empty


def test_a_replaced_database_file_is_unavailable(tmp_path: Path) -> None:
    database = _migrated(tmp_path / "served.db")
    other = _migrated(tmp_path / "other.db")
    with serve_process(database, tmp_path / "server.log") as (url, _):
        shutil.move(other, database)
        refused = httpx2.post(f"{url}/graphql", json={"query": CREATE, "variables": {"name": "x"}})
        assert _code(refused.json()) == "STORAGE_UNAVAILABLE"
        assert httpx2.get(f"{url}/readyz").json()["reason"] == "STORAGE_UNAVAILABLE"


def _writer_pragma(client: GraphQLClient, pragma: str) -> None:
    """What a full disk or a read-only mount does to the writer, made on purpose."""
    db = client.http.app.state.db  # type: ignore[attr-defined]

    async def run() -> None:
        await db._writer.execute(pragma)

    client.http.portal.call(run)  # type: ignore[union-attr]


def _fault(
    demo_path: Path,
    client_factory: Callable[..., GraphQLClient],
    pragma: Callable[[GraphQLClient], str],
    code: str,
) -> None:
    client = client_factory(demo_path)
    before = client.data(COUNT)["processes"]["totalCount"]
    _writer_pragma(client, pragma(client))
    created = 0
    for attempt in range(2000):  # until the store needs a page it may not have
        refused = client(CREATE, {"name": f"process {attempt} " + "x" * 200})
        if "errors" in refused:
            break
        created += 1
    assert _code(refused) == code
    assert "nothing was changed" in refused["errors"][0]["message"]
    ready = client.http.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": code}
    assert client.data(COUNT)["processes"]["totalCount"] == before + created


def test_a_full_store_is_storage_full(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    def cap(client: GraphQLClient) -> str:
        db = client.http.app.state.db  # type: ignore[attr-defined]

        async def pages() -> int:
            rows = await db._writer.execute_fetchall("PRAGMA page_count")
            return int(next(iter(rows))[0])

        count = client.http.portal.call(pages)  # type: ignore[union-attr]
        return f"PRAGMA max_page_count = {count}"

    _fault(demo_path, client_factory, cap, "STORAGE_FULL")


def test_a_read_only_store_is_storage_read_only(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    _fault(demo_path, client_factory, lambda _: "PRAGMA query_only = ON", "STORAGE_READ_ONLY")


def _page_cap(client: GraphQLClient) -> str:
    db = client.http.app.state.db  # type: ignore[attr-defined]

    async def pages() -> int:
        rows = await db._writer.execute_fetchall("PRAGMA page_count")
        return int(next(iter(rows))[0])

    return f"PRAGMA max_page_count = {client.http.portal.call(pages)}"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("inject", "clear", "code"),
    [
        (_page_cap, "PRAGMA max_page_count = 1073741823", "STORAGE_FULL"),
        (lambda _: "PRAGMA query_only = ON", "PRAGMA query_only = OFF", "STORAGE_READ_ONLY"),
    ],
    ids=["full", "read-only"],
)
def test_readyz_recovers_when_the_fault_clears_with_no_write_in_between(
    demo_path: Path,
    client_factory: Callable[..., GraphQLClient],
    inject: Callable[[GraphQLClient], str],
    clear: str,
    code: str,
) -> None:
    client = client_factory(demo_path)
    assert client.http.get("/readyz").status_code == 200
    _writer_pragma(client, inject(client))
    for attempt in range(2000):
        refused = client(CREATE, {"name": f"process {attempt} " + "x" * 200})
        if "errors" in refused:
            break
    assert _code(refused) == code
    after = client.data(COUNT)["processes"]["totalCount"]
    for _ in range(2):  # asked again, the fault is still there: still not ready
        ready = client.http.get("/readyz")
        assert (ready.status_code, ready.json()) == (503, {"status": "unavailable", "reason": code})
    _writer_pragma(client, clear)
    ready = client.http.get("/readyz")  # no client write since the refusal
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert client.data(COUNT)["processes"]["totalCount"] == after
    made = client(CREATE, {"name": "after the fault"})
    assert made["data"]["createProcess"]["__typename"] == "CreateProcessPayload"


def test_readyz_sees_a_read_only_store_before_any_write_fails(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    client = client_factory(demo_path)
    _writer_pragma(client, "PRAGMA query_only = ON")
    ready = client.http.get("/readyz")
    assert ready.json() == {"status": "unavailable", "reason": "STORAGE_READ_ONLY"}
    _writer_pragma(client, "PRAGMA query_only = OFF")
    assert client.http.get("/readyz").status_code == 200

"""`gateway migrate` and `gateway serve` open only gateway databases: a file that is not one (text,
truncated, another application's, one with its own `runs` table, one of a newer version) is
refused in one line with a non-zero exit and left unchanged; `serve` never creates a missing
file unless asked (`--create`)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest

from gateway.store.migrations import available
from tests.servers import free_port, serve_process

pytestmark = pytest.mark.sqlite_only  # SQLite files themselves


def _gateway(*arguments: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PATH": "/usr/bin:/bin", "GATEWAY_SCHEDULER": "false"},
    )


def _migrated(path: Path) -> None:
    done = _gateway("migrate", "--database", str(path))
    assert done.returncode == 0, done.stderr


def _text(path: Path) -> None:
    path.write_text("id,name\n1,not a database\n" * 100)


def _truncated(path: Path) -> None:
    whole = path.with_suffix(".whole")
    _migrated(whole)
    path.write_bytes(whole.read_bytes()[:3000])


def _sql(*statements: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with sqlite3.connect(path) as conn:
            for statement in statements:
                conn.execute(statement)
        conn.close()

    return make


def _newer(path: Path) -> None:
    _migrated(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 0)")
    conn.close()


FOREIGN = {
    "text": (_text, "is not a SQLite database"),
    "truncated": (_truncated, "is not a SQLite database"),
    "foreign tables": (_sql("CREATE TABLE customers (id INTEGER, name TEXT)"), "tables of its own"),
    "its own runs table": (_sql("CREATE TABLE runs (id TEXT, started TEXT)"), "tables of its own"),
    "an empty migrations table beside its runs": (
        _sql(
            "CREATE TABLE runs (id TEXT)",
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL)",
        ),
        "tables of its own",
    ),
    "another application's": (
        _sql("PRAGMA application_id = 1234", "CREATE TABLE t (x)"),
        "another application",
    ),
    "a newer version": (_newer, "newer version"),
}


@pytest.mark.parametrize("command", ["migrate", "serve"])
@pytest.mark.parametrize("kind", list(FOREIGN))
def test_a_file_that_is_not_a_gateway_database_is_refused_unchanged(
    tmp_path: Path, kind: str, command: str
) -> None:
    make, reason = FOREIGN[kind]
    path = tmp_path / "other.db"
    make(path)
    before = path.read_bytes()
    extra = ["--port", str(free_port())] if command == "serve" else []
    done = _gateway(command, "--database", str(path), *extra)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gateway: other.db "), done.stderr
    assert reason in lines[0]
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before


def test_migrate_marks_and_reopens_its_own_database(tmp_path: Path) -> None:
    path = tmp_path / "ours.db"
    _migrated(path)
    _migrated(path)  # again: up to date, not refused
    with sqlite3.connect(path) as conn:
        (application_id,) = conn.execute("PRAGMA application_id").fetchone()
    conn.close()
    assert application_id == 0x52554E47


def test_an_unmarked_database_of_an_older_gateway_is_opened_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    _migrated(path)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA application_id = 0")  # as databases were before they were marked
    conn.close()
    _migrated(path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone() == (0x52554E47,)
    conn.close()


def test_serve_does_not_create_a_missing_database_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    done = _gateway("serve", "--database", str(path), "--port", str(free_port()))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"gateway: There is no database at {path}; create it with `gateway migrate` "
        "(or `gateway serve --create`)."
    ]
    assert not path.exists()


def test_serve_create_makes_the_database_and_logs_each_migration(tmp_path: Path) -> None:
    """`--create` on the command line (not only GATEWAY_CREATE) makes the database; the check
    before serving logs each migration it applies, as JSON lines like the server's own."""
    path = tmp_path / "new.db"
    with serve_process(path, tmp_path / "serve.log", "--create", create="false") as (url, _):
        assert httpx2.get(f"{url}/readyz", timeout=5).status_code == 200
    lines = [
        json.loads(line)
        for line in (tmp_path / "serve.log").read_text().splitlines()
        if line.startswith("{")
    ]
    applying = [m for line in lines if (m := line.get("message", "")).startswith("applying")]
    assert len(applying) == len(available()), applying
    assert {line["logger"] for line in lines if line.get("message") in applying} == {
        "gateway.store"
    }
    assert path.exists()

"""The PostgreSQL engine itself: its migrations (one list with SQLite's, one transaction each, one
process at a time), refusing databases that are not a gateway's, and one-line errors from every
command when the database cannot be used."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from gateway.cli import main
from gateway.store.migrations import available, latest_version
from gateway.store.postgres import PostgresDatabase
from gateway.store.postgres.migrate import PACKAGE
from tests import pg

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def test_every_migration_has_its_postgresql_text_under_the_same_name() -> None:
    assert [(v, n) for v, n, _ in available(PACKAGE)] == [(v, n) for v, n, _ in available()]


def test_processes_opening_a_new_database_at_once_migrate_it_once() -> None:
    with pg.temporary_database() as url:

        async def open_all() -> list[int]:
            dbs = [PostgresDatabase(url, readers=1) for _ in range(4)]
            await asyncio.gather(*(db.open() for db in dbs))
            versions = [await db.schema_version() for db in dbs]
            for db in dbs:
                await db.close()
            return versions

        assert asyncio.run(open_all()) == [latest_version()] * 4
        applied = pg.rows(url, "SELECT version FROM schema_migrations ORDER BY version")
        assert [v for (v,) in applied] == [v for v, _, _ in available()]


def test_a_database_of_something_else_is_refused_and_left_alone(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pg.temporary_database() as url:
        pg.rows(url, "CREATE TABLE invoices (id int)")
        assert main(["migrate", "--database", url]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "no gateway schema" in err, err
        tables = pg.rows(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert tables == [("invoices",)]


def test_a_newer_gateways_database_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pg.temporary_database() as url:
        assert main(["migrate", "--database", url]) == 0
        pg.rows(url, "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 0)")
        assert main(["migrate", "--database", url]) == 2
        assert "migration 999 '0999_future.sql'" in capsys.readouterr().err


def test_a_failing_migration_leaves_nothing_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    from gateway.domain.exceptions import StoreError
    from gateway.store.postgres import migrate

    broken = (9999, "9999_broken.sql", "CREATE TABLE half_made (id int); SELECT 1 / 0;")
    listed = {p: [*available(p), broken] for p in (None, PACKAGE)}
    monkeypatch.setattr(migrate, "available", lambda package=None: listed[package])
    with pg.temporary_database() as url:
        with pytest.raises(StoreError):
            asyncio.run(PostgresDatabase(url, readers=1).open())
        assert pg.rows(url, "SELECT max(version) FROM schema_migrations") == [(latest_version(),)]
        assert pg.rows(url, "SELECT to_regclass('half_made') IS NULL") == [(True,)]


@pytest.mark.parametrize(
    ("database", "said"),
    [
        ("gwtest_missing_database", "the database does not exist"),
        ("postgresql://postgres:pw@127.0.0.1:9/x", "the server does not answer"),
        ("postgresql://postgres@no-such-host.invalid/x", "unknown host"),
    ],
)
def test_commands_say_in_one_line_why_the_database_cannot_be_used(database: str, said: str) -> None:
    pg.need_postgres()
    url = pg.url_of(database) if "://" not in database else database
    for command in (["migrate"], ["token", "list"], ["demo", "--runs", "1"]):
        done = subprocess.run(
            [sys.executable, "-m", "gateway", *command, "--database", url],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 3, (command, done.stderr)
        assert done.stderr.count("\n") == 1 and said in done.stderr, (command, done.stderr)
        assert "pw" not in done.stderr and "Traceback" not in done.stderr


def test_a_connection_given_back_with_a_transaction_open_is_rolled_back() -> None:
    """The pool does not reset connections by a statement of its own (one round trip less per
    request), but a transaction left open is still rolled back before another reader gets it."""
    with pg.temporary_database() as url:

        async def leave_one_open() -> tuple[bool, list[tuple[object, ...]]]:
            async with PostgresDatabase(url, readers=1) as db:
                async with db.read() as conn:
                    pid = (await conn.fetchone("SELECT pg_backend_pid()") or [0])[0]
                    await conn.execute("BEGIN")
                    await conn.execute("CREATE TABLE left_open (id int)")
                async with db.read() as conn:
                    again = (await conn.fetchone("SELECT pg_backend_pid()") or [0])[0]
                    return again == pid, await conn.fetchall(
                        "SELECT to_regclass('left_open') IS NULL"
                    )

        same, missing = asyncio.run(leave_one_open())
        assert same, "the pool handed the same connection back"
        assert [tuple(r) for r in missing] == [(True,)]


def test_more_blocks_at_once_than_the_pool_holds_all_run_and_connections_are_kept() -> None:
    """A connection given back clean is kept for the next block instead of going back through
    asyncpg's pool; while a block waits in the pool's queue, connections go back to the pool so
    that it wakes (kept ones would not). Twelve blocks at once over a pool of two: each runs,
    and afterwards one connection serves block after block."""
    with pg.temporary_database() as url:

        async def crowd() -> tuple[list[int], set[int], int]:
            async with PostgresDatabase(url, readers=1) as db:
                assert db.pool_size == 2
                release = asyncio.Event()

                async def block(i: int) -> int:
                    async with db.read() as conn:
                        await release.wait()  # every block holds its connection until all wait
                        row = await conn.fetchone("SELECT ?::int", (i,))
                        return int(row[0]) if row else -1

                tasks = [asyncio.create_task(block(i)) for i in range(12)]
                while db._waiting < 10:  # noqa: ASYNC110 (two blocks hold the pool's two, ten wait)
                    await asyncio.sleep(0)
                release.set()
                answered = await asyncio.gather(*tasks)
                pids = set()
                for _ in range(5):
                    async with db.read() as conn:
                        pids.add(int((await conn.fetchone("SELECT pg_backend_pid()") or [0])[0]))
                # The last of the crowd may have given its connection to the pool while a waiter
                # that was already served had not yet woken (`_waiting` counts it until then):
                # two blocks at once, both holding theirs until both have one, take both again.
                both = asyncio.Barrier(2)

                async def pair() -> None:
                    async with db.read():
                        await both.wait()

                await asyncio.gather(pair(), pair())
                return answered, pids, len(db._idle)

        answered, pids, kept = asyncio.run(crowd())
        assert answered == list(range(12))
        assert len(pids) == 1, "one kept connection served the blocks one after another"
        assert kept == 2, "both connections kept, none given back to the pool"

"""The PostgreSQL engine of the store protocol (asyncpg), for one database shared by any number
of gateway processes on any number of hosts.

* **Connections**: one asyncpg pool per process (`min_size` 1, `max_size` = `readers` + 1), the
  only connections the process opens besides one listener. Statements are written with `?` (or
  `:name` with a mapping) by the shared row modules and numbered `$1, $2...` here, once per text.
* **Writes** are one transaction each. A write transaction first takes one transaction-level
  advisory lock (`WRITE_LOCK`), so write transactions run one at a time across every process, as
  they do on SQLite: the services' read-check-write steps (ETags, idempotency keys, throttles,
  schedule slots) see no concurrent writer, and run events commit in the order of their numbers.
  Reads never wait for it. Unique constraints and `UPDATE … WHERE version = …` still hold on their
  own.
* **Live updates across processes**: a transaction that appended run events notifies the channel
  `gateway_run_events` (delivered at commit) with a short summary of them; every process listens
  and hands them to its commit listeners, so the change feed and `waitSeconds` wake at once. The
  feed reads the events table itself, so nothing is lost while a process (or the listener) is
  down: notifications only wake it sooner.
* **Errors**: driver errors become `gateway.domain.exceptions` errors in `errors.py`; a server
  that does not answer, a wrong URL, a missing database or another program's database fail at
  `open()` with `StoreUnavailableError` and one line that says which.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
import orjson

from gateway.domain.models import RunChangeKind, RunEvent
from gateway.metrics import observe_store
from gateway.odata import Dialect, numbered
from gateway.store.postgres.errors import StoreUnavailableError, opening_errors, translate_errors
from gateway.store.postgres.migrate import current_version, migrate, pending
from gateway.store.protocol import CommitListener, Params, Row, StatementCounter

log = logging.getLogger(__name__)

WRITE_LOCK = 7262830002  # pg_advisory_xact_lock key of write transactions
CHANNEL = "gateway_run_events"
NOTIFY_MAX_EVENTS = 40  # events summarised in one notification (8,000 bytes at most)
CONNECT_TIMEOUT_S = 10.0

_NAMED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|::|:([A-Za-z_][A-Za-z0-9_]*)")
_STATUS_COUNT = re.compile(r"(\d+)$")


def _named(sql: str) -> tuple[str, tuple[str, ...]]:
    """`:name` placeholders to `$n` (each name one number), and the names in number order."""
    names: list[str] = []

    def number(m: re.Match[str]) -> str:
        name = m.group(1)
        if name is None:
            return m.group(0)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _NAMED.sub(number, sql), tuple(names)


_named_cache: dict[str, tuple[str, tuple[str, ...]]] = {}


def prepare(sql: str, params: Params) -> tuple[str, Sequence[Any]]:
    """Our placeholder style to asyncpg's: `?` in order, or `:name` with a mapping."""
    if isinstance(params, Mapping):
        found = _named_cache.get(sql)
        if found is None:
            found = _named_cache.setdefault(sql, _named(sql))
        text, names = found
        return text, [params[n] for n in names]
    return numbered(sql), params


async def _keep_session(raw: asyncpg.Connection) -> None:
    """What the pool does to a connection given back, beyond rolling back a transaction left
    open (asyncpg does that first): nothing. Its default sends `pg_advisory_unlock_all(); CLOSE
    ALL; UNLISTEN *; RESET ALL` on every release, one more round trip per request; the store
    leaves no session state on a pooled connection to undo (advisory locks are transaction
    locks, no cursor outlives its transaction, LISTEN is on a connection of its own, and
    settings are the pool's start-up ones)."""


def _changed(status: str) -> int:
    m = _STATUS_COUNT.search(status or "")
    return int(m.group(1)) if m else 0


class PostgresConnection:
    """One pooled asyncpg connection: counted, placeholders numbered, errors translated."""

    dialect = Dialect.POSTGRESQL

    def __init__(
        self, raw: asyncpg.Connection, counter: StatementCounter, timeout_ms: int = 0
    ) -> None:
        self._raw = raw
        self._counter = counter
        self._timeout_ms = timeout_ms  # the server's `statement_timeout` on this connection
        # One request's loaders may query at once; an asyncpg connection runs one at a time.
        self._turn = asyncio.Lock()

    _writer = False  # the connection of a write transaction (the store-time metric's label)

    @contextmanager
    def _timed(self) -> Iterator[None]:
        """Errors translated, and the statement's time observed (`/metrics`), as on SQLite."""
        started = time.perf_counter()
        try:
            with translate_errors(self._timeout_ms):
                yield
        finally:
            observe_store(time.perf_counter() - started, writer=self._writer)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._counter.add(sql, params)
        text, args = prepare(sql, params)
        async with self._turn:
            with self._timed():
                return list(await self._raw.fetch(text, *args))

    async def fetch_tuples(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """asyncpg's records as they are: read by position as tuples are (indexing, slices,
        unpacking, `==` and `hash` with tuples), so copying each into a tuple bought nothing:
        the copies were about 1% of a nested page's instructions (callgrind)."""
        return await self.fetchall(sql, params)  # type: ignore[return-value]  # tuple-like

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        self._counter.add(sql, params)
        text, args = prepare(sql, params)
        async with self._turn:
            with self._timed():
                row: Row | None = await self._raw.fetchrow(text, *args)
                return row

    async def fetch_by_id(self, table: str, ids: Sequence[str]) -> dict[str, Row]:
        if not ids:
            return {}
        rows = await self.fetchall(f"SELECT * FROM {table} WHERE id = ANY(?::text[])", [list(ids)])
        return {row["id"]: row for row in rows}

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._counter.add(sql, params)
        text, args = prepare(sql, params)
        async with self._turn:
            with self._timed():
                return _changed(await self._raw.execute(text, *args))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        prepared = [prepare(sql, row) for row in rows]
        self._counter.add_many(sql, len(prepared))  # the server runs the statement once a row
        if not prepared:
            return
        async with self._turn:
            with self._timed():
                await self._raw.executemany(prepared[0][0], [args for _, args in prepared])


class PostgresTransaction(PostgresConnection):
    """The connection inside one write transaction, collecting run events to publish."""

    def __init__(
        self, raw: asyncpg.Connection, counter: StatementCounter, timeout_ms: int = 0
    ) -> None:
        super().__init__(raw, counter, timeout_ms)
        self._writer = True
        self.events: list[RunEvent] = []


def _summary(origin: str, events: Sequence[RunEvent]) -> str:
    head = [
        [e.seq, e.run_id, e.workspace_id, e.process_id, e.kind.value]
        for e in events[:NOTIFY_MAX_EVENTS]
    ]
    return orjson.dumps({"o": origin, "e": head}).decode()


def _events_of(payload: str, origin: str) -> list[RunEvent] | None:
    try:
        body = orjson.loads(payload)
        if body.get("o") == origin:
            return None  # our own commit: its listeners were called already
        now = datetime.now(UTC)
        return [
            RunEvent(
                seq=int(seq),
                run_id=str(run_id),
                workspace_id=str(workspace),
                process_id=process,
                kind=RunChangeKind(kind),
                at=now,
            )
            for seq, run_id, workspace, process, kind in body.get("e", ())
        ]
    except (ValueError, TypeError, KeyError):
        log.warning("ignored a malformed notification on %s", CHANNEL)
        return None


async def inspect(url: str) -> None:
    """Refuse, in one line and changing nothing, a database the gateway must not open: a server
    that does not answer, a wrong URL, another program's database or a newer gateway's (what
    `serve` checks once before it starts workers, as it checks a SQLite file)."""
    with opening_errors(url):
        conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_S)
        try:
            await pending(conn)
        finally:
            await conn.close()


class PostgresDatabase:
    """The store over one PostgreSQL database: open once at start-up, close at shut-down."""

    dialect = Dialect.POSTGRESQL

    def __init__(self, url: str, *, readers: int = 3, statement_timeout_ms: int = 0) -> None:
        self.url = url
        self.statements = StatementCounter()
        self.statement_timeout_ms = statement_timeout_ms
        self.pool_size = max(2, readers + 1)
        self._pool: asyncpg.Pool | None = None
        self._idle: list[asyncpg.Connection] = []  # acquired, clean, for the next block
        self._waiting = 0  # blocks waiting for a connection from the pool
        self._listener: asyncpg.Connection | None = None
        self._listeners: list[CommitListener] = []
        self._origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._pending: set[asyncio.Task[None]] = set()

    async def open(self) -> None:
        """Connect (the pool and the listener), then apply pending migrations."""
        settings = {"application_name": "runs-gateway"}
        if self.statement_timeout_ms:
            settings["statement_timeout"] = str(self.statement_timeout_ms)
        try:
            with opening_errors(self.url):
                first = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT_S)
                try:
                    await migrate(first)
                finally:
                    await first.close()
                self._pool = await asyncpg.create_pool(
                    self.url,
                    min_size=1,
                    max_size=self.pool_size,
                    timeout=CONNECT_TIMEOUT_S,
                    server_settings=settings,
                    reset=_keep_session,
                )
                self._listener = await asyncpg.connect(self.url, timeout=CONNECT_TIMEOUT_S)
                await self._listener.add_listener(CHANNEL, self._notified)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        for task in list(self._pending):
            task.cancel()
        if self._listener is not None:
            listener, self._listener = self._listener, None
            try:
                await listener.close()
            except (OSError, asyncpg.PostgresError):
                listener.terminate()
        if self._pool is not None:
            pool, self._pool = self._pool, None
            idle, self._idle = self._idle, []
            for raw in idle:
                with contextlib.suppress(OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                    await pool.release(raw)
            try:
                await asyncio.wait_for(pool.close(), 10)
            except (TimeoutError, OSError, asyncpg.PostgresError):
                pool.terminate()

    async def schema_version(self) -> int:
        async with self._acquire() as raw, asyncio.timeout(CONNECT_TIMEOUT_S):
            with translate_errors():
                return await current_version(raw)

    async def __aenter__(self) -> PostgresDatabase:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def on_commit(self, listener: CommitListener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: CommitListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @asynccontextmanager
    async def _acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection. One given back in a clean state (its block ended without an
        error, no transaction open, not closed) is kept in `_idle` for the next block instead of
        going back through the pool: asyncpg's acquire and release (a timeout, a queue, a task
        to shield the release) cost as much CPU as a `SELECT 1` round trip, a twentieth of the
        100-run list. Any other is released to the pool, which rolls back, closes or replaces
        it, and so is every connection while a block waits in the pool's queue. Every block,
        reads and writes alike, takes from `_idle` first."""
        pool = self._pool
        if pool is None:
            raise RuntimeError("The database is not open.")
        raw = None
        while self._idle:
            kept = self._idle.pop()
            if not kept.is_closed():
                raw = kept
                break
            await pool.release(kept)
        if raw is None:
            self._waiting += 1
            try:
                with translate_errors():
                    raw = await pool.acquire(timeout=CONNECT_TIMEOUT_S * 3)
            finally:
                self._waiting -= 1
        try:
            yield raw
        except BaseException:
            await pool.release(raw)
            raise
        if self._waiting or raw.is_closed() or raw.is_in_transaction() or pool is not self._pool:
            # to a block waiting in the pool (one kept here would not wake it), or to be rolled
            # back, replaced, or closed with the pool
            await pool.release(raw)
        else:
            self._idle.append(raw)

    @asynccontextmanager
    async def read(
        self, counter: StatementCounter | None = None
    ) -> AsyncIterator[PostgresConnection]:
        async with self._acquire() as raw:
            yield PostgresConnection(raw, counter or self.statements, self.statement_timeout_ms)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTransaction]:
        async with self._acquire() as raw:
            tx = PostgresTransaction(raw, self.statements, self.statement_timeout_ms)
            await tx.execute("BEGIN")
            try:
                await tx.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
                yield tx
                if tx.events:
                    await tx.execute(
                        "SELECT pg_notify(?, ?)", (CHANNEL, _summary(self._origin, tx.events))
                    )
            except BaseException:
                if not raw.is_closed():
                    with translate_errors():
                        await raw.execute("ROLLBACK")
                raise
            await tx.execute("COMMIT")
        await self._publish(tx.events)

    async def _publish(self, events: Sequence[RunEvent]) -> None:
        for listener in list(self._listeners):
            try:
                await listener(events)
            except Exception:  # committed is committed: a listener's failure is only logged
                log.exception("a commit listener failed")

    def _notified(self, conn: object, pid: int, channel: str, payload: str) -> None:
        events = _events_of(payload, self._origin)
        if not events:
            return
        task = asyncio.get_running_loop().create_task(self._publish(events))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)


__all__ = [
    "CHANNEL",
    "WRITE_LOCK",
    "PostgresConnection",
    "PostgresDatabase",
    "PostgresTransaction",
    "StoreUnavailableError",
    "inspect",
]

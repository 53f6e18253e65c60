"""The SQLite engine of the store protocol: connections and transactions over one file
(aiosqlite, WAL).

One writer connection behind an asyncio lock serialises every write transaction (SQLite allows one
writer at a time anyway; queueing in-process avoids busy errors). A few reader connections serve
queries concurrently from WAL snapshots. Every statement goes through `Connection`, which counts
statements (tests assert counts per request), translates driver errors, and bounds each
statement's time: SQLite's progress handler, called every `PROGRESS_STEPS` virtual-machine
instructions, interrupts a statement past its deadline, which becomes `QueryTimeoutError`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections.abc import (
    AsyncIterator,
    Iterable,
    Iterator,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from gateway.domain.exceptions import QueryTimeoutError, StorageFaultError
from gateway.domain.models import RunEvent
from gateway.metrics import observe_store
from gateway.odata import Dialect, sqlite_functions
from gateway.store.migrations import latest_version
from gateway.store.protocol import CommitListener, Params, Row, StatementCounter
from gateway.store.sqlite.errors import translate_errors
from gateway.store.sqlite.identity import APPLICATION_ID, FileIdentity, inspect
from gateway.store.sqlite.migrate import BUSY_TIMEOUT_MS, current_version, migrate
from gateway.store.sqlite.probe import storage_fault

PROGRESS_STEPS = 4096  # instructions between deadline checks: microseconds apart

log = logging.getLogger(__name__)

PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous = NORMAL",  # durable across a process crash in WAL mode (_wal)
    "PRAGMA foreign_keys = ON",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",  # 64 MiB per connection
    "PRAGMA mmap_size = 268435456",  # 256 MiB
)


class Deadline:
    """When the statement running on one connection must stop (read by the progress handler
    on the driver's thread)."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = math.inf

    def passed(self) -> bool:
        return time.monotonic() > self.at


class SqliteConnection:
    """An aiosqlite connection that counts statements, translates errors and bounds time."""

    dialect = Dialect.SQLITE

    def __init__(
        self,
        raw: aiosqlite.Connection,
        counter: StatementCounter,
        deadline: Deadline | None = None,
        timeout_ms: int = 0,
    ) -> None:
        self._raw = raw
        self._counter = counter
        self._deadline = deadline
        self._timeout_ms = timeout_ms if deadline is not None else 0

    _writer = False  # the connection of a write transaction (the store-time metric's label)

    @contextmanager
    def _bounded(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            with self._deadlined():
                yield
        finally:
            observe_store(time.perf_counter() - started, writer=self._writer)

    @contextmanager
    def _deadlined(self) -> Iterator[None]:
        if not self._timeout_ms or self._deadline is None:
            with translate_errors():
                yield
            return
        self._deadline.at = time.monotonic() + self._timeout_ms / 1000
        try:
            with translate_errors():
                try:
                    yield
                except sqlite3.OperationalError as exc:
                    if "interrupted" in str(exc):
                        raise QueryTimeoutError(self._timeout_ms) from exc
                    raise
        finally:
            self._deadline.at = math.inf

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._counter.add(sql, params)
        with self._bounded():
            return list(await self._raw.execute_fetchall(sql, params))

    async def fetch_tuples(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, addressed by position: cheaper to make and to read than
        `sqlite3.Row` (for the fast path's pages, whose select lists are known)."""
        self._counter.add(sql, params)
        raw = self._raw
        raw.row_factory = None  # this request holds the connection: no other statement runs on it
        try:
            with self._bounded():
                rows: Iterable[Any] = await raw.execute_fetchall(sql, params)
                return list(rows)
        finally:
            raw.row_factory = sqlite3.Row

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetch_by_id(self, table: str, ids: Sequence[str]) -> dict[str, Row]:
        """The rows of `table` (a name from our own code) with these ids, by id."""
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = await self.fetchall(f"SELECT * FROM {table} WHERE id IN ({marks})", list(ids))
        return {row["id"]: row for row in rows}

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        self._counter.add(sql, params)
        with self._bounded():
            cursor = await self._raw.execute(sql, params)
            changed = cursor.rowcount
            await cursor.close()
            return changed

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        self._counter.add_many(sql, len(batch))  # the engine runs the statement once a row
        with self._bounded():
            await self._raw.executemany(sql, batch)


class SqliteTransaction(SqliteConnection):
    """The writer connection inside `BEGIN IMMEDIATE … COMMIT`, collecting run events to publish."""

    _writer = True

    def __init__(
        self,
        raw: aiosqlite.Connection,
        counter: StatementCounter,
        deadline: Deadline | None = None,
        timeout_ms: int = 0,
    ) -> None:
        super().__init__(raw, counter, deadline, timeout_ms)
        self.events: list[RunEvent] = []


async def _wal(raw: aiosqlite.Connection) -> None:
    """WAL mode. The first switch of a new file takes a lock that SQLite reports busy at once,
    without waiting, while another connection (another process of `serve --workers N`) opens or
    switches the same file: retried for up to `BUSY_TIMEOUT_MS`. Later switches change nothing."""
    give_up = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            await raw.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > give_up:
                raise
        await asyncio.sleep(0.01)


async def _connect(
    path: str, *, read_only: bool, deadline: Deadline | None
) -> aiosqlite.Connection:
    """A connection with the store's pragmas and functions; with a `deadline`, bounded in time
    by the progress handler (without, no handler: each call of it costs the driver's thread the
    GIL, a fifth of a bulk import's time)."""
    with translate_errors():
        raw = await aiosqlite.connect(path, isolation_level=None, cached_statements=256)
        try:
            raw.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                await raw.execute(pragma)
            await _wal(raw)
            for name, (arity, function) in sqlite_functions().items():
                await raw.create_function(name, arity, function, deterministic=True)
            if read_only:
                await raw.execute("PRAGMA query_only = ON")
            if deadline is not None:
                await raw.set_progress_handler(deadline.passed, PROGRESS_STEPS)
        except BaseException:
            await raw.close()  # its thread would keep the process alive (not a database, say)
            raise
    return raw


class SqliteDatabase:
    """The store's connections: open once at start-up, close at shut-down."""

    dialect = Dialect.SQLITE

    def __init__(
        self,
        path: str | Path,
        *,
        readers: int = 3,
        statement_timeout_ms: int = 0,
        create: bool = True,
    ) -> None:
        self.path = str(path)
        self.create = create  # False: a missing file is refused, not created (`serve`)
        self._identity: FileIdentity | None = None
        self._fault: StorageFaultError | None = None  # the last write's, until one succeeds
        self.statements = StatementCounter()
        self.statement_timeout_ms = statement_timeout_ms
        self._deadlines: dict[int, Deadline] = {}  # by id() of the raw connection
        self._reader_count = max(1, readers)
        self._writer: aiosqlite.Connection | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []
        self._write_lock = asyncio.Lock()
        self._listeners: list[CommitListener] = []

    async def open(self) -> None:
        """Check the file is one to open (gateway/store/sqlite/identity.py), connect, then apply
        pending migrations and mark the file as a gateway database."""
        inspect(self.path, create=self.create, latest=latest_version())
        try:
            self._writer = await self._connect(read_only=False)
            writer = SqliteConnection(self._writer, self.statements)
            await migrate(writer)  # migrations are not bounded
            marked = await writer.fetchone("PRAGMA application_id")
            if marked is None or marked[0] != APPLICATION_ID:
                await writer.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            if self.path != ":memory:" and not self.path.startswith("file:"):
                self._identity = FileIdentity.of(self.path)
            for _ in range(self._reader_count):
                reader = await self._connect(read_only=True)
                self._all_readers.append(reader)
                self._readers.put_nowait(reader)
        except BaseException:
            await self.close()  # what did open: its threads would keep the process alive
            raise

    async def _connect(self, *, read_only: bool) -> aiosqlite.Connection:
        deadline = Deadline() if self.statement_timeout_ms else None
        raw = await _connect(self.path, read_only=read_only, deadline=deadline)
        if deadline is not None:
            self._deadlines[id(raw)] = deadline
        return raw

    def _wrap(
        self, raw: aiosqlite.Connection, counter: StatementCounter | None = None
    ) -> SqliteConnection:
        return SqliteConnection(
            raw,
            counter or self.statements,
            self._deadlines.get(id(raw)),
            self.statement_timeout_ms,
        )

    async def close(self) -> None:
        self._deadlines.clear()
        for reader in self._all_readers:
            await reader.close()
        self._all_readers.clear()
        self._readers = asyncio.Queue()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None

    def check(self) -> None:
        """Raise the storage fault that stops this store serving: its file vanished or was
        replaced, or the last write found the storage full or read-only."""
        if self._identity is not None:
            self._identity.check(self.path)
        if self._fault is not None:
            raise self._fault

    async def probe(self) -> None:
        """Raise the storage fault the store has now, looked at afresh (`probe.storage_fault`):
        readiness recovers when the fault clears, with no write in between."""
        if self._identity is not None:
            self._identity.check(self.path)
        if self._writer is not None:
            self._fault = await storage_fault(
                self._writer, self.path, self._fault, self._write_lock
            )
        if self._fault is not None:
            raise self._fault

    async def schema_version(self) -> int:
        """The applied schema version (readiness: a storage fault raises)."""
        await self.probe()
        async with self.read() as conn:
            return await current_version(conn)

    async def __aenter__(self) -> SqliteDatabase:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def on_commit(self, listener: CommitListener) -> None:
        """Call `listener` with the run events of every transaction, after it commits."""
        self._listeners.append(listener)

    def remove_listener(self, listener: CommitListener) -> None:
        """Stop calling `listener`; a listener not registered is ignored."""
        if listener in self._listeners:
            self._listeners.remove(listener)

    @asynccontextmanager
    async def read(
        self, counter: StatementCounter | None = None
    ) -> AsyncIterator[SqliteConnection]:
        """A reader connection from the pool, for queries; its statements are counted in
        `counter` (default: `statements`)."""
        raw = await self._readers.get()
        try:
            yield self._wrap(raw, counter)
        finally:
            self._readers.put_nowait(raw)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTransaction]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        if self._writer is None:
            raise RuntimeError("The database is not open.")
        async with self._write_lock:
            tx = SqliteTransaction(
                self._writer,
                self.statements,
                self._deadlines.get(id(self._writer)),
                self.statement_timeout_ms,
            )
            try:
                await tx.execute("BEGIN IMMEDIATE")
            except StorageFaultError as exc:
                self._fault = exc
                raise
            try:
                yield tx
                if self._identity is not None:  # never acknowledge a write to a vanished file
                    self._identity.check(self.path)
                await tx.execute("COMMIT")
            except BaseException as exc:
                if isinstance(exc, StorageFaultError):
                    self._fault = exc
                with translate_errors():
                    await self._writer.rollback()
                raise
            self._fault = None
        for listener in list(self._listeners):
            try:
                await listener(tx.events)
            except Exception:  # committed is committed: a listener's failure is only logged
                log.exception("a commit listener failed")

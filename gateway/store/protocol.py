"""The store protocol: what a service needs of an engine's connections and transactions.

Two engines implement it: `store.sqlite` (aiosqlite, the default) and `store.postgres`. The row
modules of `store/` (runs, activities, processes, events, ...) take these handles and are shared by
both engines: their SQL uses `?` placeholders and the portable subset of SQL, and branches on
`dialect` where the engines differ. A service runs one use case as one transaction:

    async with db.transaction() as tx:
        run = await runs.get(tx, id)
        ...

committed when the block ends, rolled back if it raises; the run events appended to `tx.events`
are given to the commit listeners (live updates) after COMMIT. Engines raise only
`gateway.domain.exceptions` errors, never their driver's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, Self, overload

from gateway.domain.models import RunEvent
from gateway.odata import Dialect

__all__ = [
    "CommitListener",
    "Connection",
    "Database",
    "Dialect",
    "Params",
    "Row",
    "StatementCounter",
    "Transaction",
]

Params = Sequence[Any] | Mapping[str, Any]
CommitListener = Callable[[Sequence[RunEvent]], Awaitable[None]]


class Row(Protocol):
    """One result row, read by column name or by position (`sqlite3.Row`, `asyncpg.Record`)."""

    @overload
    def __getitem__(self, key: str) -> Any: ...
    @overload
    def __getitem__(self, key: int) -> Any: ...
    @overload
    def __getitem__(self, key: slice) -> tuple[Any, ...]: ...
    def __getitem__(self, key: str | int | slice) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    def keys(self) -> Any: ...


class StatementCounter:
    """How many SQL statements the store has run, and the last one; tests read them."""

    def __init__(self) -> None:
        self.count = 0
        self.last: tuple[str, Params] = ("", ())

    def add(self, sql: str, params: Params) -> None:
        self.count += 1
        self.last = (sql, params)

    def add_many(self, sql: str, rows: int) -> None:
        """A statement executed once for each of `rows` rows (`execute_many`): that many."""
        self.count += rows
        self.last = (sql, ())


class Connection(Protocol):
    """A connection for one request's statements: counted, errors translated, time bounded."""

    @property
    def dialect(self) -> Dialect: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_tuples(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        """Rows as plain tuples, addressed by position (cheaper, for known select lists)."""
        ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetch_by_id(self, table: str, ids: Sequence[str]) -> dict[str, Row]:
        """The rows of `table` (a name from our own code) with these ids, by id."""
        ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; return the number of rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None: ...


class Transaction(Connection, Protocol):
    """The connection inside one write transaction, collecting the run events to publish."""

    events: list[RunEvent]


class Database(Protocol):
    """One engine's connections: open once at start-up (connects and migrates), close at
    shut-down."""

    statements: StatementCounter
    statement_timeout_ms: int

    @property
    def dialect(self) -> Dialect: ...

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def schema_version(self) -> int:
        """The highest migration applied (0 on an empty database); `migrations.latest_version()`
        is the one this code needs."""
        ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    def read(
        self, counter: StatementCounter | None = None
    ) -> AbstractAsyncContextManager[Connection]:
        """A reader connection, for queries; statements counted in `counter` (default:
        `statements`)."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        ...

    def on_commit(self, listener: CommitListener) -> None:
        """Call `listener` with the run events of every transaction, after it commits."""
        ...

    def remove_listener(self, listener: CommitListener) -> None:
        """Stop calling `listener`; a listener not registered is ignored."""
        ...

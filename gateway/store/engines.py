"""The engine of a database location: a file path (SQLite) or a `postgresql://` URL.

Every place that makes a `Database` (the server, the commands, the tests) calls `database_for`,
so the engine is chosen in one place.
"""

from __future__ import annotations

from pathlib import Path

from gateway.store.protocol import Database

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: str | Path) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


def database_for(
    location: str | Path, *, readers: int = 3, statement_timeout_ms: int = 0, create: bool = True
) -> Database:
    """An unopened `Database` of the location's engine (`await db.open()` or `async with`);
    without `create`, a SQLite file that does not exist is refused instead of created."""
    if is_postgres(location):
        try:
            from gateway.store.postgres import PostgresDatabase
        except ImportError:
            raise ValueError(
                'PostgreSQL needs the postgres extra: pip install "runs-gateway[postgres]"'
            ) from None
        return PostgresDatabase(
            str(location), readers=readers, statement_timeout_ms=statement_timeout_ms
        )
    from gateway.store.sqlite import SqliteDatabase

    return SqliteDatabase(
        location, readers=readers, statement_timeout_ms=statement_timeout_ms, create=create
    )

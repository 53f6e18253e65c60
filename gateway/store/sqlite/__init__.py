"""The SQLite engine (aiosqlite, WAL): the default store, one file on one machine."""

from gateway.store.sqlite.database import SqliteConnection, SqliteDatabase, SqliteTransaction

__all__ = ["SqliteConnection", "SqliteDatabase", "SqliteTransaction"]

"""Which file the store may open, and whether it is still the file it opened.

Before any connection changes a file (WAL mode, migrations), `inspect` reads it through a
read-only connection and refuses, with a one-line `ForeignDatabaseError`, a file that is not a
SQLite database (text, truncated), a SQLite database of another application (marked with
another `application_id`, or with tables but no gateway migrations), and a gateway database of a
newer version. A missing file is created only when asked (`create`). Gateway databases are marked
with `APPLICATION_ID` once migrated; older gateway databases, unmarked, are recognised by their
migrations table and marked.

While serving, `FileIdentity` remembers the file's device and inode: a file deleted or replaced
under the server is then `STORAGE_UNAVAILABLE`, checked before a write is acknowledged and by
readiness, instead of writes going to an unlinked file and being lost.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from gateway.domain.exceptions import ForeignDatabaseError, StorageUnavailableError

APPLICATION_ID: Final = 0x52554E47  # "RUNG": PRAGMA application_id of every gateway database


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """A file's device and inode at open."""

    device: int
    inode: int

    @classmethod
    def of(cls, path: str) -> FileIdentity:
        stat = os.stat(path)
        return cls(stat.st_dev, stat.st_ino)

    def check(self, path: str) -> None:
        """Raise `StorageUnavailableError` unless `path` is still this file."""
        try:
            now = FileIdentity.of(path)
        except OSError:
            raise StorageUnavailableError("was deleted") from None
        if now != self:
            raise StorageUnavailableError("was replaced by another file")


def inspect(path: str, *, create: bool, latest: int) -> None:
    """Refuse a location the gateway must not open (see the module's docstring)."""
    if path == ":memory:" or path.startswith("file:"):
        return
    name = Path(path).name
    if not os.path.exists(path):
        if create:
            return
        raise ForeignDatabaseError(
            f"There is no database at {path}; create it with `gateway migrate` "
            "(or `gateway serve --create`)."
        )
    if os.path.getsize(path) == 0:
        return  # an empty file is a new database
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise ForeignDatabaseError(f"{name} cannot be opened as a database.") from None
    try:
        application_id, tables, version = _read(conn)
    except sqlite3.DatabaseError:
        raise ForeignDatabaseError(
            f"{name} is not a SQLite database (a text file, or truncated?); refused, unchanged."
        ) from None
    finally:
        conn.close()
    if application_id not in (0, APPLICATION_ID):
        raise ForeignDatabaseError(
            f"{name} is a database of another application (application_id {application_id}); "
            "refused, unchanged."
        )
    if application_id == 0 and tables and version is None:
        raise ForeignDatabaseError(
            f"{name} is not a gateway database: it has tables of its own ({', '.join(tables[:3])}"
            f"{', ...' if len(tables) > 3 else ''}); refused, unchanged."
        )
    if version is not None and version > latest:
        raise ForeignDatabaseError(
            f"{name} was made by a newer version of the gateway (schema {version}; this one "
            f"knows up to {latest}); refused, unchanged."
        )


def _read(conn: sqlite3.Connection) -> tuple[int, list[str], int | None]:
    """(application_id, the names of its tables, the highest gateway migration or None)."""
    application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]
    if "schema_migrations" not in tables:
        return application_id, tables, None
    try:
        row = conn.execute("SELECT max(version), count(*) FROM schema_migrations").fetchone()
    except sqlite3.OperationalError:  # a table of that name, not ours
        return application_id, tables, None
    if application_id == 0 and not row[1] and len(tables) > 1:
        return application_id, tables, None  # an empty migrations table beside other tables
    return application_id, tables, int(row[0] or 0)

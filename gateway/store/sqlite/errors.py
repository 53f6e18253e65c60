"""Translation of sqlite3 errors into the gateway's exceptions: the one place that knows them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from gateway.domain.exceptions import (
    ConflictError,
    StorageFullError,
    StorageReadOnlyError,
    StorageUnavailableError,
    StoreBusyError,
    StoreError,
)

# SQLite's primary result codes (the low byte of an extended code)
_FULL, _READONLY, _IOERR, _CANTOPEN, _NOTADB = 13, 8, 10, 14, 26


def storage_fault(exc: sqlite3.Error) -> StoreError | None:
    """The storage fault an sqlite3 error stands for (full, read-only, unavailable), or None."""
    primary = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
    if primary == _FULL:
        return StorageFullError()
    if primary == _READONLY:
        return StorageReadOnlyError()
    if primary in (_IOERR, _CANTOPEN, _NOTADB):
        return StorageUnavailableError()
    return None


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise any sqlite3 error as a `GatewayError` subclass, keeping the cause for the log."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        text = str(exc)
        if "UNIQUE" in text:
            raise ConflictError("A record with the same identity already exists.") from exc
        if "FOREIGN KEY" in text:
            raise ConflictError("The change refers to a record that does not exist.") from exc
        raise ConflictError("The change breaks a rule of the store.") from exc
    except sqlite3.Error as exc:
        fault = storage_fault(exc)
        if fault is not None:
            raise fault from exc
        if isinstance(exc, sqlite3.OperationalError) and (
            "locked" in str(exc) or "busy" in str(exc)
        ):
            raise StoreBusyError("The store is busy; retry shortly.") from exc
        raise StoreError("The store failed.") from exc

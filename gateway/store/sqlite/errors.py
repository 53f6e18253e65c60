"""Translation of sqlite3 errors into the gateway's exceptions: the one place that knows them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from gateway.domain.exceptions import ConflictError, StoreBusyError, StoreError


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
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreBusyError("The store is busy; retry shortly.") from exc
        raise StoreError("The store failed.") from exc
    except sqlite3.Error as exc:
        raise StoreError("The store failed.") from exc

"""Translation of asyncpg errors into the gateway's exceptions: the one place that knows them.

While a request runs: unique and foreign-key violations are `ConflictError`, a cancelled
statement (`statement_timeout`) `QueryTimeoutError`, lock and serialization conflicts and a lost
connection `StoreBusyError` (retry), anything else `StoreError`. Opening the database: one line
that says what is wrong (`StoreUnavailableError`), never the URL's password.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from gateway.domain.exceptions import (
    ConflictError,
    QueryTimeoutError,
    StoreBusyError,
    StoreError,
    StoreUnavailableError,
)
from gateway.domain.exceptions import ForeignDatabaseError as NotOursError
from gateway.store.postgres.migrate import ForeignDatabaseError

__all__ = ["StoreUnavailableError", "opening_errors", "safe_url", "translate_errors"]


def safe_url(url: str) -> str:
    """The URL without its password, to be shown."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:***@", url)


@contextmanager
def translate_errors(limit_ms: int = 0) -> Iterator[None]:
    """Driver errors as the domain's; `limit_ms` is the statement time limit in force (the
    server's message does not say it)."""
    try:
        yield
    except asyncpg.UniqueViolationError as exc:
        raise ConflictError("A record with the same identity already exists.") from exc
    except asyncpg.ForeignKeyViolationError as exc:
        raise ConflictError("The change refers to a record that does not exist.") from exc
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise ConflictError("The change breaks a rule of the store.") from exc
    except asyncpg.QueryCanceledError as exc:
        if "statement timeout" in str(exc):
            raise QueryTimeoutError(limit_ms) from exc
        raise StoreBusyError("The store cancelled the statement; retry shortly.") from exc
    except (
        TimeoutError,
        asyncpg.SerializationError,
        asyncpg.DeadlockDetectedError,
        asyncpg.LockNotAvailableError,
        asyncpg.TooManyConnectionsError,
        asyncpg.ConnectionDoesNotExistError,
        asyncpg.InterfaceError,
        OSError,
    ) as exc:
        raise StoreBusyError("The store is busy or unreachable; retry shortly.") from exc
    except asyncpg.PostgresError as exc:
        raise StoreError("The store failed.") from exc


@contextmanager
def opening_errors(url: str) -> Iterator[None]:
    """Errors of connecting and migrating, as one line each."""
    shown = safe_url(url)
    try:
        yield
    except ForeignDatabaseError as exc:  # refused before anything changed (as SQLite's)
        raise NotOursError(f"{shown}: {exc}") from exc
    except asyncpg.InvalidCatalogNameError as exc:
        raise StoreUnavailableError(f"{shown}: the database does not exist") from exc
    except (
        asyncpg.InvalidPasswordError,
        asyncpg.InvalidAuthorizationSpecificationError,
    ) as exc:
        raise StoreUnavailableError(f"{shown}: the server refused the credentials") from exc
    except asyncpg.InsufficientPrivilegeError as exc:
        raise StoreUnavailableError(f"{shown}: the user may not use this database") from exc
    except asyncpg.TooManyConnectionsError as exc:
        raise StoreUnavailableError(f"{shown}: the server has no free connections") from exc
    except socket.gaierror as exc:
        raise StoreUnavailableError(f"{shown}: unknown host") from exc
    except (TimeoutError, OSError) as exc:
        raise StoreUnavailableError(f"{shown}: the server does not answer") from exc
    except (ValueError, asyncpg.ClientConfigurationError) as exc:
        raise StoreUnavailableError(f"{shown}: not a valid PostgreSQL URL") from exc
    except asyncpg.PostgresError as exc:
        raise StoreUnavailableError(f"{shown}: {type(exc).__name__}") from exc

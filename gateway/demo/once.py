"""One process of several: `serve --workers N` starts N processes over one database, and only
one of them may move the demo's runs. The first to take a lock file beside the database does
(for a PostgreSQL URL, in the temporary directory: one mover per host)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def first_process(database: str, purpose: str) -> Iterator[bool]:
    """True in the one process that holds `<database>.<purpose>.lock` (until it exits), False in
    every other process. The operating system releases the lock when its process ends."""
    path = Path(f"{database}.{purpose}.lock")
    if "://" in database:
        digest = hashlib.sha256(database.encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"gateway-{digest}.{purpose}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

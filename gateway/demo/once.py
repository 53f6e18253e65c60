"""One process of several: `serve --workers N` starts N processes over one database, and only
one of them may move the demo's runs. The first to take a lock file beside the database does."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def first_process(database: str, purpose: str) -> Iterator[bool]:
    """True in the one process that holds `<database>.<purpose>.lock` (until it exits), False in
    every other process. The operating system releases the lock when its process ends."""
    path = Path(f"{database}.{purpose}.lock")
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

"""The one list of schema migrations: `NNNN_name.sql` files, applied in order by each engine's
runner (`store.sqlite.migrate`), each in a transaction."""

from __future__ import annotations

import logging
import re
import time
from importlib import resources

log = logging.getLogger("gateway.store")

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def available(package: str | None = None) -> list[tuple[int, str, str]]:
    """(version, file name, SQL) of every migration shipped in `package` (default: this one, the
    SQLite text), in order."""
    found = []
    for entry in resources.files(package or __package__).iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def latest_version() -> int:
    return available()[-1][0]


def announce(name: str) -> float:
    """Log which migration starts (a backfill over a large database takes a while, and `serve`
    answers nothing until it is done); return its start time for `report_applied`."""
    log.info("applying migration %s (a backfill may take a while on a large database)", name)
    return time.monotonic()


def report_applied(name: str, began: float) -> None:
    """Log that a migration was applied, and how long it took."""
    log.info("applied migration %s in %.1f s", name, time.monotonic() - began)

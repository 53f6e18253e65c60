"""Readiness's fresh look at the storage: is it full or read-only now?

`/readyz` asks on every call, so that it recovers as soon as the fault clears, with no write in
between. The look is cheap and bounded:
- read-only: the writer connection made query-only, the file not writable, or its file system
  mounted read-only;
- full: the room left (pages below SQLite's page cap plus free pages, and the file system's free
  bytes) is less than one page; a store that a write found full stays full until it has
  `FULL_HEADROOM_BYTES` of room again, so that readiness does not flap at the edge;
- a fault the last write met that the cheap look no longer sees: one tiny write (the header's
  `application_id`, rewritten with its own value) under the writer lock, taken within
  `LOCK_TIMEOUT_S` (a long write holding it leaves the fault as the write reported it).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path

import aiosqlite

from gateway.domain.exceptions import (
    StorageFaultError,
    StorageFullError,
    StorageReadOnlyError,
    StoreError,
)
from gateway.store.sqlite.errors import translate_errors
from gateway.store.sqlite.identity import APPLICATION_ID

FULL_HEADROOM_BYTES = 1 << 20
LOCK_TIMEOUT_S = 1.0


async def _pragma(raw: aiosqlite.Connection, name: str) -> int:
    rows = list(await raw.execute_fetchall(f"PRAGMA {name}"))
    return int(rows[0][0]) if rows else 0


def _on_disk(path: str) -> bool:
    return path != ":memory:" and not path.startswith("file:")


def _file_system(path: str) -> os.statvfs_result | None:
    try:
        return os.statvfs(Path(path).resolve().parent)
    except OSError:
        return None


async def _read_only(raw: aiosqlite.Connection, path: str) -> bool:
    if await _pragma(raw, "query_only"):
        return True
    if not _on_disk(path):
        return False
    if not os.access(path, os.W_OK):
        return True
    fs = _file_system(path)
    return fs is not None and bool(fs.f_flag & os.ST_RDONLY)


async def _room(raw: aiosqlite.Connection, path: str) -> tuple[int, int]:
    """The bytes the store can still grow by, and its page size."""
    page = await _pragma(raw, "page_size")
    free = await _pragma(raw, "freelist_count")
    below_cap = max(0, await _pragma(raw, "max_page_count") - await _pragma(raw, "page_count"))
    room = (below_cap + free) * page
    fs = _file_system(path) if _on_disk(path) else None
    if fs is not None:
        blocks = fs.f_bfree if os.geteuid() == 0 else fs.f_bavail  # root may use the reserve
        room = min(room, blocks * fs.f_frsize + free * page)
    return room, page


async def _write(raw: aiosqlite.Connection, lock: asyncio.Lock) -> StorageFaultError | None:
    """One tiny write: the fault it meets, or None (a write succeeded)."""
    try:
        await asyncio.wait_for(lock.acquire(), LOCK_TIMEOUT_S)
    except TimeoutError:
        raise StoreError("the writer is busy") from None
    try:
        with translate_errors():
            try:
                await raw.execute("BEGIN IMMEDIATE")
                await raw.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                await raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    with contextlib.suppress(Exception):
                        await raw.rollback()
                raise
    except StorageFaultError as fault:
        return fault
    finally:
        lock.release()
    return None


async def storage_fault(
    raw: aiosqlite.Connection, path: str, last: StorageFaultError | None, lock: asyncio.Lock
) -> StorageFaultError | None:
    """The fault the storage has now (None: it serves), given `last`, the one the last write met."""
    try:
        with translate_errors():
            if await _read_only(raw, path):
                return StorageReadOnlyError()
            room, page = await _room(raw, path)
        if room < page or (isinstance(last, StorageFullError) and room < FULL_HEADROOM_BYTES):
            return StorageFullError()
        if last is None:
            return None
        return await _write(raw, lock)
    except StorageFaultError as fault:
        return fault
    except StoreError:  # busy: no look possible now; the last write's word stands
        return last

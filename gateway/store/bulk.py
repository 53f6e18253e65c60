"""Many rows in few statements: one multi-row `INSERT ... VALUES (...), (...)` per chunk.

A multi-row statement costs the engine one statement for the whole chunk where `executemany`
costs one per row. On SQLite that matters beyond the call overhead: each statement of a
transaction opens a statement savepoint, and FTS5 writes its pending terms to a new segment at
every savepoint, so the full-text trigger of `runs` flushed (and later merged) one segment per
run. The triggers still fire per row, inside the one statement. On PostgreSQL the rows go in one
round trip instead of one execution each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gateway.store.protocol import Connection

MAX_PARAMETERS = 32_000
"""Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 32,767."""


def chunk_size(columns: int) -> int:
    """Rows per statement for a table of `columns` columns."""
    return max(1, MAX_PARAMETERS // max(1, columns))


async def insert_rows(
    conn: Connection, table: str, rows: Sequence[Mapping[str, Any]], *, on_conflict: str = ""
) -> None:
    """Insert `rows` (dicts with the same keys, in the same order) in as few statements as the
    parameter limit allows; `on_conflict` is an `ON CONFLICT ...` clause added to each."""
    if not rows:
        return
    columns = list(rows[0])
    per = chunk_size(len(columns))
    row_marks = "(" + ", ".join("?" * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    tail = f" {on_conflict}" if on_conflict else ""
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        params = [row[name] for row in chunk for name in columns]
        await conn.execute(head + ", ".join([row_marks] * len(chunk)) + tail, params)

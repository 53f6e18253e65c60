"""The data set of dataset.py in a PostgreSQL database, for the dialect's tests.

The same rows, in the PostgreSQL store's conventions: integers (and 0/1 flags) `bigint`, floats
`double precision`; `$search` reads a generated `tsvector` column with a GIN index.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest

from gateway.odata import numbered
from tests import pg

from .dataset import ACT_COLUMNS, ACTIVITIES, RUN_COLUMNS, RUNS

SCHEMA = [
    "CREATE TABLE runs (id bigint PRIMARY KEY, display_name text, status text NOT NULL,"
    " source_status text, start_us bigint, end_us bigint, queue_us bigint, total_ms bigint,"
    " errors bigint, ratio double precision, is_latest bigint, guid text NOT NULL, secret text,"
    " search tsvector GENERATED ALWAYS AS (to_tsvector('simple',"
    " coalesce(display_name, '') || ' ' || coalesce(source_status, ''))) STORED)",
    "CREATE INDEX runs_start ON runs (start_us NULLS FIRST)",
    "CREATE INDEX runs_status ON runs (status)",
    "CREATE INDEX runs_search ON runs USING gin (search)",
    "CREATE TABLE activities (id bigint PRIMARY KEY, run_id bigint NOT NULL, name text,"
    " status text NOT NULL, errors bigint)",
]


class PgData:
    """A connection to a database holding the data set, used from synchronous tests."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.conn: asyncpg.Connection = self.loop.run_until_complete(asyncpg.connect(url))
        self.loop.run_until_complete(self._load())

    async def _load(self) -> None:
        for statement in SCHEMA:
            await self.conn.execute(statement)
        await self.conn.copy_records_to_table(
            "runs",
            records=[tuple(r[c] for c in RUN_COLUMNS) for r in RUNS],
            columns=RUN_COLUMNS,
        )
        await self.conn.copy_records_to_table(
            "activities",
            records=[tuple(a[c] for c in ACT_COLUMNS) for a in ACTIVITIES],
            columns=ACT_COLUMNS,
        )

    def fetch(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        rows = self.loop.run_until_complete(self.conn.fetch(numbered(sql), *params))
        return [tuple(row) for row in rows]

    def select_ids(self, where: str, params: tuple[Any, ...]) -> list[int]:
        rows = self.fetch(f"SELECT r.id FROM runs AS r WHERE {where} ORDER BY r.id", params)
        return [row[0] for row in rows]

    def close(self) -> None:
        self.loop.run_until_complete(self.conn.close())
        self.loop.close()


@pytest.fixture(scope="module")
def pgdata() -> Iterator[PgData]:
    with pg.temporary_database() as url:
        data = PgData(url)
        try:
            yield data
        finally:
            data.close()

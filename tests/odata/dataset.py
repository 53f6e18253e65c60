"""A small fixed data set in the store's conventions, and a catalog over it.

runs:       id, display_name, status (ENUM name), source_status, start_us/end_us (DATETIME micros
            UTC), queue_us (DURATION micros), total_ms (INT ms), errors (INT), ratio (FLOAT),
            is_latest (BOOL 0/1), guid (lowercase TEXT)
activities: id, run_id, name, status, errors
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from gateway.odata import Catalog, Field, FieldType, Relation, SearchSpec, sqlite_functions

STATUSES = ("PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED")


def us(text: str) -> int:
    """ISO 8601 with offset -> micros UTC."""
    value = dt.datetime.fromisoformat(text)
    delta = value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


H = 3_600_000_000

RUNS: list[dict[str, Any]] = [
    dict(
        id=1,
        display_name="Nightly load",
        status="SUCCEEDED",
        source_status="Succeeded",
        start_us=us("2024-01-01T10:00:00+00:00"),
        end_us=us("2024-01-01T11:30:00+00:00"),
        queue_us=5_000_000,
        total_ms=5_400_000,
        errors=0,
        ratio=1.0,
        is_latest=1,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a01",
    ),
    dict(
        id=2,
        display_name="nightly LOAD",
        status="FAILED",
        source_status="Failed",
        start_us=us("2024-01-01T23:30:00-02:00"),
        end_us=us("2024-01-02T02:00:00+00:00"),
        queue_us=90 * 1_000_000,
        total_ms=3_600_000,
        errors=3,
        ratio=0.25,
        is_latest=0,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a02",
    ),
    dict(
        id=3,
        display_name="100% done_ok",
        status="SUCCEEDED",
        source_status="Done",
        start_us=us("2023-12-31T23:59:59.999999+00:00"),
        end_us=us("2024-01-01T00:00:01+00:00"),
        queue_us=0,
        total_ms=2,
        errors=0,
        ratio=0.5,
        is_latest=1,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a03",
    ),
    dict(
        id=4,
        display_name="back\\slash 'quoted'",
        status="RUNNING",
        source_status=None,
        start_us=us("2024-02-29T12:00:00+05:30"),
        end_us=None,
        queue_us=None,
        total_ms=None,
        errors=None,
        ratio=None,
        is_latest=None,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a04",
    ),
    dict(
        id=5,
        display_name="Ünïcödé ÉTL 名前",
        status="CANCELLED",
        source_status="Cancelled",
        start_us=us("1969-12-31T23:59:59.500000+00:00"),
        end_us=us("1970-01-01T00:00:00+00:00"),
        queue_us=1,
        total_ms=500,
        errors=-2,
        ratio=-1.5,
        is_latest=0,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a05",
    ),
    dict(
        id=6,
        display_name=None,
        status="PENDING",
        source_status="queued",
        start_us=None,
        end_us=None,
        queue_us=None,
        total_ms=None,
        errors=None,
        ratio=None,
        is_latest=None,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a06",
    ),
    dict(
        id=7,
        display_name="a*b?c[d]",
        status="FAILED",
        source_status="ERROR",
        start_us=us("2024-06-15T08:00:00+02:00"),
        end_us=us("2024-06-15T08:00:00+00:00"),
        queue_us=2 * H,
        total_ms=7_200_000,
        errors=12,
        ratio=2.5,
        is_latest=1,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a07",
    ),
    dict(
        id=8,
        display_name="  padded  ",
        status="SUCCEEDED",
        source_status="succeeded",
        start_us=us("2024-01-01T10:00:00+00:00"),
        end_us=us("2024-01-01T11:30:00+00:00"),
        queue_us=5_000_000,
        total_ms=5_400_000,
        errors=0,
        ratio=1.0,
        is_latest=1,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a08",
    ),
    dict(
        id=9,
        display_name="under_score%",
        status="FAILED",
        source_status="Failed",
        start_us=us("2025-03-01T00:00:00-08:00"),
        end_us=us("2025-03-02T00:00:00-08:00"),
        queue_us=-5,
        total_ms=86_400_000,
        errors=1,
        ratio=0.0,
        is_latest=1,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a09",
    ),
    dict(
        id=10,
        display_name="",
        status="SUCCEEDED",
        source_status="",
        start_us=us("2024-01-01T10:00:00+00:00"),
        end_us=None,
        queue_us=0,
        total_ms=0,
        errors=0,
        ratio=1.0,
        is_latest=0,
        guid="0b3c6a52-2f7e-4d2a-9a57-1f1d5b1e0a10",
    ),
]

ACTIVITIES: list[dict[str, Any]] = [
    dict(id=101, run_id=1, name="copy", status="SUCCEEDED", errors=0),
    dict(id=102, run_id=1, name="Transform", status="SUCCEEDED", errors=0),
    dict(id=201, run_id=2, name="copy", status="FAILED", errors=3),
    dict(id=202, run_id=2, name="notify", status="SKIPPED", errors=None),
    dict(id=401, run_id=4, name="copy", status="RUNNING", errors=None),
    dict(id=701, run_id=7, name="COPY", status="FAILED", errors=0),
    dict(id=702, run_id=7, name="load", status="FAILED", errors=12),
    dict(id=901, run_id=9, name=None, status="SUCCEEDED", errors=1),
]

RUN_COLUMNS = list(RUNS[0])
ACT_COLUMNS = list(ACTIVITIES[0])

ACTIVITY = Catalog.build(
    "Activity",
    "a",
    [
        Field("id", "{alias}.id", FieldType.INT, nullable=False),
        Field("name", "{alias}.name", FieldType.STRING),
        Field(
            "status",
            "{alias}.status",
            FieldType.ENUM,
            enum_values=(*STATUSES, "SKIPPED"),
            enum_name="RunStatus",
            nullable=False,
        ),
        Field("statistics/errors", "{alias}.errors", FieldType.INT),
    ],
    id_sql="{alias}.id",
)

RUN = Catalog.build(
    "Run",
    "r",
    [
        Field("id", "{alias}.id", FieldType.INT, nullable=False),
        Field("displayName", "{alias}.display_name", FieldType.STRING),
        Field(
            "status",
            "{alias}.status",
            FieldType.ENUM,
            enum_values=STATUSES,
            enum_name="RunStatus",
            nullable=False,
            indexed=True,
        ),
        Field("sourceStatus", "{alias}.source_status", FieldType.STRING),
        Field("startDateTime", "{alias}.start_us", FieldType.DATETIME, indexed=True),
        Field("endDateTime", "{alias}.end_us", FieldType.DATETIME),
        Field("durations/queue", "{alias}.queue_us", FieldType.DURATION),
        Field("durations/totalMs", "{alias}.total_ms", FieldType.INT),
        Field("statistics/errors", "{alias}.errors", FieldType.INT),
        Field("ratio", "{alias}.ratio", FieldType.FLOAT),
        Field(
            "isLatestAttempt",
            "{alias}.is_latest",
            FieldType.BOOL,
            postgres_sql="({alias}.is_latest <> 0)",  # 0/1 on both engines, as the store keeps it
        ),
        Field("guid", "{alias}.guid", FieldType.GUID, nullable=False),
        Field(
            "activityCount",
            "SELECT count(*) FROM activities AS c WHERE c.run_id = {alias}.id",
            FieldType.INT,
            nullable=False,
        ),
        Field("secret", "{alias}.secret", FieldType.STRING, filterable=False, sortable=False),
    ],
    id_sql="{alias}.id",
    relations=[
        Relation("activities", ACTIVITY, "activities AS {alias}", "{alias}.run_id = {outer}.id")
    ],
    search=SearchSpec(
        "{alias}.rowid IN (SELECT rowid FROM runs_fts WHERE runs_fts MATCH ?)",
        postgres_sql="{alias}.search @@ to_tsquery('simple', ?)",
    ),
)


def connect() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    for name, (nargs, fn) in sqlite_functions().items():
        db.create_function(name, nargs, fn, deterministic=True)
    db.execute(
        "CREATE TABLE runs (id INTEGER PRIMARY KEY, display_name TEXT, status TEXT NOT NULL,"
        " source_status TEXT, start_us INTEGER, end_us INTEGER, queue_us INTEGER,"
        " total_ms INTEGER, errors INTEGER, ratio REAL, is_latest INTEGER, guid TEXT NOT NULL,"
        " secret TEXT)"
    )
    db.execute("CREATE INDEX runs_start ON runs (start_us)")
    db.execute("CREATE INDEX runs_status ON runs (status)")
    db.execute(
        "CREATE TABLE activities (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, name TEXT,"
        " status TEXT NOT NULL, errors INTEGER)"
    )
    db.executemany(
        f"INSERT INTO runs ({', '.join(RUN_COLUMNS)}) VALUES ({', '.join('?' * len(RUN_COLUMNS))})",
        [tuple(r[c] for c in RUN_COLUMNS) for r in RUNS],
    )
    db.executemany(
        f"INSERT INTO activities ({', '.join(ACT_COLUMNS)})"
        f" VALUES ({', '.join('?' * len(ACT_COLUMNS))})",
        [tuple(a[c] for c in ACT_COLUMNS) for a in ACTIVITIES],
    )
    db.execute("CREATE VIRTUAL TABLE runs_fts USING fts5(display_name, source_status)")
    db.execute(
        "INSERT INTO runs_fts (rowid, display_name, source_status)"
        " SELECT id, display_name, source_status FROM runs"
    )
    return db


def select_ids(db: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> list[int]:
    rows = db.execute(f"SELECT r.id FROM runs AS r WHERE {where} ORDER BY r.id", params)
    return [row[0] for row in rows]

"""Connections to the platforms: their records, sync reports, interval claims and the processes
each one synced. Plain statements; the use cases are in `gateway.services.sync`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import orjson

from gateway.domain.clock import from_micros, to_micros
from gateway.domain.connections import REPORTS_KEPT, Connection, SyncReport, SyncStatus
from gateway.domain.imports import ProcessRef
from gateway.store.protocol import Connection as Conn
from gateway.store.protocol import Row

_COLUMNS = (
    "id, workspace_id, name, platform, endpoint, options, credential_env, interval_seconds, "
    "watermark, created_at, last_modified_at"
)


def _from_row(row: Row) -> Connection:
    return Connection(
        id=row["id"],
        workspace_id=row["workspace_id"],
        name=row["name"],
        platform=row["platform"],
        endpoint=row["endpoint"],
        options=orjson.loads(row["options"]),
        credential_env=row["credential_env"],
        interval=timedelta(seconds=row["interval_seconds"]),
        watermark=row["watermark"],
        created_date_time=from_micros(row["created_at"]),
        last_modified_date_time=from_micros(row["last_modified_at"]),
    )


def _report_from_row(row: Row) -> SyncReport:
    return SyncReport(
        id=row["id"],
        connection_id=row["connection_id"],
        status=SyncStatus(row["status"]),
        started_date_time=from_micros(row["started_at"]),
        ended_date_time=from_micros(row["ended_at"]),
        added=row["added"],
        updated=row["updated"],
        unchanged=row["unchanged"],
        failed=row["failed"],
        error_code=row["error_code"],
        error_message=row["error_message"],
        failures=tuple((p, m) for p, m in orjson.loads(row["failures"])),
    )


async def insert(conn: Conn, connection: Connection) -> None:
    await conn.execute(
        f"INSERT INTO connections ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            connection.id,
            connection.workspace_id,
            connection.name,
            connection.platform,
            connection.endpoint,
            orjson.dumps(dict(connection.options), option=orjson.OPT_SORT_KEYS).decode(),
            connection.credential_env,
            int(connection.interval.total_seconds()),
            connection.watermark,
            to_micros(connection.created_date_time),
            to_micros(connection.last_modified_date_time),
        ),
    )


async def by_name(conn: Conn, name: str) -> Connection | None:
    row = await conn.fetchone(f"SELECT {_COLUMNS} FROM connections WHERE name = ?", (name,))
    return _from_row(row) if row else None


async def get(conn: Conn, id: str) -> Connection | None:
    row = await conn.fetchone(f"SELECT {_COLUMNS} FROM connections WHERE id = ?", (id,))
    return _from_row(row) if row else None


async def get_many(conn: Conn, ids: Sequence[str]) -> dict[str, Connection]:
    rows = await conn.fetch_by_id("connections", ids)
    return {id: _from_row(row) for id, row in rows.items()}


async def list_all(conn: Conn) -> list[Connection]:
    rows = await conn.fetchall(f"SELECT {_COLUMNS} FROM connections ORDER BY name")
    return [_from_row(row) for row in rows]


async def page(
    conn: Conn, workspace_ids: frozenset[str] | None, after: str | None, limit: int
) -> list[Connection]:
    """Connections by id after `after`, in the given workspaces (None: all), `limit` at most."""
    where, params = ["id > ?"], [after or ""]
    if workspace_ids is not None:
        where.append(f"workspace_id IN ({', '.join('?' * len(workspace_ids))})")
        params.extend(sorted(workspace_ids))
    rows = await conn.fetchall(
        f"SELECT {_COLUMNS} FROM connections WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
        (*params, limit),
    )
    return [_from_row(row) for row in rows]


async def count(conn: Conn, workspace_ids: frozenset[str] | None) -> int:
    if workspace_ids is None:
        row = await conn.fetchone("SELECT count(*) FROM connections")
    else:
        marks = ", ".join("?" * len(workspace_ids))
        row = await conn.fetchone(
            f"SELECT count(*) FROM connections WHERE workspace_id IN ({marks})",
            tuple(sorted(workspace_ids)),
        )
    return int(row[0]) if row else 0


async def delete(conn: Conn, id: str) -> bool:
    return await conn.execute("DELETE FROM connections WHERE id = ?", (id,)) > 0


async def set_watermark(conn: Conn, id: str, watermark: str | None, now: datetime) -> None:
    await conn.execute(
        "UPDATE connections SET watermark = ?, last_modified_at = ? WHERE id = ?",
        (watermark, to_micros(now), id),
    )


async def add_report(conn: Conn, report: SyncReport) -> None:
    """Keep `report`, and only the latest `REPORTS_KEPT` of its connection."""
    await conn.execute(
        "INSERT INTO sync_reports (id, connection_id, status, started_at, ended_at, added, "
        "updated, unchanged, failed, error_code, error_message, failures) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            report.id,
            report.connection_id,
            report.status.value,
            to_micros(report.started_date_time),
            to_micros(report.ended_date_time),
            report.added,
            report.updated,
            report.unchanged,
            report.failed,
            report.error_code,
            report.error_message,
            orjson.dumps([list(f) for f in report.failures]).decode(),
        ),
    )
    await conn.execute(
        "DELETE FROM sync_reports WHERE connection_id = ? AND id NOT IN (SELECT id FROM "
        "sync_reports WHERE connection_id = ? ORDER BY started_at DESC, id DESC LIMIT ?)",
        (report.connection_id, report.connection_id, REPORTS_KEPT),
    )


async def last_reports(conn: Conn, connection_ids: Sequence[str]) -> dict[str, SyncReport]:
    """The latest report of each connection that has one."""
    if not connection_ids:
        return {}
    marks = ", ".join("?" * len(connection_ids))
    rows = await conn.fetchall(
        f"SELECT r.* FROM sync_reports r WHERE r.connection_id IN ({marks}) AND r.id = "
        "(SELECT id FROM sync_reports s WHERE s.connection_id = r.connection_id "
        "ORDER BY started_at DESC, id DESC LIMIT 1)",
        tuple(connection_ids),
    )
    return {row["connection_id"]: _report_from_row(row) for row in rows}


async def reports(conn: Conn, connection_id: str, limit: int) -> list[SyncReport]:
    rows = await conn.fetchall(
        "SELECT * FROM sync_reports WHERE connection_id = ? ORDER BY started_at DESC, id DESC "
        "LIMIT ?",
        (connection_id, limit),
    )
    return [_report_from_row(row) for row in rows]


async def claim_slot(conn: Conn, connection_id: str, slot: datetime, now: datetime) -> bool:
    """Claim the interval slot `slot` of a connection; False when a process claimed it before.
    Older claims of the connection are forgotten."""
    claimed = await conn.execute(
        "INSERT INTO sync_slots (connection_id, slot, claimed_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (connection_id, to_micros(slot), to_micros(now)),
    )
    if claimed:
        await conn.execute(
            "DELETE FROM sync_slots WHERE connection_id = ? AND slot < ?",
            (connection_id, to_micros(slot)),
        )
    return claimed > 0


async def link_processes(
    conn: Conn, connection_id: str, workspace_id: str, refs: Sequence[ProcessRef]
) -> None:
    """Name `connection_id` as the connection of the processes `refs` stand for."""
    seen = {(r.source.value, r.kind.value, r.source_id) for r in refs}
    if not seen:
        return
    await conn.execute_many(
        "INSERT INTO connection_processes (process_id, connection_id) "
        "SELECT id, ? FROM processes WHERE workspace_id = ? AND source = ? AND kind = ? "
        "AND source_id = ? ON CONFLICT (process_id) DO UPDATE SET connection_id = excluded.connection_id",
        [(connection_id, workspace_id, *key) for key in sorted(seen)],
    )


async def of_process(conn: Conn, process_id: str) -> Connection | None:
    """The connection that synced a process, if one did."""
    row = await conn.fetchone(
        f"SELECT {', '.join('c.' + c.strip() for c in _COLUMNS.split(','))} FROM connections c "
        "JOIN connection_processes p ON p.connection_id = c.id WHERE p.process_id = ?",
        (process_id,),
    )
    return _from_row(row) if row else None


async def run_id_by_source(
    conn: Conn, workspace_id: str, source: str, source_id: str
) -> str | None:
    """The id of the run a platform id names in a workspace, if it is stored."""
    row = await conn.fetchone(
        "SELECT id FROM runs WHERE workspace_id = ? AND source = ? AND source_id = ?",
        (workspace_id, source, source_id),
    )
    return str(row[0]) if row else None

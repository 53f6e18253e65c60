"""Run events: the append-only history of every change to a run."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.domain.clock import from_micros, to_micros
from gateway.domain.exceptions import StoreError
from gateway.domain.models import Run, RunChangeKind, RunEvent
from gateway.domain.status import RunStatus
from gateway.store.protocol import Connection, Row, Transaction


def event_from_row(row: Row) -> RunEvent:
    return RunEvent(
        seq=row["seq"],
        run_id=row["run_id"],
        workspace_id=row["workspace_id"],
        process_id=row["process_id"],
        kind=RunChangeKind(row["kind"]),
        from_status=RunStatus(row["from_status"]) if row["from_status"] else None,
        to_status=RunStatus(row["to_status"]) if row["to_status"] else None,
        at=from_micros(row["at"]),
        actor=row["actor"],
        reason=row["reason"],
        request_id=row["request_id"],
    )


async def append(
    tx: Transaction,
    run: Run,
    kind: RunChangeKind,
    *,
    from_status: RunStatus | None,
    actor: str | None,
    reason: str | None = None,
    request_id: str | None = None,
) -> RunEvent:
    """Record a change to `run` in the same transaction; it is published after commit."""
    rows = await tx.fetchall(
        f"{_INSERT} (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
        _params(run, kind, from_status, actor, reason, request_id),
    )
    event = event_from_row(rows[0])
    tx.events.append(event)
    return event


_INSERT = (
    "INSERT INTO run_events (run_id, workspace_id, process_id, kind, from_status, to_status, "
    "at, actor, reason, request_id) VALUES"
)
_MANY = 500  # rows per statement (10 parameters each)


def _params(
    run: Run,
    kind: RunChangeKind,
    from_status: RunStatus | None,
    actor: str | None,
    reason: str | None,
    request_id: str | None,
) -> tuple[object, ...]:
    to_status = None if kind is RunChangeKind.DELETED else run.status
    return (
        run.id,
        run.workspace_id,
        run.process_id,
        kind.value,
        from_status.value if from_status else None,
        to_status.value if to_status else None,
        to_micros(run.last_modified_date_time),
        actor,
        reason,
        request_id,
    )


async def append_created(tx: Transaction, runs: Sequence[Run], *, actor: str | None) -> None:
    """`append` a CREATED event for each of many new runs, a few statements in all."""
    await append_many(tx, runs, RunChangeKind.CREATED, from_status=None, actor=actor)


async def append_many(
    tx: Transaction,
    runs: Sequence[Run],
    kind: RunChangeKind,
    *,
    from_status: Sequence[RunStatus | None] | None,
    actor: str | None,
    reason: str | None = None,
) -> None:
    """`append` a `kind` event for each of many runs (`from_status`: each one's status before,
    in the same order), one statement per 500 events."""
    before = list(from_status) if from_status is not None else [None] * len(runs)
    for start in range(0, len(runs), _MANY):
        chunk = runs[start : start + _MANY]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        params = [
            p
            for run, was in zip(chunk, before[start : start + _MANY], strict=True)
            for p in _params(run, kind, was, actor, reason, None)
        ]
        rows = await tx.fetch_tuples(f"{_INSERT} {values} RETURNING seq, run_id", params)
        # The events are made from what was written (their numbers from the store): reading
        # every column back and parsing it cost as much as the insert.
        rows.sort()
        if [row[1] for row in rows] != [run.id for run in chunk]:
            raise StoreError("The events of a batch came back out of order.")
        tx.events.extend(
            RunEvent(
                seq=row[0],
                run_id=run.id,
                workspace_id=run.workspace_id,
                process_id=run.process_id,
                kind=kind,
                from_status=was,
                to_status=None if kind is RunChangeKind.DELETED else run.status,
                at=from_micros(to_micros(run.last_modified_date_time)),
                actor=actor,
                reason=reason,
                request_id=None,
            )
            for row, run, was in zip(rows, chunk, before[start : start + _MANY], strict=True)
        )


async def for_run(conn: Connection, run_id: str) -> list[RunEvent]:
    rows = await conn.fetchall("SELECT * FROM run_events WHERE run_id = ? ORDER BY seq", (run_id,))
    return [event_from_row(row) for row in rows]


async def latest_for_runs(
    conn: Connection, run_ids: Sequence[str], limit: int
) -> dict[str, list[RunEvent]]:
    """The latest `limit` events of each run, oldest first, in one statement."""
    if not run_ids:
        return {}
    marks = ", ".join("?" * len(run_ids))
    rows = await conn.fetchall(
        f"SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY run_id ORDER BY seq DESC) "
        f"AS _rn FROM run_events WHERE run_id IN ({marks})) AS e WHERE _rn <= ? ORDER BY run_id, seq",
        (*run_ids, limit),
    )
    found: dict[str, list[RunEvent]] = {id: [] for id in run_ids}
    for row in rows:
        found[row["run_id"]].append(event_from_row(row))
    return found

"""What an import batch reads before it writes (`gateway/store/upserts.py`): the processes its
records name, and the stored runs they stand against, with their activities, in one statement
per 500 ids each. A stored run whose digest (`source_hash`) is its record's own `fingerprint` is
unchanged: neither it nor its activities are read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.domain.imports import DeferredRun, ImportedRun, NativeRun, ProcessRef, Record
from gateway.domain.models import Activity, Process, Run
from gateway.store.codec import activity_from_row, process_from_row, run_from_row
from gateway.store.protocol import Transaction

CHUNK = 500  # ids per IN (...) list


@dataclass
class Batch:
    """What one batch has read: stored runs by (workspace, source, sourceId), their activities,
    processes by platform identity, and the attempt chains to link at the end."""

    tx: Transaction
    workspace_id: str
    runs: dict[tuple[str, str, str], Run] = field(default_factory=dict)
    activities: dict[str, list[Activity]] = field(default_factory=dict)
    processes: dict[ProcessRef, Process] = field(default_factory=dict)
    stored_processes: dict[tuple[str, str, str], Process] = field(default_factory=dict)
    chains: set[tuple[str, str, str]] = field(default_factory=set)
    processes_added: int = 0
    careful: bool = False
    new_runs: dict[str, Run] = field(default_factory=dict)
    new_activities: list[Activity] = field(default_factory=list)
    new_links: list[tuple[str, str, str, str]] = field(default_factory=list)
    unchanged: dict[tuple[str, str, str], str] = field(default_factory=dict)
    """Stored runs (their ids) that the digests of this batch's records vouch for."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """The digests of the platform records the batch writes runs from, by run id."""


def source_id_of(record: ImportedRun | DeferredRun) -> str:
    return record.source_id if isinstance(record, DeferredRun) else record.spec.source_id or ""


def chunks(items: Sequence[str]) -> list[Sequence[str]]:
    return [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]


async def _prefetch_processes(batch: Batch, records: Sequence[Record]) -> None:
    ids = sorted({r.process.source_id for r in records if isinstance(r, ImportedRun | DeferredRun)})
    for chunk in chunks(ids):
        marks = ", ".join("?" * len(chunk))
        rows = await batch.tx.fetchall(
            f"SELECT * FROM processes WHERE workspace_id = ? AND source_id IN ({marks})",
            [batch.workspace_id, *chunk],
        )
        for row in rows:
            found = process_from_row(row)
            batch.stored_processes[(found.source.value, found.kind.value, found.source_id)] = found


async def prefetch(batch: Batch, records: Sequence[Record]) -> None:
    """Read what the batch's records stand against. A stored run whose digest (`source_hash`)
    is the record's own `fingerprint` is unchanged: it and its activities are not read at all."""
    await _prefetch_processes(batch, records)
    wanted: dict[tuple[str, str], set[str]] = {}
    digests: dict[tuple[str, str, str], str | None] = {}  # None: not vouched for by a digest
    for record in records:
        if isinstance(record, DeferredRun) or (
            isinstance(record, ImportedRun) and record.spec.source_id
        ):
            key = (batch.workspace_id, record.process.source.value, source_id_of(record))
            digests[key] = None if key in digests else record.fingerprint  # twice: compared
        elif isinstance(record, NativeRun):
            key = (record.run.workspace_id, record.run.source.value, record.run.source_id)
            digests[key] = None
        else:
            continue
        wanted.setdefault(key[:2], set()).add(key[2])
    stale: dict[tuple[str, str], list[str]] = {}
    for (workspace_id, source), ids in wanted.items():
        for chunk in chunks(sorted(ids)):
            marks = ", ".join("?" * len(chunk))
            found = await batch.tx.fetch_tuples(
                "SELECT source_id, id, source_hash FROM runs WHERE workspace_id = ? "
                f"AND source = ? AND source_id IN ({marks})",
                [workspace_id, source, *chunk],
            )
            for source_id, id, digest in found:
                key = (workspace_id, source, source_id)
                if digest is not None and digests.get(key) == digest:
                    batch.unchanged[key] = id
                else:
                    stale.setdefault((workspace_id, source), []).append(source_id)
    for (workspace_id, source), compared in stale.items():
        for chunk in chunks(sorted(compared)):
            marks = ", ".join("?" * len(chunk))
            rows = await batch.tx.fetchall(
                "SELECT * FROM runs WHERE workspace_id = ? AND source = ? "
                f"AND source_id IN ({marks})",
                [workspace_id, source, *chunk],
            )
            for row in rows:
                run = run_from_row(row)
                batch.runs[(workspace_id, source, run.source_id)] = run
                batch.activities[run.id] = []
    for chunk in chunks(sorted(batch.activities)):
        marks = ", ".join("?" * len(chunk))
        rows = await batch.tx.fetchall(
            f"SELECT * FROM activities WHERE run_id IN ({marks}) ORDER BY run_id, sequence",
            list(chunk),
        )
        for row in rows:
            batch.activities[row["run_id"]].append(activity_from_row(row))

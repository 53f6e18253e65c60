"""Idempotent upserts of imported records, by (workspace, source, sourceId), inside a transaction.

`apply_batch` takes a batch of parsed records and returns what happened to each one. A run that is
new is inserted with its activities and a CREATED event; a run that changed gets its next version,
its activities are brought in line, and an UPDATED event is appended; an equal run is left alone
(no write, no event); a record the platform says is older than the stored run is skipped. Existing
runs of the batch are read in one statement per source, their activities in one more.

Attempt lineage is linked at the end of the batch (`gateway/store/lineage.py`), whichever
attempt came first. A batch costs a constant number of statements for the runs it adds or
leaves unchanged (tests/ingest/test_statement_counts.py), whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from gateway.domain.clock import utc_now
from gateway.domain.exceptions import GatewayError, StoreError, ValidationError
from gateway.domain.ids import IdKind, new_id
from gateway.domain.imports import (
    DeferredRun,
    ImportedActivity,
    ImportedRun,
    NativeRun,
    Outcome,
    ProcessRef,
    Record,
    RecordError,
    RecordFailure,
    is_stale,
    materialise,
    materialise_activity,
    next_versions,
    same_run,
)
from gateway.domain.models import Activity, Process, Run, RunChangeKind, Workspace
from gateway.store import activities, bulk, events, lineage, processes, runs, workspaces
from gateway.store.batch_reads import Batch, chunks, prefetch, source_id_of
from gateway.store.codec import activity_from_row, process_from_row, run_from_row
from gateway.store.protocol import Transaction

ACTOR = "import"

Result = tuple[str, Outcome | RecordFailure]


async def _flush(batch: Batch) -> None:
    """Write the batch's new runs, their activities, CREATED events and lineage links, a few
    statements in all."""
    # Taken out first: what fails to be written is not written again by the next flush.
    created, batch.new_runs = list(batch.new_runs.values()), {}
    acts, batch.new_activities = batch.new_activities, []
    links, batch.new_links = batch.new_links, []
    if created:
        await runs.insert_many(batch.tx, created, batch.fingerprints)
        await activities.insert_many(batch.tx, acts)
        await events.append_created(batch.tx, created, actor=ACTOR)
    if links:
        # The last link of a run wins, as one row per statement did (ON CONFLICT cannot
        # change the same row twice in one statement on PostgreSQL).
        latest = {link[0]: link for link in links}
        await bulk.insert_rows(
            batch.tx,
            "import_lineage",
            [
                dict(
                    zip(
                        ("run_id", "workspace_id", "source", "original_source_id"),
                        link,
                        strict=True,
                    )
                )
                for link in latest.values()
            ],
            on_conflict="ON CONFLICT (run_id) DO UPDATE SET "
            "original_source_id = excluded.original_source_id",
        )


async def _process(batch: Batch, ref: ProcessRef) -> Process:
    found = batch.processes.get(ref)
    if found is not None:
        return found
    found = batch.stored_processes.get((ref.source.value, ref.kind.value, ref.source_id))
    if found is None:
        row = await batch.tx.fetchone(
            "SELECT * FROM processes WHERE workspace_id = ? AND source = ? AND kind = ? "
            "AND source_id = ?",
            (batch.workspace_id, ref.source.value, ref.kind.value, ref.source_id),
        )
        found = process_from_row(row) if row is not None else None
    if found is None:
        now = utc_now()
        found = Process(
            id=new_id(IdKind.PROCESS),
            workspace_id=batch.workspace_id,
            source=ref.source,
            kind=ref.kind,
            source_id=ref.source_id,
            display_name=ref.display_name,
            created_date_time=now,
            last_modified_date_time=now,
        )
        await processes.insert(batch.tx, found)
        batch.processes_added += 1
    batch.processes[ref] = found
    return found


async def _save_activities(
    tx: Transaction, before: Sequence[Activity], after: Sequence[Activity]
) -> None:
    stored = {a.id: a for a in before}
    keep = {a.id for a in after}
    gone = [a.id for a in before if a.id not in keep]
    for chunk in chunks(gone):
        marks = ", ".join("?" * len(chunk))
        await tx.execute(f"DELETE FROM activities WHERE id IN ({marks})", list(chunk))
    fresh = []
    for activity in after:
        old = stored.get(activity.id)
        if old is None:
            fresh.append(activity)
        elif old != activity and not await activities.update(tx, activity, old.version):
            raise StoreError("An activity changed while it was being imported.")
    await activities.insert_many(tx, fresh)


async def _save_run(batch: Batch, run: Run, acts: Sequence[Activity], existing: Run | None) -> None:
    tx = batch.tx
    if existing is not None and existing.id in batch.new_runs:
        await _flush(batch)  # the same run twice in a batch: the first must be written first
    if existing is None:
        batch.new_runs[run.id] = run
        batch.new_activities.extend(acts)
        if batch.careful:
            await _flush(batch)
    else:
        if not await runs.update(tx, run, existing.version, batch.fingerprints.get(run.id)):
            raise StoreError("A run changed while it was being imported.")
        await _save_activities(tx, batch.activities.get(existing.id, []), acts)
        await events.append(
            tx, run, RunChangeKind.UPDATED, from_status=existing.status, actor=ACTOR
        )
    batch.runs[(run.workspace_id, run.source.value, run.source_id)] = run
    batch.activities[run.id] = list(acts)


async def _deferred_run(batch: Batch, record: DeferredRun) -> Outcome | RecordFailure:
    known = batch.unchanged.get((batch.workspace_id, record.process.source.value, record.source_id))
    if known is not None:
        await _link(batch, known, record)
        return Outcome.UNCHANGED
    try:
        parsed = record.parse()
    except RecordError as exc:
        return RecordFailure("", str(exc))
    return await _imported_run(batch, parsed)


async def _imported_run(batch: Batch, record: ImportedRun) -> Outcome:
    source_id = record.spec.source_id or ""
    known = batch.unchanged.get((batch.workspace_id, record.process.source.value, source_id))
    if known is not None:
        await _link(batch, known, record)
        return Outcome.UNCHANGED
    process = await _process(batch, record.process)
    existing = batch.runs.get((batch.workspace_id, process.source.value, source_id))
    stored = batch.activities.get(existing.id, []) if existing else []
    run, acts = materialise(
        record,
        process=process,
        run_id=existing.id if existing else new_id(IdKind.RUN),
        existing=existing,
        existing_activities=stored,
        new_activity_id=lambda: new_id(IdKind.ACTIVITY),
        now=utc_now(),
    )
    outcome = Outcome.ADDED
    if existing is not None:
        if is_stale(record, existing):
            return Outcome.SKIPPED
        outcome = Outcome.UNCHANGED
        if not same_run(run, acts, existing, stored):
            run, acts = next_versions(run, acts, stored)
            outcome = Outcome.UPDATED
    if outcome is not Outcome.UNCHANGED:
        if record.fingerprint is not None:
            batch.fingerprints[run.id] = record.fingerprint
        await _save_run(batch, run, acts, existing)
    await _link(batch, run.id, record)
    return outcome


async def _link(batch: Batch, run_id: str, record: ImportedRun | DeferredRun) -> None:
    """Note the attempt chain a retry belongs to, linked at the end of the batch."""
    if record.original_attempt_source_id:
        source = record.process.source.value
        link = (run_id, batch.workspace_id, source, record.original_attempt_source_id)
        batch.new_links.append(link)
        batch.chains.add(link[1:])
        if batch.careful:
            await _flush(batch)


async def _native_run(batch: Batch, record: NativeRun) -> Outcome | RecordFailure:
    run = record.run
    existing = batch.runs.get((run.workspace_id, run.source.value, run.source_id))
    if existing is None:
        await _save_run(batch, run, record.activities, None)
        return Outcome.ADDED
    if existing.id != run.id:
        return RecordFailure("", f"the run with this sourceId has the id {existing.id!r} here.")
    stored = batch.activities.get(existing.id, [])
    if run == existing and list(record.activities) == stored:
        return Outcome.UNCHANGED
    if run.version <= existing.version:
        return Outcome.SKIPPED
    await _save_run(batch, run, record.activities, existing)
    return Outcome.UPDATED


async def _native_process(batch: Batch, process: Process) -> None:
    existing = await processes.get(batch.tx, process.id)
    if existing is None:
        await processes.insert(batch.tx, process)
        batch.processes_added += 1
    elif existing != process and process.version > existing.version:
        await processes.update(batch.tx, process, existing.version)


async def _native_workspace(batch: Batch, workspace: Workspace) -> None:
    if not await workspaces.get_many(batch.tx, [workspace.id]):
        await workspaces.insert(batch.tx, workspace)


async def _imported_activity(batch: Batch, record: ImportedActivity) -> Outcome | RecordFailure:
    row = await batch.tx.fetchone(
        "SELECT * FROM runs WHERE workspace_id = ? AND source = ? AND source_id = ?",
        (batch.workspace_id, record.source.value, record.run_source_id),
    )
    if row is None:
        return RecordFailure(
            "",
            f"no {record.source.value} run has the id {record.run_source_id!r} in this "
            "workspace; import the run first.",
        )
    run = run_from_row(row)
    rows = await batch.tx.fetchall(
        "SELECT * FROM activities WHERE run_id = ? ORDER BY sequence", (run.id,)
    )
    stored = {a.key: a for a in map(activity_from_row, rows)}
    existing = stored.get(record.spec.key)
    activity = materialise_activity(
        record,
        run=run,
        existing=existing,
        id=existing.id if existing else new_id(IdKind.ACTIVITY),
        sequence=existing.sequence if existing else len(stored),
        now=utc_now(),
    )
    if existing is None:
        await activities.insert_many(batch.tx, [activity])
        return Outcome.ADDED
    if activity == existing:
        return Outcome.UNCHANGED
    await activities.update(
        batch.tx, replace(activity, version=existing.version + 1), existing.version
    )
    return Outcome.UPDATED


async def _apply_one(batch: Batch, record: Record) -> Outcome | RecordFailure | None:
    if isinstance(record, ImportedRun):
        return await _imported_run(batch, record)
    if isinstance(record, DeferredRun):
        return await _deferred_run(batch, record)
    if isinstance(record, NativeRun):
        return await _native_run(batch, record)
    if isinstance(record, ImportedActivity):
        return await _imported_activity(batch, record)
    if isinstance(record, Process):
        await _native_process(batch, record)
    else:
        await _native_workspace(batch, record)
    return None


async def apply_batch(
    tx: Transaction,
    workspace_id: str,
    records: Sequence[tuple[str, Record]],
    *,
    careful: bool = False,
) -> tuple[list[Result], int]:
    """Upsert a batch of records; return each one's outcome (records that are not runs or
    activities have none) and how many processes were added.

    Expected failures of one record (`ValidationError`) leave the others alone. With `careful`,
    each record runs in a savepoint, so a store error fails that record only; without it, a store
    error propagates (the caller retries the batch with `careful`).
    """
    batch = Batch(tx, workspace_id, careful=careful)
    await prefetch(batch, [record for _, record in records])
    results: list[Result] = []
    for position, record in records:
        if isinstance(record, ImportedActivity) and batch.new_runs:
            await _flush(batch)  # its run may be one this batch added (runs, then activities)
        if careful:
            await tx.execute("SAVEPOINT import_record")
        try:
            outcome = await _apply_one(batch, record)
        except ValidationError as exc:
            outcome = RecordFailure(position, exc.message)
        except GatewayError as exc:
            if not careful:
                raise
            await tx.execute("ROLLBACK TO import_record")
            batch.processes.clear()  # a process it added is gone with it
            outcome = RecordFailure(position, exc.message)
        if careful:
            await tx.execute("RELEASE import_record")
        if isinstance(outcome, RecordFailure) and not outcome.position:
            outcome = RecordFailure(position, outcome.message)
        if outcome is not None:
            results.append((position, outcome))
    touched = {
        (workspace_id, record.process.source.value, source_id_of(record))
        for _, record in records
        if isinstance(record, DeferredRun)
        or (isinstance(record, ImportedRun) and record.spec.source_id)
    }
    chains = batch.chains | await lineage.chains_rooted_at(tx, touched)
    await lineage.link(
        tx,
        chains,
        current=batch.runs,
        pending=batch.new_runs,
        links=batch.new_links,
        actor=ACTOR,
    )
    await _flush(batch)
    return results, batch.processes_added

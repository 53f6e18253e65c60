"""`startRun`, `cancelRun` and `retryRun` on a process a connection synced: the platform does it,
the gateway records what the platform answered. Other processes keep `services.lifecycle`.

Order, so that nothing is recorded as started that the platform did not start:
1. one transaction reads: a replay of the idempotency key answers its first run at once (the
   platform is not called again); else the process and its connection;
2. the platform is called, outside any transaction (a refusal is a `PlatformError`; nothing is
   written);
3. one transaction records the answer: the new run with the platform's id as `sourceId`, the
   cancel asked (`CANCELLING`), the repair (the same run `PENDING` again) or the new attempt;
   and remembers the idempotency key.
The platform gets its own idempotency token, made from the key, so two requests racing with one
key start one platform run; the second finds it recorded and returns it.

A forwarded change keeps the run's platform-reported modification time (a start is stamped
before the call), so the next sync's record of the platform's answer is never taken as older than
the gateway's note of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime

from gateway.domain.clock import utc_now
from gateway.domain.connections import Connection
from gateway.domain.exceptions import ConflictError, InvalidTransitionError, NotFoundError
from gateway.domain.lifecycle import check_if_match, stamp_transition
from gateway.domain.models import Process, Run, RunChangeKind
from gateway.domain.sources import Source
from gateway.domain.specs import RunSpec
from gateway.domain.starts import (
    StartOptions,
    check_idempotency_key,
    check_startable,
    fingerprint,
    start_spec,
)
from gateway.domain.status import RunStatus
from gateway.domain.vocabularies import run_status
from gateway.platforms import registry
from gateway.platforms.base import Forwarded, ProcessTarget
from gateway.services import lifecycle
from gateway.services.actor import Actor, key_namespace
from gateway.services.lifecycle import Started, _replay
from gateway.services.runs import insert_run, load_run, lost_race, record
from gateway.services.sync import connect
from gateway.store import connections, idempotency, processes, runs, schedules
from gateway.store.protocol import Database, Transaction


def idempotency_token(operation: str, key: str | None) -> str:
    """The platform's idempotency token for a request: 64 hex digits, the same for the same
    caller and key (a fresh one without a key)."""
    if key is None:
        return secrets.token_hex(32)
    return hashlib.sha256(f"{operation}\n{key}".encode()).hexdigest()


def forwards(connection: Connection | None) -> bool:
    if connection is None:
        return False
    info = registry.PLATFORMS.get(connection.platform)
    return info is not None and info.forwards


async def _process_and_connection(
    tx: Transaction, process_id: str, actor: Actor
) -> tuple[Process, Connection | None]:
    process = await processes.get(tx, process_id)
    if process is None or not actor.workspaces.allows(process.workspace_id):
        raise NotFoundError("process", process_id)
    return process, await connections.of_process(tx, process.id)


async def start_run(
    db: Database,
    process_id: str,
    options: StartOptions,
    actor: Actor,
    *,
    idempotency_key: str | None = None,
) -> Started:
    """Start a run: on the platform when a connection synced the process, else as ever."""
    key = check_idempotency_key(idempotency_key)
    digest = fingerprint(
        "startRun", {"process": process_id, "options": dataclasses.asdict(options)}
    )
    operation = key_namespace("startRun", actor)
    async with db.transaction() as tx:
        replayed = await _replay(tx, operation, key, digest, utc_now())
        if replayed is not None:
            return Started(replayed, True)
        process, connection = await _process_and_connection(tx, process_id, actor)
    if connection is None or not forwards(connection):
        return await lifecycle.start_run(db, process_id, options, actor, idempotency_key=key)
    check_startable(process)
    spec = start_spec(process, options)
    before = utc_now()
    forwarded = await _call_start(connection, process, options, idempotency_token(operation, key))
    async with db.transaction() as tx:
        now = utc_now()
        replayed = await _replay(tx, operation, key, digest, now)
        if replayed is not None:  # a request with the same key recorded it meanwhile
            return Started(replayed, True)
        reason = f"started on {connection.platform} ({connection.name})"
        run = await _record_start(tx, process, spec, forwarded, actor, reason, before)
        if key is not None:
            await idempotency.remember(tx, operation, key, digest, run.id, now)
        return Started(run, False)


async def start_scheduled(
    db: Database,
    process: Process,
    connection: Connection,
    slot: datetime,
    options: StartOptions,
    actor: Actor,
) -> Run:
    """The run of a schedule slot of a process a connection synced, started on the platform.

    The slot is claimed first, so one server process calls the platform per slot (another one's
    claim is a `ConflictError`); the platform's idempotency token is made from the process and
    the slot, so a call repeated after a lost answer asks for the same platform run; a call that
    fails gives the slot back, for the next tick to try again."""
    check_startable(process)
    spec = start_spec(process, options)
    before = utc_now()
    async with db.transaction() as tx:
        if not await schedules.claim_slot(tx, process.id, slot, schedules.UNRECORDED, before):
            raise ConflictError(
                f"The schedule slot {slot.isoformat()} of {process.id!r} already fired."
            )
    token = idempotency_token("schedule", f"{process.id}@{slot.isoformat()}")
    try:
        forwarded = await _call_start(connection, process, options, token)
    except BaseException:
        async with db.transaction() as tx:
            await schedules.release_slot(tx, process.id, slot)
        raise
    async with db.transaction() as tx:
        reason = f"scheduled; started on {connection.platform} ({connection.name})"
        run = await _record_start(tx, process, spec, forwarded, actor, reason, before)
        await schedules.record_slot_run(tx, process.id, slot, run.id)
        return run


async def _call_start(
    connection: Connection, process: Process, options: StartOptions, token: str
) -> Forwarded:
    client = connect(connection)
    try:
        return await client.start(
            ProcessTarget(
                source_id=process.source_id,
                display_name=process.display_name,
                parameters=options.parameters,
            ),
            idempotency_token=token,
        )
    finally:
        await client.aclose()


async def _record_start(
    tx: Transaction,
    process: Process,
    spec: RunSpec,
    forwarded: Forwarded,
    actor: Actor,
    reason: str,
    before: datetime,
) -> Run:
    """The run the platform started, in the state it reported (or the one a sync recorded)."""
    run = await _recorded(tx, process, forwarded.source_id)
    if run is not None:
        return run
    spec = as_reported(spec, process.source, forwarded, before)
    return (await insert_run(tx, process, spec, actor, reason=reason, now=before))[0]


def as_reported(spec: RunSpec, source: Source, forwarded: Forwarded, now: datetime) -> RunSpec:
    """`spec` with the platform's id and the state its answer reported, mapped with the
    platform's status map (PENDING when the answer names none); the next sync brings the rest."""
    status = reported_status(source, forwarded)
    start, end = stamp_transition(status, None, None, now=now)
    return dataclasses.replace(
        spec,
        source_id=forwarded.source_id,
        source_status=forwarded.source_status,
        status=status,
        start_date_time=start,
        end_date_time=end,
    )


def reported_status(source: Source, forwarded: Forwarded) -> RunStatus:
    if not forwarded.source_status:
        return RunStatus.PENDING
    return run_status(source, forwarded.source_status)


async def _recorded(tx: Transaction, process: Process, source_id: str) -> Run | None:
    """The run of `process` with the platform id `source_id`, if a sync recorded it already."""
    found = await connections.run_id_by_source(
        tx, process.workspace_id, process.source.value, source_id
    )
    return await runs.get(tx, found) if found else None


async def _run_and_connection(db: Database, id: str, actor: Actor) -> tuple[Run, Connection | None]:
    async with db.read() as conn:
        run = await runs.get(conn, id)
        if run is None or not actor.workspaces.allows(run.workspace_id):
            raise NotFoundError("run", id)
        return run, await connections.of_process(conn, run.process_id)


async def cancel_run(
    db: Database, id: str, reason: str | None, if_match: str | None, actor: Actor
) -> Run:
    """Cancel a run: asked of the platform when a connection synced its process (the run is
    CANCELLING until the next sync brings the platform's outcome); else as ever."""
    run, connection = await _run_and_connection(db, id, actor)
    if connection is None or not forwards(connection):
        return await lifecycle.cancel_run(db, id, reason, if_match, actor)
    check_if_match("run", id, run.e_tag, if_match)
    if run.status is RunStatus.CANCELLING:
        return run  # asked already: the platform is not asked twice
    if not run.status.is_active or not run.source_id:
        raise InvalidTransitionError(
            run.status,
            RunStatus.CANCELLED,
            f"The run {run.id!r} is {run.status.value}; only an active run can be cancelled.",
        )
    client = connect(connection)
    try:
        await client.cancel(run.source_id)
    finally:
        await client.aclose()
    async with db.transaction() as tx:
        current = await load_run(tx, id, actor)
        if not current.status.is_active or current.status is RunStatus.CANCELLING:
            return current  # a sync or another cancel got there first
        cancelling = dataclasses.replace(
            current, status=RunStatus.CANCELLING, version=current.version + 1
        )
        if not await runs.update(tx, cancelling, current.version):
            raise lost_race("run", id, current.e_tag)
        note = f"cancel sent to {connection.platform} ({connection.name})"
        await record(tx, cancelling, RunChangeKind.UPDATED, current.status, actor, reason or note)
        return cancelling


async def retry_run(
    db: Database,
    id: str,
    *,
    from_failure: bool,
    options: StartOptions,
    actor: Actor,
    idempotency_key: str | None = None,
) -> Started:
    """Retry a finished run: on the platform when a connection synced its process (Databricks
    repairs the same run; others start a new attempt); else as ever."""
    key = check_idempotency_key(idempotency_key)
    digest = fingerprint(
        "retryRun",
        {"run": id, "fromFailure": from_failure, "options": dataclasses.asdict(options)},
    )
    operation = key_namespace("retryRun", actor)
    async with db.transaction() as tx:
        replayed = await _replay(tx, operation, key, digest, utc_now())
        if replayed is not None:
            return Started(replayed, True)
        previous = await load_run(tx, id, actor)
        connection = await connections.of_process(tx, previous.process_id)
    if connection is None or not forwards(connection):
        return await lifecycle.retry_run(
            db,
            id,
            from_failure=from_failure,
            options=options,
            actor=actor,
            idempotency_key=key,
        )
    _check_retryable(previous)
    client = connect(connection)
    try:
        forwarded = await client.retry(
            previous.source_id or "", idempotency_token=idempotency_token(operation, key)
        )
    finally:
        await client.aclose()
    async with db.transaction() as tx:
        now = utc_now()
        replayed = await _replay(tx, operation, key, digest, now)
        if replayed is not None:
            return Started(replayed, True)
        current = await load_run(tx, id, actor)
        note = f"retried on {connection.platform} ({connection.name})"
        if forwarded.in_place:
            run = await _repaired(tx, current, forwarded, actor, note)
        else:
            run = await _new_attempt(tx, current, forwarded, options, actor, note)
        if key is not None:
            await idempotency.remember(tx, operation, key, digest, run.id, now)
        return Started(run, False)


def _check_retryable(run: Run) -> None:
    if not run.status.is_terminal:
        raise InvalidTransitionError(
            run.status,
            RunStatus.PENDING,
            f"The run {run.id!r} is {run.status.value}; only a finished run can be retried. "
            "Cancel it first.",
        )
    if not run.is_latest_attempt:
        raise ConflictError(f"The run {run.id!r} is not its latest attempt; retry that one.")
    if not run.source_id:
        raise ConflictError(f"The run {run.id!r} has no platform id to retry.")


async def _repaired(
    tx: Transaction, current: Run, forwarded: Forwarded, actor: Actor, note: str
) -> Run:
    """The same run, PENDING again: the platform reruns it in place."""
    status = reported_status(current.source, forwarded)
    repaired = dataclasses.replace(
        current,
        status=status,
        source_status=forwarded.source_status or status.value,
        end_date_time=None,
        version=current.version + 1,
    )
    if not await runs.update(tx, repaired, current.version):
        raise lost_race("run", current.id, current.e_tag)
    await record(tx, repaired, RunChangeKind.UPDATED, current.status, actor, note)
    return repaired


async def _new_attempt(
    tx: Transaction,
    previous: Run,
    forwarded: Forwarded,
    options: StartOptions,
    actor: Actor,
    note: str,
) -> Run:
    """A new attempt with the platform's new run id, linked to `previous` (no longer latest)."""
    process = await processes.get(tx, previous.process_id)
    if process is None:  # the foreign key makes this impossible
        raise NotFoundError("process", previous.process_id)
    found = await _recorded(tx, process, forwarded.source_id)
    if found is not None:
        return found
    spec = dataclasses.replace(
        as_reported(start_spec(process, options), process.source, forwarded, utc_now()),
        attempt_number=previous.attempt_number + 1,
    )
    run = (await insert_run(tx, process, spec, actor, reason=note, previous=previous))[0]
    superseded = dataclasses.replace(
        previous, is_latest_attempt=False, version=previous.version + 1
    )
    if not await runs.update(tx, superseded, previous.version):
        raise lost_race("run", previous.id, previous.e_tag)
    await record(
        tx, superseded, RunChangeKind.UPDATED, previous.status, actor, f"retried as {run.id}"
    )
    return run

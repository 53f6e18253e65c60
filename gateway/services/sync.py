"""Syncing a connection: one incremental pass over its platform's runs, through the same mapping
and the same idempotent upserts as `gateway import`.

The platform client's pages are read ahead (a few pages at most) while records are committed in
batches of `BATCH_SIZE`, each batch one transaction that also links the processes it saw to the
connection; their run events reach `runChanged` subscribers like any write. The watermark the
client gives moves only when every page of the pass was read and committed: a pass that fails
half-way keeps the watermark where it was, so the next pass reads the same runs again (they count
`unchanged`), none is skipped and, being keyed by the platform's id, none is doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from gateway.domain.clock import utc_now
from gateway.domain.connections import Connection, SyncReport, SyncStatus
from gateway.domain.exceptions import GatewayError
from gateway.domain.ids import IdKind, new_id
from gateway.domain.imports import (
    MAX_FAILURES_KEPT,
    DeferredRun,
    ImportedRun,
    Outcome,
    Record,
    RecordFailure,
)
from gateway.metrics import observe_sync
from gateway.platforms import registry
from gateway.platforms.base import Parsed, PlatformClient, Secret, SyncPage, Target
from gateway.platforms.errors import PlatformAuthError, PlatformError
from gateway.services.overlap import OneInFlight
from gateway.store import connections as store
from gateway.store.protocol import Database
from gateway.store.upserts import Result, apply_batch

log = logging.getLogger("gateway.sync")
BATCH_SIZE = 1000
READ_AHEAD = 4
"""Pages read ahead of the commits."""


@dataclass(slots=True)
class Progress:
    """How far a pass is: pages read, records committed, by outcome."""

    pages: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged + self.failed

    def count(self, outcome: Outcome | RecordFailure) -> None:
        if isinstance(outcome, RecordFailure):
            self.failed += 1
            if len(self.failures) < MAX_FAILURES_KEPT:
                self.failures.append((outcome.position, outcome.message))
        elif outcome is Outcome.ADDED:
            self.added += 1
        elif outcome is Outcome.UPDATED:
            self.updated += 1
        else:  # UNCHANGED, and SKIPPED (the platform says the stored run is newer)
            self.unchanged += 1


OnProgress = Callable[[Connection, Progress], None]


def target_of(connection: Connection, environ: Mapping[str, str] | None = None) -> Target:
    """The platform target of a connection, its credential read from the environment now."""
    environ = os.environ if environ is None else environ
    value = environ.get(connection.credential_env) if connection.credential_env else None
    return Target(
        connection=connection.name,
        platform=connection.platform,
        endpoint=connection.endpoint,
        options=dict(connection.options),
        credential=Secret(value) if value else None,
        workspace_id=connection.workspace_id,
    )


def connect(connection: Connection, environ: Mapping[str, str] | None = None) -> PlatformClient:
    """The platform client of a connection; a named variable that is not set is an auth error."""
    environ = os.environ if environ is None else environ
    if connection.credential_env and not environ.get(connection.credential_env):
        raise PlatformAuthError(
            connection.name,
            f"the environment variable {connection.credential_env} (its credential) is not set.",
        )
    return registry.connect(target_of(connection, environ))


async def _commit(
    db: Database, connection: Connection, batch: list[tuple[str, Record]]
) -> list[Result]:
    refs = [r.process for _, r in batch if isinstance(r, ImportedRun | DeferredRun)]
    try:
        async with db.transaction() as tx:
            results, _ = await apply_batch(tx, connection.workspace_id, batch)
            await store.link_processes(tx, connection.id, connection.workspace_id, refs)
            return results
    except PlatformError:
        raise
    except GatewayError:  # one record the store refused: again, a savepoint per record
        async with db.transaction() as tx:
            results, _ = await apply_batch(tx, connection.workspace_id, batch, careful=True)
            await store.link_processes(tx, connection.id, connection.workspace_id, refs)
            return results


async def _read(
    client: PlatformClient,
    watermark: str | None,
    queue: asyncio.Queue[SyncPage | GatewayError | None],
) -> None:
    """Put each page in `queue`, then None; an error ends the reading and is put last."""
    try:
        async for page in client.pages(watermark):
            await queue.put(page)
        await queue.put(None)
    except GatewayError as exc:
        await queue.put(exc)


async def _pass(
    db: Database,
    connection: Connection,
    client: PlatformClient,
    progress: Progress,
    on_progress: OnProgress | None,
) -> tuple[str | None, GatewayError | None]:
    """Read every page and commit its records; the watermark reached, and the error if any."""
    queue: asyncio.Queue[SyncPage | GatewayError | None] = asyncio.Queue(READ_AHEAD)
    reader = asyncio.create_task(_read(client, connection.watermark, queue))
    watermark = connection.watermark
    error: GatewayError | None = None
    batch: list[tuple[str, Record]] = []

    def counted(results: list[Result]) -> None:
        for _, outcome in results:
            progress.count(outcome)
        if on_progress:
            on_progress(connection, progress)

    try:
        async with OneInFlight(counted) as commits:  # a batch commits while pages are read
            while True:
                item = await queue.get()
                if item is None:
                    break
                if isinstance(item, GatewayError):
                    error = item
                    break
                progress.pages += 1
                for parsed in item.records:
                    _take(parsed, batch, progress)
                if len(batch) >= BATCH_SIZE:
                    await commits.submit(partial(_commit, db, connection, batch))
                    batch = []
                if item.watermark is not None:
                    watermark = item.watermark
            if batch:  # what was read before a failure is kept too: it is as true as ever
                await commits.submit(partial(_commit, db, connection, batch))
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    return (connection.watermark if error else watermark), error


def _take(parsed: Parsed, batch: list[tuple[str, Record]], progress: Progress) -> None:
    if isinstance(parsed, RecordFailure):
        progress.count(parsed)
    else:
        batch.append(parsed)


async def sync_connection(
    db: Database,
    connection: Connection,
    *,
    environ: Mapping[str, str] | None = None,
    on_progress: OnProgress | None = None,
) -> SyncReport:
    """One pass of `connection`; its report is kept (and its watermark, when it completed)."""
    started = utc_now()
    progress = Progress()
    error: GatewayError | None = None
    watermark = connection.watermark
    try:
        client = connect(connection, environ)
    except PlatformError as exc:
        error = exc
    else:
        try:
            watermark, error = await _pass(db, connection, client, progress, on_progress)
        except GatewayError as exc:  # the store failed a commit
            error = exc
        finally:
            await client.aclose()
    ended = utc_now()
    if error is not None:
        status = SyncStatus.FAILED
    elif progress.failed:
        status = SyncStatus.PARTIALLY_SUCCEEDED
    else:
        status = SyncStatus.SUCCEEDED
    report = SyncReport(
        id=new_id(IdKind.SYNC_REPORT),
        connection_id=connection.id,
        status=status,
        started_date_time=started,
        ended_date_time=ended,
        added=progress.added,
        updated=progress.updated,
        unchanged=progress.unchanged,
        failed=progress.failed,
        error_code=error.code if error else None,
        error_message=_message(connection, error),
        failures=tuple(progress.failures),
    )
    async with db.transaction() as tx:
        if await store.get(tx, connection.id) is not None:  # removed meanwhile: nothing to keep
            if error is None and watermark != connection.watermark:
                await store.set_watermark(tx, connection.id, watermark, utc_now())
            await store.add_report(tx, report)
    if error is not None:
        log.warning("sync of %s failed: %s", connection.name, report.error_message)
    else:
        log.info("sync of %s: %s", connection.name, report.line())
    # The pass saw the platform's changes up to when it began reading: that is its lag once ended.
    observe_sync(
        connection.name,
        succeeded=error is None,
        lag_seconds=(ended - started).total_seconds(),
        finished_at=ended.timestamp(),
    )
    return report


def _message(connection: Connection, error: GatewayError | None) -> str | None:
    if error is None:
        return None
    if isinstance(error, PlatformError):
        return error.message
    if error.code.startswith("STORE"):
        return f"connection {connection.name!r}: the store failed; see the server log."
    return f"connection {connection.name!r}: {error.message}"


async def sync_many(
    db: Database,
    chosen: Sequence[Connection],
    *,
    environ: Mapping[str, str] | None = None,
    on_progress: OnProgress | None = None,
    concurrency: int = 4,
) -> list[SyncReport]:
    """A pass of each connection, a few at a time; one failing does not stop the others."""
    gate = asyncio.Semaphore(concurrency)

    async def one(connection: Connection) -> SyncReport:
        async with gate:
            return await sync_connection(db, connection, environ=environ, on_progress=on_progress)

    return list(await asyncio.gather(*(one(c) for c in chosen)))

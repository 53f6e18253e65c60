"""Imports: parsed records in, committed in batches (or all in one transaction), a summary out.

Each batch of `BATCH_SIZE` records is one transaction. When the store refuses a record (a clash of
ids, a reference to nothing), the batch is rolled back and applied again with a savepoint per
record, so only that record fails. With `strict`, the whole import is one transaction and the first
failed record rolls everything back.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Sequence
from functools import partial

from gateway.domain.exceptions import GatewayError, ValidationError
from gateway.domain.imports import ImportSummary, Outcome, Record, RecordFailure
from gateway.services.overlap import OneInFlight
from gateway.store import workspaces
from gateway.store.protocol import Database
from gateway.store.upserts import Result, apply_batch

BATCH_SIZE = 1000
Parsed = tuple[str, Record] | RecordFailure


class _Abort(Exception):
    def __init__(self, failure: RecordFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def _count(summary: ImportSummary, results: Sequence[Result], processes_added: int) -> None:
    for _, outcome in results:
        if isinstance(outcome, Outcome):
            summary.count(outcome)
        else:
            summary.fail(outcome)
    summary.processes_added += processes_added


async def _commit(
    db: Database, workspace_id: str, batch: list[tuple[str, Record]]
) -> tuple[list[Result], int]:
    try:
        async with db.transaction() as tx:
            return await apply_batch(tx, workspace_id, batch)
    except GatewayError:
        async with db.transaction() as tx:
            return await apply_batch(tx, workspace_id, batch, careful=True)


async def import_records(
    db: Database,
    parsed: AsyncIterable[Parsed],
    *,
    workspace_id: str,
    strict: bool = False,
    batch_size: int = BATCH_SIZE,
    on_batch: Callable[[ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import every record of `parsed` into `workspace_id` (records of the gateway's own format
    name their workspace themselves)."""
    async with db.read() as conn:
        if not await workspaces.get_many(conn, [workspace_id]):
            raise ValidationError("workspace", f"no workspace has the id {workspace_id!r}.")
    if strict:
        return await _strict(db, parsed, workspace_id=workspace_id, batch_size=batch_size)
    summary = ImportSummary()
    batch: list[tuple[str, Record]] = []

    def counted(result: tuple[list[Result], int]) -> None:
        _count(summary, *result)
        if on_batch:
            on_batch(summary)

    async with OneInFlight(counted) as commits:  # a batch commits while the next is parsed
        async for item in parsed:
            if isinstance(item, RecordFailure):
                summary.fail(item)
                continue
            batch.append(item)
            if len(batch) >= batch_size:
                await commits.submit(partial(_commit, db, workspace_id, batch))
                batch = []
        if batch:
            await commits.submit(partial(_commit, db, workspace_id, batch))
    if on_batch:  # the failures after the last batch too
        on_batch(summary)
    return summary


async def _strict(
    db: Database, parsed: AsyncIterable[Parsed], *, workspace_id: str, batch_size: int
) -> ImportSummary:
    summary = ImportSummary()
    try:
        async with db.transaction() as tx:
            batch: list[tuple[str, Record]] = []

            async def flush() -> None:
                results, added = await apply_batch(tx, workspace_id, batch, careful=True)
                for _, outcome in results:
                    if isinstance(outcome, RecordFailure):
                        raise _Abort(outcome)
                _count(summary, results, added)
                batch.clear()
                tx.events.clear()  # one bulk transaction: recorded in history, not broadcast

            async for item in parsed:
                if isinstance(item, RecordFailure):
                    raise _Abort(item)
                batch.append(item)
                if len(batch) >= batch_size:
                    await flush()
            if batch:
                await flush()
    except _Abort as exc:
        failed = ImportSummary()
        failed.fail(exc.failure)
        return failed
    return summary

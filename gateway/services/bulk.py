"""Bulk changes: cancel or delete every run of a list (at most `MAX_BULK_RUNS`), in one
transaction, or only report what would change (`dry_run`)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.domain.exceptions import ValidationError
from gateway.domain.models import Run, RunChangeKind
from gateway.domain.status import RunStatus
from gateway.services.actor import Actor
from gateway.services.lifecycle import cancel_in
from gateway.services.runs import record
from gateway.store import runs
from gateway.store.paging import ListQuery
from gateway.store.protocol import Database, Transaction

MAX_BULK_RUNS = 1000
BULK_SAMPLE = 10


@dataclass(frozen=True, slots=True)
class Outcome:
    run: Run
    changed: bool
    status: RunStatus
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BulkResult:
    matched: int
    changed: int
    outcomes: list[Outcome]
    dry_run: bool


async def _bulk_targets(tx: Transaction, query: ListQuery) -> list[Run]:
    found = await runs.matching(tx, query, MAX_BULK_RUNS + 1)
    if len(found) > MAX_BULK_RUNS:
        raise ValidationError(
            "filter",
            f"matches more than {MAX_BULK_RUNS} runs, the most one request changes; narrow it "
            "(for example by startDateTime) and repeat.",
        )
    return found


async def cancel_runs(db: Database, query: ListQuery, *, dry_run: bool, actor: Actor) -> BulkResult:
    """Cancel every active run of the list; finished runs are reported and left alone."""
    async with db.transaction() as tx:
        outcomes = []
        for run in await _bulk_targets(tx, query):
            if not run.status.is_active:
                outcomes.append(Outcome(run, False, run.status, f"already {run.status.value}"))
            else:
                cancelled = await cancel_in(tx, run, "bulk cancel", actor, save=not dry_run)
                outcomes.append(Outcome(run if dry_run else cancelled, True, cancelled.status))
        return BulkResult(len(outcomes), sum(o.changed for o in outcomes), outcomes, dry_run)


async def delete_runs(db: Database, query: ListQuery, *, dry_run: bool, actor: Actor) -> BulkResult:
    """Delete every finished run of the list; active runs are reported and left alone."""
    async with db.transaction() as tx:
        outcomes = []
        for run in await _bulk_targets(tx, query):
            if not run.status.is_terminal:
                outcomes.append(
                    Outcome(run, False, run.status, f"{run.status.value}: cancel it first")
                )
                continue
            if not dry_run:
                await runs.delete(tx, run.id)
                await record(tx, run, RunChangeKind.DELETED, run.status, actor, "bulk delete")
            outcomes.append(Outcome(run, True, run.status))
        return BulkResult(len(outcomes), sum(o.changed for o in outcomes), outcomes, dry_run)

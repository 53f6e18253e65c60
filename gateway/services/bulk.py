"""Bulk changes: cancel or delete every run of a list (at most `MAX_BULK_RUNS`), in one
transaction, or only report what would change (`dry_run`)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.domain.exceptions import ValidationError
from gateway.domain.models import Run
from gateway.domain.status import RunStatus
from gateway.services.actor import Actor
from gateway.services.lifecycle import cancel_in
from gateway.services.runs import delete_attempt
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


async def _blocked_attempts(tx: Transaction, targets: list[Run]) -> dict[str, tuple[str, int]]:
    """The finished targets a bulk delete keeps, each with the latest attempt that retries it
    and is kept: an attempt outside the targets, or kept itself (so a whole chain is kept)."""
    deleted = {r.id for r in targets if r.status.is_terminal}
    links = {
        r.id: await runs.later_attempts(tx, r)
        for r in targets
        if r.id in deleted and not r.is_latest_attempt
    }
    blocked: dict[str, tuple[str, int]] = {}
    changed = True
    while changed:
        changed = False
        for id, later in links.items():
            left = [attempt for attempt in later if attempt[0] not in deleted]
            if id in deleted and left:
                deleted.discard(id)
                blocked[id] = left[0]
                changed = True
    return blocked


async def delete_runs(db: Database, query: ListQuery, *, dry_run: bool, actor: Actor) -> BulkResult:
    """Delete every finished run of the list; active runs are reported and left alone, and so
    are runs that a later attempt outside the deleted ones retries (their lineage stays whole)."""
    async with db.transaction() as tx:
        outcomes = []
        targets = await _bulk_targets(tx, query)
        blocked = await _blocked_attempts(tx, targets)
        deleted = frozenset(r.id for r in targets if r.status.is_terminal) - blocked.keys()
        for run in targets:
            if not run.status.is_terminal:
                outcomes.append(
                    Outcome(run, False, run.status, f"{run.status.value}: cancel it first")
                )
            elif run.id in blocked:
                later_id, number = blocked[run.id]
                reason = f"retried by attempt {number} ({later_id}): delete it first"
                outcomes.append(Outcome(run, False, run.status, reason))
            else:
                if not dry_run:
                    await delete_attempt(tx, run, actor, deleted=deleted, reason="bulk delete")
                outcomes.append(Outcome(run, True, run.status))
        return BulkResult(len(outcomes), sum(o.changed for o in outcomes), outcomes, dry_run)

"""Run changes: the run events read back in order, with the runs they concern and which
subscriber filters each one matches.

The events table is the log. Its `seq` is an AUTOINCREMENT rowid, and SQLite admits one writer
at a time (every write transaction is `BEGIN IMMEDIATE`), so sequence order is commit order: a
reader that sees event n has seen every event before n, and reading `seq > position` in order
never skips a change that commits later.

Filters are the compiled `WHERE` conditions of the `runs` list (`build_query` over the RUNS
catalog), evaluated against the run's row right after the change, or right before it was deleted:
`run_states` (migrations 0006, 0013) once the run changed again, the run's row until then.
So a change matches, or not, the same way live and on replay,
whenever it is read. Relations are read as they are now: `activities/any(...)` sees the run's
activities (a deleted run's from `deleted_activities`), and `process/...` the live process (kept
while it has runs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from gateway.domain.models import Run, RunChangeKind, RunEvent
from gateway.odata import Compiled, Dialect
from gateway.store import events, runs
from gateway.store.protocol import Connection

FilterKey = tuple[Compiled, ...]
"""A compiled filter (the AND-ed conditions of a `ListQuery`); `()` matches every run."""

EVERYTHING: FilterKey = ()

# A deleted run's activities are in `deleted_activities`; the relation reads `activities`.
_WITH_DELETED = (
    "WITH activities AS (SELECT * FROM main.activities UNION ALL SELECT * FROM deleted_activities) "
)
_WITH_DELETED_PG = _WITH_DELETED.replace("main.", "public.")  # the schema's name on PostgreSQL


@dataclass(frozen=True, slots=True)
class Change:
    """One run event, with the run as it is now (None once the run is deleted)."""

    event: RunEvent
    run: Run | None


@dataclass(frozen=True, slots=True)
class Batch:
    """Events read in order, the runs they concern, and the events each filter matches."""

    events: list[RunEvent]
    runs: dict[str, Run]
    matches: dict[FilterKey, frozenset[int]]

    def changes(self, key: FilterKey) -> list[Change]:
        """The changes `key` matches, in order."""
        matched = self.matches[key]
        return [
            Change(e, None if e.kind is RunChangeKind.DELETED else self.runs.get(e.run_id))
            for e in self.events
            if e.seq in matched
        ]


async def latest_seq(conn: Connection) -> int:
    """The sequence number of the newest event (0 when there is none)."""
    row = await conn.fetchone("SELECT max(seq) FROM run_events")
    return int(row[0] or 0) if row else 0


async def since(conn: Connection, position: int, limit: int) -> list[RunEvent]:
    """At most `limit` events after `position`, oldest first (a range scan of the rowid)."""
    rows = await conn.fetchall(
        "SELECT * FROM run_events WHERE seq > ? ORDER BY seq LIMIT ?", (position, limit)
    )
    return [events.event_from_row(row) for row in rows]


async def _matching(
    conn: Connection, key: FilterKey, seqs: Sequence[int], *, deleted_runs: bool
) -> frozenset[int]:
    marks = ", ".join("?" * len(seqs))
    # An event's state is kept in run_states once its run changed again (migration 0013);
    # until then it is the run's row itself.
    states = (
        f"(SELECT * FROM run_states WHERE seq IN ({marks}) UNION ALL "
        "SELECT e.seq, x.* FROM run_events e JOIN runs x ON x.id = e.run_id "
        f"WHERE e.seq IN ({marks}) AND NOT EXISTS "
        "(SELECT 1 FROM run_states s WHERE s.seq = e.seq)) AS r"
    )
    sql = f"SELECT r.seq FROM {states} WHERE " + " AND ".join(c.sql for c in key)
    params = [*seqs, *seqs, *(p for c in key for p in c.params)]
    with_deleted = _WITH_DELETED_PG if conn.dialect is Dialect.POSTGRESQL else _WITH_DELETED
    rows = await conn.fetchall((with_deleted if deleted_runs else "") + sql, params)
    return frozenset(row[0] for row in rows)


async def resolve(conn: Connection, batch: list[RunEvent], keys: Iterable[FilterKey]) -> Batch:
    """The runs of `batch` as they are now (one statement) and the events each filter matches
    (one statement per distinct filter)."""
    ids = sorted({e.run_id for e in batch})
    live = await runs.get_many(conn, ids) if ids else {}
    seqs = [e.seq for e in batch]
    gone = len(live) < len(ids)
    matches: dict[FilterKey, frozenset[int]] = {}
    for key in set(keys):
        if not key or not seqs:
            matches[key] = frozenset(seqs)
        else:
            matches[key] = await _matching(conn, key, seqs, deleted_runs=gone)
    return Batch(batch, live, matches)


async def page(
    conn: Connection, key: FilterKey, position: int, *, want: int, batch: int, scan: int
) -> tuple[list[Change], int, bool]:
    """Up to `want` matching changes after `position`, reading at most `scan` events in batches
    of `batch`: (changes, the position to continue from, whether more events follow)."""
    found: list[Change] = []
    scanned = 0
    while True:
        read = await since(conn, position, min(batch, scan - scanned))
        if not read:
            return found, position, False
        resolved = await resolve(conn, read, [key])
        for change in resolved.changes(key):
            found.append(change)
            if len(found) == want:
                return found, change.event.seq, await _any_after(conn, change.event.seq)
        position = read[-1].seq
        scanned += len(read)
        if scanned >= scan:
            return found, position, await _any_after(conn, position)


async def _any_after(conn: Connection, position: int) -> bool:
    row = await conn.fetchone("SELECT 1 FROM run_events WHERE seq > ? LIMIT 1", (position,))
    return row is not None

"""Imported runs: what the platform parsers make of a record, and the rules that turn it into the
stored run (ids, lineage and times kept stable, so importing the same record twice changes nothing).

A platform record becomes an `ImportedRun`: the process it belongs to (`ProcessRef`, created on
first sight), a `RunSpec` validated by the same rules as `createRun`, the platform's own
last-modified time when it reports one, and the platform id of the run's first attempt. The store
looks the run up by (workspace, source, sourceId) and calls `materialise`, then `same_run` to decide
between ADDED, UPDATED, UNCHANGED and SKIPPED (a record older than the stored run).

The gateway's own export (`NativeRun`) carries finished records, ids and versions included.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gateway.domain.models import Activity, Process, Run, Workspace
from gateway.domain.records import record
from gateway.domain.sources import ProcessKind, Source
from gateway.domain.specs import ActivitySpec, RunSpec, _build_activity, build_run

MAX_FAILURES_KEPT = 100
"""How many failures a summary lists (all are counted)."""


class Outcome(enum.Enum):
    """What an import did with one record (DataZone's vocabulary of `runStatisticsForAssets`)."""

    ADDED = "added"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@record
class ProcessRef:
    """The process a platform record belongs to, by its platform identity."""

    source: Source
    kind: ProcessKind
    source_id: str
    display_name: str


@record
class ImportedRun:
    """One platform run record, parsed."""

    process: ProcessRef
    spec: RunSpec
    last_modified_date_time: datetime | None = None
    """The platform's own last-modified time; a record older than the stored run is skipped."""
    original_attempt_source_id: str | None = None
    """The platform id of the first attempt when this run is a retry of it."""
    fingerprint: str | None = None
    """A digest of the platform record and of the mapping that read it: a stored run written
    from the same digest (and not changed since) is unchanged without being compared."""


@record
class DeferredRun:
    """A platform run record known by its identity and digest, mapped only when needed: when
    the stored run of that identity was written from another digest (or there is none), the
    store calls `parse` (which may raise `RecordError`); when it was written from this one, the
    record is unchanged and never mapped at all."""

    process: ProcessRef
    source_id: str
    original_attempt_source_id: str | None
    fingerprint: str
    parse: Callable[[], ImportedRun]


@record
class ImportedActivity:
    """One activity record given apart from its run (DataZone's `ListDataSourceRunActivities`)."""

    source: Source
    run_source_id: str
    spec: ActivitySpec


@record
class NativeRun:
    """A run of the gateway's own export format, with its activities: stored as it is."""

    run: Run
    activities: tuple[Activity, ...] = ()


Identity = tuple[ProcessRef, str, str | None]
"""What a mapping's `identify` reads of a run record alone: its process, its platform id, and the
platform id of its first attempt when it is a retry (as `parse` would give them)."""

Record = ImportedRun | DeferredRun | ImportedActivity | NativeRun | Process | Workspace
"""Anything a parser yields."""


@dataclass(frozen=True, slots=True)
class RecordFailure:
    """A record that could not be imported: where it is in the input, and why."""

    position: str
    message: str


class RecordError(ValueError):
    """A record does not have the shape its format promises; the message says what is wrong."""


@dataclass(slots=True)
class ImportSummary:
    """Counts of what an import did with each run record, and the failures with their position."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    processes_added: int = 0
    failures: list[RecordFailure] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        name = outcome.value
        setattr(self, name, getattr(self, name) + 1)

    def fail(self, failure: RecordFailure) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(failure)

    @property
    def records(self) -> int:
        return self.added + self.updated + self.unchanged + self.skipped + self.failed

    def to_json(self) -> dict[str, object]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "failed": self.failed,
            "processesAdded": self.processes_added,
            "failures": [{"position": f.position, "message": f.message} for f in self.failures],
        }

    def line(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.skipped} skipped, {self.failed} failed"
            + (f"; {self.processes_added} processes added" if self.processes_added else "")
        )


def materialise(
    record: ImportedRun,
    *,
    process: Process,
    run_id: str,
    existing: Run | None,
    existing_activities: Sequence[Activity],
    new_activity_id: Callable[[], str],
    now: datetime,
) -> tuple[Run, list[Activity]]:
    """The run and activities a record stands for, validated (`ValidationError` names the field).

    Everything not reported by the platform is derived from what is, never from the clock, except
    the creation time of a run first seen with no time at all; so an unchanged record gives an
    equal run. An existing run keeps its id, creation time, activity ids (by key) and lineage
    (which `relink` maintains across the records of a chain).
    """
    keyed = {a.key: a for a in existing_activities}
    spec = record.spec
    ids = [keyed[a.key].id if a.key in keyed else new_activity_id() for a in spec.activities]
    created = existing.created_date_time if existing else (spec.created_date_time or now)
    modified = (
        record.last_modified_date_time or spec.end_date_time or spec.start_date_time or created
    )
    overrides: dict[str, Any] = {
        "created_date_time": created,
        "last_modified_date_time": modified,
        "original_attempt_run_id": existing.original_attempt_run_id if existing else None,
        "previous_attempt_run_id": existing.previous_attempt_run_id if existing else None,
        "is_latest_attempt": existing.is_latest_attempt if existing else True,
        "version": existing.version if existing else 1,
    }

    def activity_overrides(a: ActivitySpec) -> dict[str, Any]:
        kept = keyed.get(a.key)
        return {
            "created_date_time": kept.created_date_time if kept else created,
            "last_modified_date_time": a.end_date_time or a.start_date_time or modified,
            "version": kept.version if kept else 1,
        }

    run, acts = build_run(
        spec,
        process=process,
        id=run_id,
        activity_ids=ids,
        now=now,
        overrides=overrides,
        activity_overrides=activity_overrides,
    )
    if not spec.activities:
        # The record's shape has no activities (a list without tasks, activities listed apart):
        # the stored ones stay.
        return run, list(existing_activities)
    return run, acts


def materialise_activity(
    record: ImportedActivity,
    *,
    run: Run,
    existing: Activity | None,
    id: str,
    sequence: int,
    now: datetime,
) -> Activity:
    """The activity an activity record stands for, in `run`; validated like `materialise`."""
    keys = {record.spec.key, *record.spec.depends_on}
    built = _build_activity(record.spec, index=sequence, run=run, id=id, keys=keys, now=now)
    return dataclasses.replace(
        built,
        created_date_time=existing.created_date_time if existing else run.created_date_time,
        last_modified_date_time=built.end_date_time
        or built.start_date_time
        or run.last_modified_date_time,
        version=existing.version if existing else 1,
    )


def same_run(
    run: Run, activities: Sequence[Activity], existing: Run, existing_activities: Sequence[Activity]
) -> bool:
    """True when a materialised run equals the stored one, activities included."""
    if run != existing:
        return False
    stored = sorted(existing_activities, key=lambda a: a.sequence)
    return list(activities) == stored


def next_versions(
    run: Run, activities: Sequence[Activity], existing_activities: Sequence[Activity]
) -> tuple[Run, list[Activity]]:
    """The run and activities to save over the stored ones: each changed record's next version."""
    stored = {a.id: a for a in existing_activities}
    out = []
    for activity in activities:
        before = stored.get(activity.id)
        if before is not None and before != activity:
            activity = dataclasses.replace(activity, version=before.version + 1)
        out.append(activity)
    return dataclasses.replace(run, version=run.version + 1), out


def is_stale(record: ImportedRun, existing: Run) -> bool:
    """True when the platform says this record is older than the stored run."""
    reported = record.last_modified_date_time
    return reported is not None and reported < existing.last_modified_date_time


def relink(root: Run | None, retries: Sequence[Run]) -> list[Run]:
    """The runs of one attempt chain whose lineage changes, as their next versions.

    `root` is the first attempt (None while it has not been imported); `retries` are the runs
    that name it as their original attempt. Attempts are ordered by attempt number, then creation
    time; each one's previous attempt is the one before it, and only the last one is the latest.
    """
    chain = sorted(
        ([root] if root else []) + list(retries),
        key=lambda r: (r is not root, r.attempt_number, r.created_date_time, r.id),
    )
    changed = []
    for i, run in enumerate(chain):
        want = (
            None if run is root or root is None else root.id,
            None if i == 0 else chain[i - 1].id,
            i == len(chain) - 1,
        )
        have = (run.original_attempt_run_id, run.previous_attempt_run_id, run.is_latest_attempt)
        if want != have:
            changed.append(
                dataclasses.replace(
                    run,
                    original_attempt_run_id=want[0],
                    previous_attempt_run_id=want[1],
                    is_latest_attempt=want[2],
                    version=run.version + 1,
                )
            )
    return changed

"""Lifecycle rules: legal status changes, derived durations, and eTag preconditions."""

from __future__ import annotations

from datetime import datetime

from gateway.domain.exceptions import InvalidTransitionError, PreconditionFailedError
from gateway.domain.models import RunDurations
from gateway.domain.status import RunStatus


def check_transition(current: RunStatus, new: RunStatus) -> None:
    """Refuse a status change that rewrites history: a finished run or activity stays finished."""
    if new is current or current is RunStatus.UNKNOWN or new is RunStatus.UNKNOWN:
        return
    if current.is_terminal:
        raise InvalidTransitionError(
            current,
            new,
            f"A run or activity that is {current.value} has finished; it cannot become "
            f"{new.value}. Retry it instead.",
        )


NOT_STARTED = frozenset({RunStatus.PENDING, RunStatus.QUEUED, RunStatus.UNKNOWN})
NEVER_RAN = frozenset({RunStatus.CANCELLED, RunStatus.SKIPPED})


def stamp_transition(
    status: RunStatus, start: datetime | None, end: datetime | None, *, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """The start and end times of a run or activity that has just changed to `status`.

    A time the client sent (or the record had) is kept; a missing one is `now`: a record that
    leaves PENDING or QUEUED has started, and one that finishes has ended (its start is its end
    when it was never seen running). A record CANCELLED or SKIPPED before it started never ran,
    and gets no times.
    """
    started = status not in NOT_STARTED
    if start is None and started and not (status in NEVER_RAN and end is None):
        start = min(now, end) if end is not None else now
    if end is None and status.is_terminal and start is not None:
        end = max(now, start)
    return start, end


def _ms_between(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds() * 1000))


def derive_durations(
    given: RunDurations,
    *,
    created: datetime,
    start: datetime | None,
    end: datetime | None,
) -> RunDurations:
    """Fill the durations the platform did not report from the run's times.

    Queue time runs from creation to start; total time from start to end (Graph's and
    Databricks' `run_duration`). Reported values always win.
    """
    return RunDurations(
        queue_ms=given.queue_ms if given.queue_ms is not None else _ms_between(created, start),
        setup_ms=given.setup_ms,
        execution_ms=given.execution_ms,
        cleanup_ms=given.cleanup_ms,
        total_ms=given.total_ms if given.total_ms is not None else _ms_between(start, end),
    )


def _normalise_etag(value: str) -> str:
    value = value.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


def check_if_match(kind: str, id: str, current_e_tag: str, if_match: str | None) -> None:
    """Raise `PreconditionFailedError` unless `if_match` is absent, `*` or the current eTag."""
    if if_match is None or if_match.strip() == "*":
        return
    if _normalise_etag(if_match) != _normalise_etag(current_e_tag):
        raise PreconditionFailedError(kind, id, current_e_tag, if_match)

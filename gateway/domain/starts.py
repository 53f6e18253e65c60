"""Starting, retrying and cancelling runs: the rules, with no I/O.

`start_spec` and `retry_spec` say what new run to create (the store builds it with
`specs.build_run`); `check_throttle` refuses a start the process's throttle does not allow;
`cancel` says what a cancel changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import orjson

from gateway.domain.checks import check_text
from gateway.domain.exceptions import (
    ConflictError,
    InvalidTransitionError,
    ProcessNotReadyError,
    ThrottledError,
)
from gateway.domain.lifecycle import derive_durations
from gateway.domain.models import (
    EMPTY_STATISTICS,
    Activity,
    JSONValue,
    Process,
    Run,
    Throttle,
    Trigger,
)
from gateway.domain.rollup import COMPLETED, NOT_STARTED, rolled_up_status
from gateway.domain.specs import ActivitySpec, RunSpec
from gateway.domain.status import ReadinessStatus, RunStatus

MAX_WAIT_SECONDS = 60
IDEMPOTENCY_TTL = timedelta(hours=24)
# Runs that count against a throttle: all but those that ended without success.
NOT_COUNTED = frozenset(
    {RunStatus.FAILED, RunStatus.CANCELLED, RunStatus.TIMED_OUT, RunStatus.SKIPPED}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class StartOptions:
    display_name: str | None = None
    parameters: JSONValue = None
    trigger: Trigger = field(default_factory=Trigger)


def fingerprint(operation: str, payload: Mapping[str, object]) -> str:
    """A stable digest of a request's input, to tell a replay from a reuse of its key."""
    body = orjson.dumps({"op": operation, **payload}, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(body).hexdigest()


def check_idempotency_key(key: str | None) -> str | None:
    return check_text("idempotencyKey", key, 200) if key is not None else None


def check_startable(process: Process) -> None:
    if process.readiness_status is not ReadinessStatus.READY:
        raise ProcessNotReadyError(process.id, process.readiness_status)


def check_throttle(
    process: Process, throttle: Throttle | None, counted_starts: Sequence[datetime], now: datetime
) -> None:
    """Refuse a start when `throttle.max_runs` runs already started in the window before `now`.

    `counted_starts` are the creation times of the process's runs in the window that did not end
    without success (so a failed run does not use up the allowance, as in Graph)."""
    if throttle is None or len(counted_starts) < throttle.max_runs:
        return
    window = timedelta(seconds=throttle.window_seconds)
    oldest = sorted(counted_starts)[len(counted_starts) - throttle.max_runs]
    retry_after = max(1, math.ceil((oldest + window - now).total_seconds()))
    raise ThrottledError(
        f"The process {process.id!r} allows {throttle.max_runs} runs per "
        f"{throttle.window_seconds} s and has reached it; retry in {retry_after} s.",
        retry_after,
    )


def start_spec(process: Process, options: StartOptions) -> RunSpec:
    """A new run of `process`: one pending activity per enabled definition (Graph: "all flows
    that are active at the time of the run start are included")."""
    check_startable(process)
    enabled = [d for d in process.activity_definitions if d.enabled]
    keys = {d.key for d in enabled}
    return RunSpec(
        display_name=options.display_name or process.display_name,
        status=RunStatus.PENDING,
        trigger=options.trigger,
        parameters=options.parameters,
        activities=tuple(
            ActivitySpec(
                key=d.key,
                display_name=d.display_name,
                kind=d.kind,
                activity_type=d.activity_type,
                status=RunStatus.PENDING,
                depends_on=tuple(k for k in d.depends_on if k in keys),
            )
            for d in enabled
        ),
    )


def _dependents(activities: Sequence[Activity], roots: set[str]) -> set[str]:
    """`roots` and every activity that depends on one of them, directly or not."""
    chosen = set(roots)
    grew = True
    while grew:
        grew = False
        for a in activities:
            if a.key not in chosen and chosen.intersection(a.depends_on):
                chosen.add(a.key)
                grew = True
    return chosen


def retry_spec(
    previous: Run, activities: Sequence[Activity], *, from_failure: bool, options: StartOptions
) -> RunSpec:
    """The next attempt of `previous`. From failure, only activities that did not complete and
    those depending on them run again; the others are carried over with their results."""
    if not previous.status.is_terminal:
        raise InvalidTransitionError(
            previous.status,
            RunStatus.PENDING,
            f"The run {previous.id!r} is {previous.status.value}; only a finished run can be "
            "retried. Cancel it first.",
        )
    if not previous.is_latest_attempt:
        raise ConflictError(
            f"The run {previous.id!r} has a later attempt; retry the latest attempt instead."
        )
    rerun = {a.key for a in activities}
    if from_failure:
        rerun = _dependents(activities, {a.key for a in activities if a.status not in COMPLETED})
        if not rerun:
            raise ConflictError(
                f"Every activity of the run {previous.id!r} completed; nothing to retry from "
                "failure. Retry the whole run instead."
            )
    specs = []
    for a in activities:
        again = a.key in rerun
        specs.append(
            ActivitySpec(
                key=a.key,
                display_name=a.display_name,
                kind=a.kind,
                source_id=None if again else a.source_id,
                activity_type=a.activity_type,
                status=RunStatus.PENDING if again else a.status,
                source_status=None if again else a.source_status,
                start_date_time=None if again else a.start_date_time,
                end_date_time=None if again else a.end_date_time,
                attempt_number=a.attempt_number + 1 if again else a.attempt_number,
                depends_on=a.depends_on,
                statistics=EMPTY_STATISTICS if again else a.statistics,
                blocking_error=None if again else a.blocking_error,
                attributes={} if again else a.attributes,
            )
        )
    return RunSpec(
        display_name=options.display_name or previous.display_name,
        status=RunStatus.PENDING,
        trigger=options.trigger,
        parameters=previous.parameters if options.parameters is None else options.parameters,
        attempt_number=previous.attempt_number + 1,
        activities=tuple(specs),
    )


def link_attempt(new: Run, previous: Run) -> Run:
    """`new` as the latest attempt after `previous`."""
    return dataclasses.replace(
        new,
        original_attempt_run_id=previous.original_attempt_run_id or previous.id,
        previous_attempt_run_id=previous.id,
        is_latest_attempt=True,
    )


def cancel(
    run: Run, activities: Sequence[Activity], *, now: datetime
) -> tuple[Run, list[Activity]]:
    """What a cancel changes: activities not yet started are cancelled at once; the run is
    CANCELLING while others still run, and CANCELLED when none does."""
    if not run.status.is_active:
        raise InvalidTransitionError(
            run.status,
            RunStatus.CANCELLED,
            f"The run {run.id!r} is {run.status.value}; only an active run can be cancelled.",
        )
    changed = [
        dataclasses.replace(
            a,
            status=RunStatus.CANCELLED,
            source_status=RunStatus.CANCELLED.value,
            last_modified_date_time=now,
            version=a.version + 1,
        )
        for a in activities
        if a.status in NOT_STARTED or a.status is RunStatus.WAITING
    ]
    by_id = {a.id: a for a in changed}
    after = [by_id.get(a.id, a) for a in activities]
    status = rolled_up_status(RunStatus.CANCELLING, after) if after else RunStatus.CANCELLED
    end = now if status.is_terminal and run.start_date_time is not None else None
    cancelled = dataclasses.replace(
        run,
        status=status,
        source_status=status.value,
        end_date_time=end,
        durations=derive_durations(
            dataclasses.replace(run.durations, total_ms=None),
            created=run.created_date_time,
            start=run.start_date_time,
            end=end,
        ),
        last_modified_date_time=now,
        version=run.version + 1,
    )
    return cancelled, changed

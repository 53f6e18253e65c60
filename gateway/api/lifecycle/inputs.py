"""Inputs of the lifecycle mutations (start, retry, progress), and their conversion to the domain."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.api.common.inputs import (
    UNSET,
    RunErrorInput,
    RunStatisticsInput,
    TriggerInput,
)
from gateway.api.common.scalars import JSON
from gateway.api.runs.inputs import progress_patch
from gateway.domain import models, specs
from gateway.domain.exceptions import ValidationError
from gateway.domain.sources import TriggerType
from gateway.domain.starts import MAX_WAIT_SECONDS, StartOptions
from gateway.domain.status import RunStatus

IDEMPOTENCY_KEY = (
    "Makes the request safe to retry: sent again with the same key and the same input, it "
    "returns the first result with `replayed: true` instead of starting another run; with a "
    "different input it gets IdempotencyKeyReusedError. Keys are kept for 24 hours."
)
WAIT = (
    f"Seconds to wait (0 to {MAX_WAIT_SECONDS}) for the run to finish before answering; the "
    "answer comes as soon as it finishes, or with the run as it is when the time is up."
)


def _wait(value: int) -> int:
    if not 0 <= value <= MAX_WAIT_SECONDS:
        raise ValidationError("wait", f"must be between 0 and {MAX_WAIT_SECONDS} seconds.")
    return value


@strawberry.input(description="A run to start now.")
class StartRunInput:
    process_id: strawberry.ID = strawberry.field(description="The process to run.")
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    display_name: str | None = strawberry.field(
        default=None, description="The run's name; the process's name when left out."
    )
    parameters: JSON | None = strawberry.field(
        default=None, description="Parameters for the run (any JSON value)."
    )
    trigger: TriggerInput | None = strawberry.field(
        default=None, description="Why and by whom; `API` when left out."
    )
    wait: int = strawberry.field(default=0, description=WAIT)

    def to_options(self) -> StartOptions:
        _wait(self.wait)
        return StartOptions(
            display_name=self.display_name,
            parameters=self.parameters,
            trigger=self.trigger.to_domain()
            if self.trigger
            else models.Trigger(type=TriggerType.API),
        )


@strawberry.input(description="How to retry a finished run.")
class RetryRunInput:
    from_failure: bool = strawberry.field(
        default=False,
        description="True to rerun only the activities that did not complete (failed, "
        "cancelled, timed out or skipped) and those depending on them, carrying the results of "
        "the others over; false to rerun everything.",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=IDEMPOTENCY_KEY)
    parameters: JSON | None = strawberry.field(
        default=None, description="New parameters; the retried run's when left out."
    )
    wait: int = strawberry.field(default=0, description=WAIT)

    def to_options(self) -> StartOptions:
        _wait(self.wait)
        return StartOptions(
            parameters=self.parameters, trigger=models.Trigger(type=TriggerType.RETRY)
        )


@strawberry.input(
    description="Progress of an activity, from its executor; fields left out keep their value. "
    "The run's status, times and statistics follow its activities."
)
class UpdateActivityInput:
    status: RunStatus | None = strawberry.field(
        default=UNSET, description="The unified status; a finished activity cannot change it."
    )
    source_status: str | None = strawberry.field(
        default=UNSET, description="The platform's own value; sets `status` by the platform's map."
    )
    start_date_time: datetime | None = strawberry.field(default=UNSET, description="Its start.")
    end_date_time: datetime | None = strawberry.field(default=UNSET, description="Its end.")
    statistics: RunStatisticsInput | None = strawberry.field(
        default=UNSET,
        description="What it processed, warnings and errors included (replaces the statistics).",
    )
    blocking_error: RunErrorInput | None = strawberry.field(
        default=UNSET, description="The error that stopped it (fails its run); null clears it."
    )

    def to_patch(self) -> specs.ActivityPatch:
        return specs.ActivityPatch(**progress_patch(self))

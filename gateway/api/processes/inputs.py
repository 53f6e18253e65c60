"""Inputs of the process mutations, and their conversion to the domain's specs and patches."""

from __future__ import annotations

import strawberry

from gateway.api.common.inputs import UNSET, patch_value
from gateway.domain import checks, models, process_specs
from gateway.domain.process_specs import IfExists
from gateway.domain.sources import ActivityKind, ProcessKind, Source
from gateway.domain.status import ReadinessStatus


@strawberry.input(description="An activity every run of a process performs.")
class ActivityDefinitionInput:
    key: str = strawberry.field(description="Its key, unique in the process.")
    display_name: str = strawberry.field(description="Its name.")
    kind: ActivityKind = strawberry.field(description="What it is; must suit the process's source.")
    activity_type: str | None = strawberry.field(
        default=None, description="The platform's type of activity."
    )
    enabled: bool = strawberry.field(default=True, description="False to have runs skip it.")
    depends_on: list[str] = strawberry.field(
        default_factory=list, description="Keys of activities that run before it."
    )

    def to_domain(self) -> models.ActivityDefinition:
        return models.ActivityDefinition(
            key=self.key,
            display_name=self.display_name,
            kind=self.kind,
            activity_type=self.activity_type,
            enabled=self.enabled,
            depends_on=tuple(self.depends_on),
        )


@strawberry.input(
    description="At most `maxRuns` runs may start in any `windowSeconds`; a start past it gets "
    "ThrottledError with `retryAfter`."
)
class ThrottleInput:
    max_runs: int = strawberry.field(description="How many runs the window allows (1 to 10000).")
    window_seconds: int = strawberry.field(
        description="The window, in seconds (60 to 31 days); 43200 for 12 hours."
    )

    def to_domain(self) -> models.Throttle:
        return models.Throttle(max_runs=self.max_runs, window_seconds=self.window_seconds)


@strawberry.input(description="A new process.")
class CreateProcessInput:
    source: Source = strawberry.field(description="The platform the process lives on.")
    kind: ProcessKind = strawberry.field(description="What it is; must suit the source.")
    display_name: str = strawberry.field(description="Its name.")
    workspace_id: strawberry.ID | None = strawberry.field(
        default=None, description="Its workspace; the default workspace when left out."
    )
    source_id: str | None = strawberry.field(
        default=None, description="The platform's own id; the new process's id when left out."
    )
    description: str | None = strawberry.field(default=None, description="What it does.")
    readiness_status: ReadinessStatus = strawberry.field(
        default=ReadinessStatus.READY, description="Whether it can run."
    )
    schedule: str | None = strawberry.field(
        default=None, description="A cron schedule of five fields (UTC), such as `0 */12 * * *`."
    )
    throttle: ThrottleInput | None = strawberry.field(
        default=None, description="A limit on how many runs start; none when left out."
    )
    activity_definitions: list[ActivityDefinitionInput] = strawberry.field(
        default_factory=list, description="The activities a run of it performs."
    )
    if_exists: IfExists = strawberry.field(
        default=IfExists.ERROR,
        description="What to do when a process with the same workspace, source, kind and "
        "`sourceId` exists already: ERROR (a ConflictError with its id), RETURN_EXISTING, or "
        "UPDATE_EXISTING. With a `sourceId` of its own, a setup script is safe to re-run.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="A key of the caller's choosing: repeating the request with the same key "
        "and input (within 24 hours) returns the first result instead of a second process.",
    )

    def to_spec(self, default_workspace_id: str) -> process_specs.ProcessSpec:
        return process_specs.ProcessSpec(
            workspace_id=str(self.workspace_id or default_workspace_id),
            source=self.source,
            kind=self.kind,
            source_id=self.source_id,
            display_name=self.display_name,
            description=self.description,
            readiness_status=self.readiness_status,
            schedule=self.schedule,
            throttle=self.throttle.to_domain() if self.throttle else None,
            activity_definitions=tuple(d.to_domain() for d in self.activity_definitions),
        )


@strawberry.input(description="Changes to a process; fields left out keep their value.")
class UpdateProcessInput:
    display_name: str | None = strawberry.field(default=UNSET, description="Its name.")
    description: str | None = strawberry.field(default=UNSET, description="What it does.")
    readiness_status: ReadinessStatus | None = strawberry.field(
        default=UNSET, description="Whether it can run."
    )
    schedule: str | None = strawberry.field(
        default=UNSET, description="A cron schedule; null removes it."
    )
    throttle: ThrottleInput | None = strawberry.field(
        default=UNSET, description="A limit on how many runs start; null removes it."
    )
    activity_definitions: list[ActivityDefinitionInput] | None = strawberry.field(
        default=UNSET, description="The activities a run performs; replaces the whole list."
    )

    def to_patch(self) -> process_specs.ProcessPatch:
        definitions = patch_value(self.activity_definitions)
        throttle = patch_value(self.throttle)
        return process_specs.ProcessPatch(
            display_name=patch_value(self.display_name),
            description=patch_value(self.description),
            readiness_status=patch_value(self.readiness_status),
            schedule=patch_value(self.schedule),
            throttle=throttle
            if throttle is checks.UNSET or throttle is None
            else throttle.to_domain(),
            activity_definitions=definitions
            if definitions is checks.UNSET
            else tuple(d.to_domain() for d in definitions or ()),
        )

"""The domain's enums as GraphQL enums, with a description on every value."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TypeVar

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from gateway.domain import aggregates, models, process_specs, run_errors, sources, status

E = TypeVar("E", bound=enum.Enum)


def _describe(
    cls: type[E], description: str, values: Mapping[E, str], name: str | None = None
) -> type[E]:
    """Register a domain enum with GraphQL (the same class), describing each value."""
    wrapped = strawberry.enum(cls, name=name, description=description)
    definition: StrawberryEnumDefinition = wrapped.__strawberry_definition__  # type: ignore[attr-defined]  # strawberry.enum sets it on the class; its stubs do not declare it
    for value in definition.values:
        value.description = values[cls(value.value)]
    return wrapped


RunStatus = _describe(
    status.RunStatus,
    "The unified status of a run or activity; the platform's own value is in `sourceStatus`.",
    status.RUN_STATUS_DESCRIPTIONS,
)
ReadinessStatus = _describe(
    status.ReadinessStatus,
    "Whether a process can run.",
    status.READINESS_STATUS_DESCRIPTIONS,
)
Source = _describe(
    sources.Source,
    "The platform a process, run or activity comes from.",
    sources.SOURCE_DESCRIPTIONS,
)
ProcessKind = _describe(
    sources.ProcessKind,
    "What a process is on its platform.",
    sources.PROCESS_KIND_DESCRIPTIONS,
)
ActivityKind = _describe(
    sources.ActivityKind,
    "What an activity is; each kind has its own GraphQL type.",
    {
        sources.ActivityKind.INBOUND_FLOW: "A Graph inbound flow (`InboundFlowActivity`).",
        sources.ActivityKind.OUTBOUND_FLOW: "A Graph outbound flow (`OutboundFlowActivity`).",
        sources.ActivityKind.DATA_FACTORY_ACTIVITY: "A Data Factory activity run.",
        sources.ActivityKind.DATABRICKS_TASK: "A Databricks task run.",
        sources.ActivityKind.DATAZONE_ASSET: "One asset of a DataZone data source run.",
        sources.ActivityKind.GATEWAY_ACTIVITY: "An activity of a gateway-native run.",
    },
)
TriggerType = _describe(
    sources.TriggerType,
    "Why a run started.",
    sources.TRIGGER_TYPE_DESCRIPTIONS,
)
ErrorCategory = _describe(
    run_errors.ErrorCategory,
    "What kind of failure a run error is, the same across platforms.",
    run_errors.ERROR_CATEGORY_DESCRIPTIONS,
)
RunChangeKind = _describe(
    models.RunChangeKind,
    "What happened to a run.",
    {
        models.RunChangeKind.CREATED: "The run was created.",
        models.RunChangeKind.UPDATED: "The run changed.",
        models.RunChangeKind.DELETED: "The run was deleted; this is its tombstone.",
    },
)
RunGroupKey = _describe(
    aggregates.RunGroupKey,
    "What `runStatistics` can group runs by; its `interval` adds time buckets.",
    aggregates.RUN_GROUP_KEY_DESCRIPTIONS,
)
TimeInterval = _describe(
    aggregates.TimeInterval,
    "The width of the time buckets of `runStatistics`, in UTC.",
    aggregates.TIME_INTERVAL_DESCRIPTIONS,
)
StatisticsSource = _describe(
    aggregates.StatisticsSource,
    "What a `runStatistics` report was computed from.",
    aggregates.STATISTICS_SOURCE_DESCRIPTIONS,
)
IfExists = _describe(
    process_specs.IfExists,
    "What `createProcess` does when a process with the same workspace, source, kind and "
    "`sourceId` exists already.",
    process_specs.IF_EXISTS_DESCRIPTIONS,
)

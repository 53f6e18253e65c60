"""Microsoft Graph industry data runs (seeds 000 and 001): `industryDataRun` objects, from a list
response (`{"value": [...], "@odata.nextLink": ...}`) or a get response (one run).

- The run covers every flow active when it started; Graph names no process for it, so every run of a
  workspace belongs to one process, `industryDataRuns` (or the draft's `process` when expanded).
- `activities` (when expanded) are `industryDataRunActivity` objects: `inboundFlowActivity` or
  `outboundFlowActivity` by `@odata.type`, keyed by the flow they ran (`activity.id`).
- `blockingError` is a `publicError`; `statistics` may be the draft's weakly-typed log or the
  `getStatistics` shape (`inboundTotals`, entity and role counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.domain.imports import ImportedRun, ProcessRef, RecordError
from gateway.domain.models import COUNTER_NAMES, EntityCount, Metric, RoleCount, RunStatistics
from gateway.domain.run_errors import RunError, RunErrorDetail
from gateway.domain.sources import ActivityKind, ProcessKind, Source
from gateway.domain.specs import ActivitySpec, RunSpec
from gateway.platforms.values import Json, iso_time, obj, objects, required_text, text

LIST_KEYS = ("value",)
PROCESS = ProcessRef(
    source=Source.INDUSTRY_DATA,
    kind=ProcessKind.INBOUND_FLOW,
    source_id="industryDataRuns",
    display_name="Industry data runs",
)


def public_error(value: Json | None) -> RunError | None:
    """Graph's `publicError` (code, message, target, details, innerError)."""
    if value is None:
        return None
    inner = obj(value, "innerError")
    return RunError(
        code=text(value, "code") or "unknown",
        message=text(value, "message") or "",
        target=text(value, "target"),
        details=tuple(
            RunErrorDetail(
                code=text(d, "code") or "unknown",
                message=text(d, "message") or "",
                target=text(d, "target"),
            )
            for d in objects(value, "details")
        ),
        inner_error=public_error(inner),
    )


def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise RecordError(f"statistics.{name}: must be a count.")
    return int(value)


def statistics(value: Json | None) -> RunStatistics:
    """Counters by name, `inboundTotals` (errors, warnings, entity and role counts), other numbers
    as named metrics."""
    if value is None:
        return RunStatistics()
    counters: dict[str, int] = {}
    entities: list[EntityCount] = []
    roles: list[RoleCount] = []
    metrics: list[Metric] = []
    totals = obj(value, "inboundTotals") or {}
    for source in (value, totals):
        for name, item in source.items():
            if name.startswith("@") or name == "inboundTotals":
                continue
            if name in COUNTER_NAMES:
                counters[name] = _count(item, name)
            elif isinstance(item, Mapping) and "total" in item:
                entities.append(
                    EntityCount(
                        entity=name,
                        total=_count(item.get("total", 0), f"{name}.total"),
                        active=_count(item.get("active") or 0, f"{name}.active"),
                        inactive=_count(item.get("inactive") or 0, f"{name}.inactive"),
                    )
                )
            elif name in ("matchedPeopleByRole", "unmatchedPeopleByRole"):
                for role in objects(source, name):
                    roles.append(
                        RoleCount(
                            role=text(role, "role") or "unknown",
                            count=_count(role.get("count", 0), f"{name}.count"),
                            matched=name.startswith("matched"),
                        )
                    )
            elif isinstance(item, int | float) and not isinstance(item, bool):
                metrics.append(Metric(name=name, value=float(item)))
    return RunStatistics(
        **counters, entities=tuple(entities), roles=tuple(roles), metrics=tuple(metrics)
    )


def _activity(value: Json) -> ActivitySpec:
    odata_type = text(value, "@odata.type") or ""
    kind = (
        ActivityKind.OUTBOUND_FLOW
        if odata_type.endswith("outboundFlowActivity")
        else ActivityKind.INBOUND_FLOW
    )
    flow = obj(value, "activity") or {}
    own_id = text(value, "id")
    key = text(flow, "id") or own_id or required_text(value, "displayName")
    name = text(value, "displayName") or text(flow, "displayName") or key
    return ActivitySpec(
        key=key,
        display_name=name,
        kind=kind,
        source_id=own_id,
        source_status=required_text(value, "status"),
        blocking_error=public_error(obj(value, "blockingError")),
        statistics=statistics(obj(value, "statistics")),
    )


def parse(value: Json) -> ImportedRun:
    process = obj(value, "process")
    ref = PROCESS
    if process is not None:
        kind = (
            ProcessKind.OUTBOUND_FLOW
            if (text(process, "@odata.type") or "").endswith("outgoingFlow")
            else ProcessKind.INBOUND_FLOW
        )
        ref = ProcessRef(
            source=Source.INDUSTRY_DATA,
            kind=kind,
            source_id=required_text(process, "id"),
            display_name=text(process, "displayName") or required_text(process, "id"),
        )
    start = iso_time(value, "startDateTime")
    return ImportedRun(
        process=ref,
        spec=RunSpec(
            source_id=required_text(value, "id"),
            display_name=text(value, "displayName"),
            source_status=required_text(value, "status"),
            created_date_time=start,
            start_date_time=start,
            end_date_time=iso_time(value, "endDateTime"),
            statistics=statistics(obj(value, "statistics")),
            blocking_error=public_error(obj(value, "blockingError")),
            activities=tuple(_activity(a) for a in objects(value, "activities")),
        ),
    )

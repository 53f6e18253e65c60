"""Typed `where` inputs: the same filters as OData `$filter`, as GraphQL input types for codegen
users. They compile through the query language's AST, so both forms mean exactly the same."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Generic, TypeVar

import strawberry

from gateway.api.common.scalars import SafeInt
from gateway.domain.run_errors import ErrorCategory
from gateway.domain.sources import ActivityKind, ProcessKind, Source, TriggerType
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.odata import ast

E = TypeVar("E")


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.input(description="Conditions on a string field; all given ones must hold.")
class StringFilter:
    eq: str | None = strawberry.field(default=None, description="Equal to (case-sensitive).")
    ne: str | None = strawberry.field(default=None, description="Not equal to.")
    in_: list[str] | None = strawberry.field(default=None, name="in", description="One of.")
    contains: str | None = strawberry.field(default=None, description="Contains.")
    starts_with: str | None = strawberry.field(default=None, description="Starts with.")
    ends_with: str | None = strawberry.field(default=None, description="Ends with.")
    is_null: bool | None = strawberry.field(default=None, description="Is (not) null.")

    def exprs(self, path: str) -> list[ast.Expr]:
        out: list[ast.Expr] = _common(path, self.eq, self.ne, self.in_, self.is_null)
        for name, value in (
            ("contains", self.contains),
            ("startswith", self.starts_with),
            ("endswith", self.ends_with),
        ):
            if value is not None:
                out.append(ast.Call(name, (ast.member(path), ast.lit(value))))
        return out


@strawberry.input(
    description="Conditions on a whole-number field (`SafeInt` values, past the 32-bit `Int`: "
    "durations and 64-bit platform ids); all given ones must hold."
)
class IntFilter:
    eq: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="Equal to."
    )
    ne: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="Not equal to."
    )
    gt: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="Greater than."
    )
    ge: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="Greater than or equal to."
    )
    lt: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="Less than."
    )
    le: int | None = strawberry.field(
        graphql_type=SafeInt | None, default=None, description="Less than or equal to."
    )
    in_: list[int] | None = strawberry.field(
        graphql_type=list[SafeInt] | None, default=None, name="in", description="One of."
    )
    is_null: bool | None = strawberry.field(default=None, description="Is (not) null.")

    def exprs(self, path: str) -> list[ast.Expr]:
        return _common(path, self.eq, self.ne, self.in_, self.is_null) + _ranges(
            path, self.gt, self.ge, self.lt, self.le
        )


@strawberry.input(description="Conditions on a date-time field; all given ones must hold.")
class DateTimeFilter:
    eq: datetime | None = strawberry.field(default=None, description="At.")
    ne: datetime | None = strawberry.field(default=None, description="Not at.")
    gt: datetime | None = strawberry.field(default=None, description="After.")
    ge: datetime | None = strawberry.field(default=None, description="At or after.")
    lt: datetime | None = strawberry.field(default=None, description="Before.")
    le: datetime | None = strawberry.field(default=None, description="At or before.")
    is_null: bool | None = strawberry.field(default=None, description="Is (not) null.")

    def exprs(self, path: str) -> list[ast.Expr]:
        return _common(path, self.eq, self.ne, None, self.is_null) + _ranges(
            path, self.gt, self.ge, self.lt, self.le
        )


@strawberry.input(description="Conditions on an id.")
class IDFilter:
    eq: strawberry.ID | None = strawberry.field(default=None, description="Equal to.")
    in_: list[strawberry.ID] | None = strawberry.field(
        default=None, name="in", description="One of."
    )

    def exprs(self, path: str) -> list[ast.Expr]:
        return _common(
            path,
            None if self.eq is None else str(self.eq),
            None,
            None if self.in_ is None else [str(v) for v in self.in_],
            None,
        )


@strawberry.input(description="Conditions on an enum field; all given ones must hold.")
class EnumFilter(Generic[E]):
    eq: E | None = strawberry.field(default=None, description="Equal to.")
    ne: E | None = strawberry.field(default=None, description="Not equal to.")
    in_: list[E] | None = strawberry.field(default=None, name="in", description="One of.")
    not_in: list[E] | None = strawberry.field(default=None, description="None of.")
    is_null: bool | None = strawberry.field(default=None, description="Is (not) null.")

    def exprs(self, path: str) -> list[ast.Expr]:
        out = _common(path, self.eq, self.ne, self.in_, self.is_null)
        if self.not_in is not None:
            out.append(ast.not_(ast.in_(path, list(self.not_in))))
        return out


def _common(
    path: str, eq: object, ne: object, in_: Sequence[object] | None, is_null: bool | None
) -> list[ast.Expr]:
    out: list[ast.Expr] = []
    if eq is not None:
        out.append(ast.eq(path, eq))
    if ne is not None:
        out.append(ast.cmp("ne", path, ne))
    if in_ is not None:
        out.append(ast.in_(path, list(in_)) if in_ else ast.lit(False))
    if is_null is not None:
        out.append(ast.cmp("eq" if is_null else "ne", path, None))
    return out


def _ranges(path: str, gt: object, ge: object, lt: object, le: object) -> list[ast.Expr]:
    return [
        ast.cmp(op, path, value)
        for op, value in (("gt", gt), ("ge", ge), ("lt", lt), ("le", le))
        if value is not None
    ]


FILTERS = (StringFilter, IntFilter, DateTimeFilter, IDFilter, EnumFilter)


@strawberry.input(description="Conditions on durations, in milliseconds.")
class DurationsWhere:
    queue_ms: IntFilter | None = strawberry.field(default=None, description="Queue time.")
    setup_ms: IntFilter | None = strawberry.field(default=None, description="Setup time.")
    execution_ms: IntFilter | None = strawberry.field(default=None, description="Execution.")
    cleanup_ms: IntFilter | None = strawberry.field(default=None, description="Cleanup time.")
    total_ms: IntFilter | None = strawberry.field(default=None, description="Total time.")


@strawberry.input(description="Conditions on statistics counters.")
class StatisticsWhere:
    processed: IntFilter | None = strawberry.field(default=None, description="Records read.")
    added: IntFilter | None = strawberry.field(default=None, description="Added.")
    updated: IntFilter | None = strawberry.field(default=None, description="Updated.")
    unchanged: IntFilter | None = strawberry.field(default=None, description="Unchanged.")
    skipped: IntFilter | None = strawberry.field(default=None, description="Skipped.")
    failed: IntFilter | None = strawberry.field(default=None, description="Failed.")
    errors: IntFilter | None = strawberry.field(default=None, description="Errors.")
    warnings: IntFilter | None = strawberry.field(default=None, description="Warnings.")


@strawberry.input(description="Conditions on the blocking error.")
class RunErrorWhere:
    code: StringFilter | None = strawberry.field(default=None, description="Its code.")
    message: StringFilter | None = strawberry.field(default=None, description="Its message.")
    category: EnumFilter[ErrorCategory] | None = strawberry.field(
        default=None, description="Its category."
    )
    retryable: bool | None = strawberry.field(default=None, description="Retryable or not.")


@strawberry.input(description="Conditions on the trigger.")
class TriggerWhere:
    type: EnumFilter[TriggerType] | None = strawberry.field(default=None, description="Why.")
    invoked_by: StringFilter | None = strawberry.field(default=None, description="Who.")


@strawberry.input(description="Conditions on a run's process.")
class ProcessRefWhere:
    id: IDFilter | None = strawberry.field(default=None, description="Its id.")
    display_name: StringFilter | None = strawberry.field(default=None, description="Its name.")
    source_id: StringFilter | None = strawberry.field(default=None, description="Platform id.")
    kind: EnumFilter[ProcessKind] | None = strawberry.field(default=None, description="Kind.")


@strawberry.input(description="Conditions on a workspace.")
class WorkspaceRefWhere:
    id: IDFilter | None = strawberry.field(default=None, description="Its id.")


@strawberry.input(description="Which activities to match; the same fields as `filter` takes.")
class ActivityWhere:
    and_: list[ActivityWhere] | None = strawberry.field(
        default=None, name="and", description="All of these."
    )
    or_: list[ActivityWhere] | None = strawberry.field(
        default=None, name="or", description="Any of these."
    )
    not_: ActivityWhere | None = strawberry.field(default=None, name="not", description="Not this.")
    id: IDFilter | None = strawberry.field(default=None, description="Its id.")
    kind: EnumFilter[ActivityKind] | None = strawberry.field(default=None, description="Kind.")
    key: StringFilter | None = strawberry.field(default=None, description="Its key.")
    source_id: StringFilter | None = strawberry.field(default=None, description="Platform id.")
    display_name: StringFilter | None = strawberry.field(default=None, description="Its name.")
    activity_type: StringFilter | None = strawberry.field(default=None, description="Type.")
    status: EnumFilter[RunStatus] | None = strawberry.field(default=None, description="Status.")
    source_status: StringFilter | None = strawberry.field(default=None, description="Raw status.")
    start_date_time: DateTimeFilter | None = strawberry.field(default=None, description="Start.")
    end_date_time: DateTimeFilter | None = strawberry.field(default=None, description="End.")
    duration_ms: IntFilter | None = strawberry.field(default=None, description="Duration.")
    attempt_number: IntFilter | None = strawberry.field(default=None, description="Attempt.")
    statistics: StatisticsWhere | None = strawberry.field(default=None, description="Counters.")
    blocking_error: RunErrorWhere | None = strawberry.field(default=None, description="Error.")


@strawberry.input(description="A condition on a run's activities.")
class ActivitiesRelationWhere:
    any: ActivityWhere | None = strawberry.field(
        default=None, description="At least one activity matches."
    )
    all: ActivityWhere | None = strawberry.field(
        default=None, description="Every activity matches (true when there are none)."
    )


@strawberry.input(description="Which runs to match; the same fields as `filter` takes.")
class RunWhere:
    and_: list[RunWhere] | None = strawberry.field(
        default=None, name="and", description="All of these."
    )
    or_: list[RunWhere] | None = strawberry.field(
        default=None, name="or", description="Any of these."
    )
    not_: RunWhere | None = strawberry.field(default=None, name="not", description="Not this.")
    id: IDFilter | None = strawberry.field(default=None, description="Its id.")
    source: EnumFilter[Source] | None = strawberry.field(default=None, description="Platform.")
    source_id: StringFilter | None = strawberry.field(default=None, description="Platform id.")
    display_name: StringFilter | None = strawberry.field(default=None, description="Its name.")
    status: EnumFilter[RunStatus] | None = strawberry.field(default=None, description="Status.")
    source_status: StringFilter | None = strawberry.field(default=None, description="Raw status.")
    is_active: bool | None = strawberry.field(default=None, description="Not finished.")
    is_terminal: bool | None = strawberry.field(default=None, description="Finished.")
    created_date_time: DateTimeFilter | None = strawberry.field(
        default=None, description="Created."
    )
    start_date_time: DateTimeFilter | None = strawberry.field(default=None, description="Start.")
    end_date_time: DateTimeFilter | None = strawberry.field(default=None, description="End.")
    durations: DurationsWhere | None = strawberry.field(default=None, description="Durations.")
    trigger: TriggerWhere | None = strawberry.field(default=None, description="Trigger.")
    attempt_number: IntFilter | None = strawberry.field(default=None, description="Attempt.")
    is_latest_attempt: bool | None = strawberry.field(default=None, description="Latest attempt.")
    statistics: StatisticsWhere | None = strawberry.field(default=None, description="Counters.")
    blocking_error: RunErrorWhere | None = strawberry.field(default=None, description="Error.")
    process: ProcessRefWhere | None = strawberry.field(default=None, description="Its process.")
    workspace: WorkspaceRefWhere | None = strawberry.field(default=None, description="Workspace.")
    activities: ActivitiesRelationWhere | None = strawberry.field(
        default=None, description="Its activities."
    )
    job_id: IntFilter | None = strawberry.field(default=None, description="Databricks job.")
    run_type: StringFilter | None = strawberry.field(default=None, description="Run type.")
    table_name: StringFilter | None = strawberry.field(default=None, description="ADF table.")
    data_source_id: StringFilter | None = strawberry.field(
        default=None, description="DataZone data source."
    )
    project_id: StringFilter | None = strawberry.field(
        default=None, description="DataZone project."
    )


@strawberry.input(description="A condition on a process's runs.")
class RunsRelationWhere:
    any: RunWhere | None = strawberry.field(default=None, description="At least one run matches.")
    all: RunWhere | None = strawberry.field(
        default=None, description="Every run matches (true when there are none)."
    )


@strawberry.input(description="Which processes to match; the same fields as `filter` takes.")
class ProcessWhere:
    and_: list[ProcessWhere] | None = strawberry.field(
        default=None, name="and", description="All of these."
    )
    or_: list[ProcessWhere] | None = strawberry.field(
        default=None, name="or", description="Any of these."
    )
    not_: ProcessWhere | None = strawberry.field(default=None, name="not", description="Not this.")
    id: IDFilter | None = strawberry.field(default=None, description="Its id.")
    source: EnumFilter[Source] | None = strawberry.field(default=None, description="Platform.")
    kind: EnumFilter[ProcessKind] | None = strawberry.field(default=None, description="Kind.")
    source_id: StringFilter | None = strawberry.field(default=None, description="Platform id.")
    display_name: StringFilter | None = strawberry.field(default=None, description="Its name.")
    readiness_status: EnumFilter[ReadinessStatus] | None = strawberry.field(
        default=None, description="Readiness."
    )
    schedule: StringFilter | None = strawberry.field(default=None, description="Its schedule.")
    created_date_time: DateTimeFilter | None = strawberry.field(
        default=None, description="Created."
    )
    workspace: WorkspaceRefWhere | None = strawberry.field(default=None, description="Workspace.")
    runs: RunsRelationWhere | None = strawberry.field(default=None, description="Its runs.")


_RELATIONS = (ActivitiesRelationWhere, RunsRelationWhere)


def to_expr(where: object | None, prefix: str = "", depth: int = 0) -> ast.Expr | None:
    """The AST of a `where` input (None when there is none, or it asks for nothing)."""
    if where is None:
        return None
    if not dataclasses.is_dataclass(where):
        raise TypeError(f"not a where input: {where!r}")
    parts: list[ast.Expr] = []
    for f in dataclasses.fields(where):
        value = getattr(where, f.name)
        if value is None or value is strawberry.UNSET:
            continue
        path = prefix + _camel(f.name)
        if f.name in ("and_", "or_"):
            items = [e for e in (to_expr(v, prefix, depth) for v in value) if e is not None]
            if items:
                parts.append(ast.and_(*items) if f.name == "and_" else ast.or_(*items))
            elif f.name == "or_":
                parts.append(ast.lit(False))  # an empty `or` matches nothing
        elif f.name == "not_":
            inner = to_expr(value, prefix, depth)
            if inner is not None:
                parts.append(ast.not_(inner))
        elif isinstance(value, FILTERS):
            parts.extend(value.exprs(path))
        elif isinstance(value, bool):
            parts.append(ast.eq(path, value))
        elif isinstance(value, _RELATIONS):
            var = f"w{depth}"
            for kind in ("any", "all"):
                inner_where = getattr(value, kind)
                if inner_where is None:
                    continue
                predicate = to_expr(inner_where, f"{var}/", depth + 1)
                parts.append(
                    ast.Lambda(tuple(path.split("/")), kind, var if predicate else None, predicate)
                )
        else:
            inner = to_expr(value, path + "/", depth)
            if inner is not None:
                parts.append(inner)
    if not parts:
        return None
    return ast.and_(*parts)

"""`$apply` on `Runs` (OData Extension for Data Aggregation 4.0), mapped onto the run statistics
the GraphQL `runStatistics` query reads (`gateway.store.statistics.report`).

Supported, as a sequence of transformations separated by `/`:

* `filter(<boolCommonExpr>)`: AND-ed with `$filter` (the same compiler);
* `groupby((<path>, ...))` and `groupby((<path>, ...), aggregate(...))` over `GROUPABLE` paths;
* `aggregate(<item>, ...)` with items `$count as <alias>` or `<path> with <method> as <alias>`,
  paths and methods from `AGGREGATABLE`: `sum`, `min`, `max`, `average`, and the custom
  `RunsGateway.p50`/`p90`/`p95`/`p99` (exact nearest-rank percentiles).

Groups come as entities whose grouping paths are nested objects (`process/id` -> `{"process":
{"id": ...}}`), ordered by their keys; `$top` and `$skip` cut them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.domain.aggregates import DurationSummary, GroupKeyValues, RunAggregate, RunGroupKey
from gateway.odata import ODataError, compile_filter
from gateway.odata_http.entity_sets import CAST_CONDITIONS, with_condition
from gateway.odata_http.errors import bad_option, from_query_error
from gateway.odata_http.model import NAMESPACE
from gateway.odata_http.options import Options, split
from gateway.odata_http.queries import Call, list_query
from gateway.odata_http.resources import Resource
from gateway.store import runs, statistics
from gateway.store.catalogs import RUNS

GROUPABLE: dict[str, tuple[RunGroupKey, Callable[[GroupKeyValues], Any]]] = {
    "source": (RunGroupKey.SOURCE, lambda k: k.source),
    "status": (RunGroupKey.STATUS, lambda k: k.status),
    "process/id": (RunGroupKey.PROCESS, lambda k: k.process_id),
    "workspace/id": (RunGroupKey.WORKSPACE, lambda k: k.workspace_id),
    "trigger/type": (RunGroupKey.TRIGGER_TYPE, lambda k: k.trigger_type),
    "blockingError/category": (RunGroupKey.ERROR_CATEGORY, lambda k: k.error_category),
}

_DURATION_METHODS: dict[str, Callable[[DurationSummary], Any]] = {
    "sum": lambda d: d.sum if d.count else None,
    "min": lambda d: d.min,
    "max": lambda d: d.max,
    "average": lambda d: d.mean,
    f"{NAMESPACE}.p50": lambda d: d.p50,
    f"{NAMESPACE}.p90": lambda d: d.p90,
    f"{NAMESPACE}.p95": lambda d: d.p95,
    f"{NAMESPACE}.p99": lambda d: d.p99,
}
_COUNTERS = (
    "processed",
    "added",
    "updated",
    "unchanged",
    "skipped",
    "failed",
    "errors",
    "warnings",
)


def _counter(name: str) -> dict[str, Callable[[RunAggregate], Any]]:
    return {
        "sum": lambda a: dict(a.sums)[name],
        "average": lambda a: dict(a.sums)[name] / a.count if a.count else None,
    }


def _duration(
    pick: Callable[[RunAggregate], DurationSummary],
) -> dict[str, Callable[[RunAggregate], Any]]:
    return {m: (lambda a, f=f: f(pick(a))) for m, f in _DURATION_METHODS.items()}  # type: ignore[misc]  # the default binds each method to its lambda; mypy cannot type a default of a lambda


AGGREGATABLE: dict[str, dict[str, Callable[[RunAggregate], Any]]] = {
    "durations/totalMs": _duration(lambda a: a.duration),
    "durations/queueMs": _duration(lambda a: a.queue),
    **{f"statistics/{c}": _counter(c) for c in _COUNTERS},
}

_ALIAS = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_ITEM = re.compile(r"^\s*(\S+)\s+with\s+(\S+)\s+as\s+(\S+)\s*$", re.IGNORECASE)
_COUNT = re.compile(r"^\s*\$count\s+as\s+(\S+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Aggregate:
    alias: str
    read: Callable[[RunAggregate], Any]


@dataclass(frozen=True)
class Plan:
    filters: tuple[str, ...]
    group_by: tuple[str, ...]
    aggregates: tuple[Aggregate, ...]


def _call(step: str) -> tuple[str, str]:
    name, paren, rest = step.strip().partition("(")
    if not paren or not rest.endswith(")"):
        raise bad_option("$apply", f"{step.strip()!r} is not a transformation: name(...).")
    return name.strip().lower(), rest[:-1]


def _alias(alias: str, taken: set[str]) -> str:
    if not _ALIAS.match(alias) or alias in taken:
        raise bad_option("$apply", f"{alias!r} is not a new alias (a simple identifier).")
    taken.add(alias)
    return alias


def _aggregates(text: str, taken: set[str]) -> list[Aggregate]:
    found = []
    for item in split(text, ","):
        if match := _COUNT.match(item):
            found.append(Aggregate(_alias(match.group(1), taken), lambda a: a.count))
            continue
        match = _ITEM.match(item)
        if match is None:
            raise bad_option(
                "$apply",
                f"{item.strip()!r} is not `<path> with <method> as <alias>` or "
                "`$count as <alias>`.",
            )
        path, method, alias = match.groups()
        methods = AGGREGATABLE.get(path)
        if methods is None:
            known = ", ".join(AGGREGATABLE)
            raise bad_option("$apply", f"{path!r} cannot be aggregated; these can: {known}.")
        read = methods.get(method) or methods.get(method.lower())
        if read is None:
            raise bad_option(
                "$apply", f"{path} takes the methods {', '.join(methods)}; not {method!r}."
            )
        found.append(Aggregate(_alias(alias, taken), read))
    return found


def parse(text: str) -> Plan:
    filters: list[str] = []
    group_by: list[str] = []
    aggregates: list[Aggregate] = []
    taken: set[str] = set()
    steps = split(text, "/")
    for i, step in enumerate(steps):
        name, inner = _call(step)
        last = i == len(steps) - 1
        if name == "filter" and not group_by and not aggregates:
            filters.append(inner)
        elif name == "groupby" and last:
            parts = split(inner, ",")
            paths = parts[0].strip()
            if not (paths.startswith("(") and paths.endswith(")")):
                raise bad_option("$apply", "groupby takes a parenthesised list of paths.")
            for path in (p.strip() for p in split(paths[1:-1], ",")):
                if path not in GROUPABLE:
                    known = ", ".join(GROUPABLE)
                    raise bad_option("$apply", f"Runs cannot be grouped by {path!r}; by {known}.")
                if path in group_by:
                    raise bad_option("$apply", f"groupby names {path} twice.")
                group_by.append(path)
                taken.add(path.split("/")[0])
            for extra in parts[1:]:
                sub, sub_inner = _call(extra)
                if sub != "aggregate":
                    raise bad_option("$apply", f"groupby takes aggregate(...), not {sub}(...).")
                aggregates += _aggregates(sub_inner, taken)
        elif name == "aggregate" and last:
            aggregates += _aggregates(inner, taken)
        else:
            raise bad_option(
                "$apply",
                "Supported: filter(...) steps, then one groupby((...)[, aggregate(...)]) or "
                "aggregate(...).",
                "NOT_IMPLEMENTED",
            )
    if not group_by and not aggregates:
        raise bad_option("$apply", "$apply needs a groupby or an aggregate.")
    return Plan(tuple(filters), tuple(group_by), tuple(aggregates))


def _put(row: dict[str, Any], path: str, value: Any) -> None:
    head, _, tail = path.partition("/")
    if not tail:
        row[head] = value
        return
    row.setdefault(head, {})[tail] = value


def rows(plan: Plan, groups: list[tuple[GroupKeyValues, RunAggregate]]) -> list[dict[str, Any]]:
    """One result row per group (one for the totals when nothing is grouped)."""
    out = []
    for key, aggregate in groups:
        row: dict[str, Any] = {}
        for path in plan.group_by:
            _put(row, path, GROUPABLE[path][1](key))
        for item in plan.aggregates:
            row[item.alias] = item.read(aggregate)
        out.append(row)
    return out


def group_keys(plan: Plan) -> list[RunGroupKey]:
    return [GROUPABLE[path][0] for path in plan.group_by]


async def run(call: Call, resource: Resource, options: Options) -> dict[str, Any]:
    """The body of `Runs?$apply=...` (`$filter`, `$search` and a type cast narrow the runs)."""
    if resource.set is None or resource.set.name != "Runs" or resource.key is not None:
        raise bad_option("$apply", "$apply is served on Runs.", "NOT_IMPLEMENTED")
    plan = parse(options.apply or "")
    query = list_query(RUNS, runs.NEWEST_FIRST, options, call.principal)
    conditions = []
    for text in plan.filters:
        try:
            conditions.append(compile_filter(text, RUNS))
        except ODataError as exc:
            raise from_query_error(exc.with_text(text), "$apply") from None
    if resource.cast:
        conditions.append(CAST_CONDITIONS[resource.cast])
    for condition in conditions:
        query = with_condition(query, condition)
    async with call.db.read() as conn:
        report = await statistics.report(conn, query, group_keys(plan), None, with_recoveries=False)
    groups = (
        [(g.key, g.aggregate) for g in report.groups]
        if plan.group_by
        else [(GroupKeyValues(), report.totals)]
    )
    found = rows(plan, groups)
    start = options.skip or 0
    end = None if options.top is None else start + options.top
    names = [*(p.split("/")[0] for p in plan.group_by), *(a.alias for a in plan.aggregates)]
    context = f"{call.base}$metadata#Runs({','.join(dict.fromkeys(names))})"
    return {"@odata.context": context, "value": found[start:end]}

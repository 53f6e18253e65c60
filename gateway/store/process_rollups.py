"""`Process.runAggregate` of a page's processes from the summaries: `run_process_statuses`
(migration 0016, per process and status) when the filter tests only the workspace, the process
and the status, else `run_rollups` (0012) when it tests only that table's columns; None when
neither answers exactly (the caller reads the runs). Counts, rates, sums and means are exact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gateway.domain.aggregates import DurationSummary, ReportFields, RunAggregate, RunGroupKey
from gateway.domain.models import COUNTER_NAMES
from gateway.domain.status import RunStatus
from gateway.odata import Dialect
from gateway.store.paging import ListQuery
from gateway.store.protocol import Connection
from gateway.store.rollups import SUMS, filter_columns, summary_table, where_of

PROCESS_STATUS_COLUMNS = frozenset({"workspace_id", "process_id", "status"})
_STATUS = {s.value: s for s in RunStatus}
_STATUS_ORDER = {s.value: i for i, s in enumerate(RunStatus)}
_NO_RUNS = RunAggregate()


async def by_process(
    conn: Connection, process_ids: Sequence[str], query: ListQuery, wanted: ReportFields
) -> dict[str, RunAggregate] | None:
    """The aggregate over each process's runs that `query` selects, from the summaries in one
    statement, or None when they cannot answer it exactly: a filter on other columns,
    distributions (the histograms are per workspace, not per process), first and last starts,
    recoveries. A filter on the workspace, process and status only reads
    `run_process_statuses` (0016: a seek per process, one row per process with its statuses'
    counts concatenated); one on the source, trigger type or error category `run_rollups`
    (one row per process and status). Its cost grows with the key combinations of the page's
    processes, not with their runs."""
    if not process_ids:
        return {}
    query = query.in_dialect(conn.dialect)
    if summary_table(query, (RunGroupKey.PROCESS,), None, wanted) != "run_rollups":
        return None
    if wanted.duration_distribution or wanted.queue_distribution:
        return None
    # Only what the selection reads: each sum costs a pass over the summary rows.
    names = (*(SUMS[:4] if wanted.durations else ()), *(SUMS[4:] if wanted.sums else ()))
    marks = ", ".join("?" * len(process_ids))
    where, params = where_of(query, "r.runs > 0", f"r.process_id IN ({marks})")
    sums = [f"CAST(sum(r.{name}) AS BIGINT)" for name in names]
    if (filter_columns(query) or frozenset()) <= PROCESS_STATUS_COLUMNS:
        concat = (
            "string_agg(r.status || ' ' || r.runs, ',')"
            if query.dialect is Dialect.POSTGRESQL
            else "group_concat(r.status || ' ' || r.runs)"
        )
        columns = ["r.process_id", concat if wanted.statuses else "NULL"]
        sql = (
            f"SELECT {', '.join([*columns, 'CAST(sum(r.runs) AS BIGINT)', *sums])} "
            f"FROM run_process_statuses r{where} GROUP BY r.process_id"
        )
        found = dict.fromkeys(process_ids, _NO_RUNS)
        for row in await conn.fetch_tuples(sql, [*process_ids, *params]):
            found[row[0]] = _made(names, row)
        return found
    columns = ["r.process_id", "r.status" if wanted.statuses else "NULL"]
    by = "r.process_id, r.status" if wanted.statuses else "r.process_id"
    sql = (
        f"SELECT {', '.join([*columns, 'CAST(sum(r.runs) AS BIGINT)', *sums])} "
        f"FROM run_rollups r{where} GROUP BY {by}"
    )
    rows = await conn.fetch_tuples(sql, [*process_ids, *params])
    return _aggregates(
        process_ids, names, [(p, {s: n} if s else None, n, v) for p, s, n, *v in rows]
    )


KEPT = 4096
"""Aggregates kept per process by their summary row (of which each is a function), at most."""
_made_of: dict[tuple[Any, ...], RunAggregate] = {}


def _made(names: Sequence[str], row: tuple[Any, ...]) -> RunAggregate:
    """A process's aggregate from its `run_process_statuses` row (process, its statuses'
    counts concatenated or None, runs, the sums of `names`): the aggregate made for an equal
    row before, when kept (the summaries change only with a write), else made now."""
    key = (names, *row)
    try:
        return _made_of[key]
    except KeyError:
        pass
    _, concatenated, n, *values = row
    counted = _counted(concatenated) or {}
    by_name = dict(zip(names, values, strict=True))
    made = RunAggregate(
        count=n,
        by_status=tuple(
            (_STATUS[v], counted[v]) for v in sorted(counted, key=_STATUS_ORDER.__getitem__)
        ),
        duration=DurationSummary(count=by_name.get("total_n", 0), sum=by_name.get("total_sum", 0)),
        queue=DurationSummary(count=by_name.get("queue_n", 0), sum=by_name.get("queue_sum", 0)),
        sums=tuple((c, by_name.get(f"stat_{c}", 0)) for c in COUNTER_NAMES),
    )
    if len(_made_of) >= KEPT:
        _made_of.clear()
    _made_of[key] = made
    return made


def _counted(concatenated: str | None) -> dict[str, int] | None:
    """`status runs,status runs` (0016's rows of one process) as runs by status."""
    if concatenated is None:
        return None
    counted: dict[str, int] = {}
    for part in concatenated.split(","):
        status, _, n = part.partition(" ")
        counted[status] = counted.get(status, 0) + int(n)
    return counted


def _aggregates(
    process_ids: Sequence[str],
    names: Sequence[str],
    rows: Sequence[tuple[str, dict[str, int] | None, int, Sequence[int]]],
) -> dict[str, RunAggregate]:
    """Each process's aggregate from its summary rows: (process, runs by status or None,
    runs, the sums of `names`), one or more a process."""
    runs: dict[str, int] = {}
    statuses: dict[str, dict[str, int]] = {}
    sums: dict[str, list[int]] = {}
    for process_id, counted, n, values in rows:
        if process_id not in runs:
            runs[process_id], statuses[process_id], sums[process_id] = 0, {}, [0] * len(names)
        runs[process_id] += n
        if counted:
            mine = statuses[process_id]
            for status, m in counted.items():
                mine[status] = mine.get(status, 0) + m
        if values:
            sums[process_id] = [a + b for a, b in zip(sums[process_id], values, strict=True)]
    found = dict.fromkeys(process_ids, _NO_RUNS)
    zero = tuple((c, 0) for c in COUNTER_NAMES)
    for process_id, n in runs.items():
        if not n:
            continue
        by_name = dict(zip(names, sums[process_id], strict=True)) if names else {}
        counted = statuses[process_id]
        found[process_id] = RunAggregate(
            count=n,
            by_status=tuple(
                (_STATUS[v], counted[v])
                for v in sorted(counted, key=_STATUS_ORDER.__getitem__)
                if counted[v]
            ),
            duration=DurationSummary(
                count=by_name.get("total_n", 0), sum=by_name.get("total_sum", 0)
            ),
            queue=DurationSummary(count=by_name.get("queue_n", 0), sum=by_name.get("queue_sum", 0)),
            sums=tuple((c, by_name.get(f"stat_{c}", 0)) for c in COUNTER_NAMES)
            if by_name
            else zero,
        )
    return found

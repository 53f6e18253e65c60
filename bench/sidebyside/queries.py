"""The three queries, each written in the gateway's schema and in PostGraphile's for the same
result, and what of a response is compared across servers (the rows, in order)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.runner.queries import COUNT_FAILED, FLAT, NESTED, QUERIES, Query

# PostGraphile names the `id` column `rowId` (`id` is its global node id) and exposes the times
# as BigInt microseconds; the gateway formats them as ISO dates. The same columns otherwise.
_PG_RUN = "rowId __typename status sourceStatus displayName createdAt startedAt endedAt totalMs"
_PG_ACTIVITY = "rowId __typename key status sourceStatus startedAt endedAt"
# The gateway's default order: newest first, the id breaking ties; activities by sequence.
_PG_RUNS = "allRuns(first: 100, orderBy: [CREATED_AT_DESC, ROW_ID_DESC])"
PG_FLAT = f"{{ {_PG_RUNS} {{ nodes {{ {_PG_RUN} }} }} }}"
PG_NESTED = (
    f"{{ {_PG_RUNS} {{ nodes {{ {_PG_RUN} "
    f"activitiesByRunId(orderBy: [SEQUENCE_ASC, ROW_ID_ASC]) {{ nodes {{ {_PG_ACTIVITY} }} }} "
    "} } }"
)
PG_COUNT_FAILED = '{ allRuns(condition: { status: "FAILED" }) { totalCount } }'


@dataclass(frozen=True)
class Pair:
    name: str
    label: str
    gateway: Query  # the gateway's document and its floor (bench/runner/queries.py)
    postgraphile: str


def _gateway(name: str) -> Query:
    return next(q for q in QUERIES if q.name == name)


PAIRS = [
    Pair("nested-100", "100 runs + their activities", _gateway("nested-100"), PG_NESTED),
    Pair("flat-100", "100 runs", _gateway("flat-100"), PG_FLAT),
    Pair("count-failed", "count of failed runs", _gateway("count-failed"), PG_COUNT_FAILED),
]
assert [p.gateway.document for p in PAIRS] == [NESTED, FLAT, COUNT_FAILED]


def rows(response: dict[str, Any]) -> Any:
    """What both servers must agree on: each run's id, status and total duration with its
    activities' ids and keys, in order; or the count. Either server's response."""
    data = response["data"]
    if "runs" in data:
        runs = data["runs"]
        if "totalCount" in runs and "nodes" not in runs:
            return int(runs["totalCount"])
        return [
            (
                run["id"],
                run["status"],
                run["durations"]["totalMs"],
                [(a["id"], a["key"]) for a in run["activities"]["nodes"]]
                if "activities" in run
                else None,
            )
            for run in runs["nodes"]
        ]
    runs = data["allRuns"]
    if "nodes" not in runs:
        return int(runs["totalCount"])
    return [
        (
            run["rowId"],
            run["status"],
            None if run["totalMs"] is None else int(run["totalMs"]),
            [(a["rowId"], a["key"]) for a in run["activitiesByRunId"]["nodes"]]
            if "activitiesByRunId" in run
            else None,
        )
        for run in runs["nodes"]
    ]

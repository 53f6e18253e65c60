"""The per-process and per-run fields that used to send a whole page to the executor, one read per
process (issue 21, "no cliff"): `Process.runAggregate`, `lastRun`, `lastSuccessfulRun`,
`consecutiveFailures` and `RunStatistics.activityStatistics`. Their answers are checked against
figures counted here from the runs themselves, and against the exact reading of
`runStatistics(exact: true)`; a page of them takes the fast path in a fixed number of
statements, whatever its size."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.api.fastpath import FastPath
from tests.conftest import GraphQLClient

SUCCESS = ("SUCCEEDED", "SUCCEEDED_WITH_WARNINGS")
FAILURE = ("FAILED", "TIMED_OUT")
DECIDED = (*SUCCESS, *FAILURE, "PARTIALLY_SUCCEEDED")
AGGREGATE = (
    "count succeeded failed decided successRate failureRate countByStatus { status count } "
    "duration { count mean } queueTime { count mean } statisticsSums { processed failed }"
)
PROCESS_FIELDS = (
    f"runAggregate {{ {AGGREGATE} }} "
    "failedOnes: runAggregate(filter: \"status eq 'FAILED'\") { count failed } "
    "lastRun { id status } lastSuccessfulRun { id } consecutiveFailures"
)


def page(first: int) -> str:
    return f"{{ runs(first: {first}) {{ nodes {{ id process {{ id {PROCESS_FIELDS} }} }} }} }}"


def _taken(gql: GraphQLClient) -> int:
    fast_path: FastPath = gql.http.app.state.fast_path  # type: ignore[attr-defined]
    return fast_path.taken


def _runs_of(gql: GraphQLClient, process_id: str) -> list[dict[str, Any]]:
    """The process's runs, newest first (createdDateTime desc, id desc), as the list reads them."""
    return gql.data(
        "query ($id: ID!) { process(id: $id) { runs(first: 500) { totalCount nodes { id status "
        "durations { totalMs queueMs } statistics { processed failed } } } } }",
        {"id": process_id},
    )["process"]["runs"]["nodes"]


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _expected(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The aggregate of these runs, counted here."""
    statuses = [r["status"] for r in runs]
    succeeded = sum(s in SUCCESS for s in statuses)
    failed = sum(s in FAILURE for s in statuses)
    decided = sum(s in DECIDED for s in statuses)
    totals = [r["durations"]["totalMs"] for r in runs if r["durations"]["totalMs"] is not None]
    queues = [r["durations"]["queueMs"] for r in runs if r["durations"]["queueMs"] is not None]
    by_status: dict[str, int] = {}
    for s in statuses:
        by_status[s] = by_status.get(s, 0) + 1
    return {
        "count": len(runs),
        "succeeded": succeeded,
        "failed": failed,
        "decided": decided,
        "successRate": succeeded / decided if decided else None,
        "failureRate": failed / decided if decided else None,
        "countByStatus": sorted(by_status.items()),
        "duration": {"count": len(totals), "mean": _mean(totals)},
        "queueTime": {"count": len(queues), "mean": _mean(queues)},
        "statisticsSums": {
            "processed": float(sum(r["statistics"]["processed"] for r in runs)),
            "failed": float(sum(r["statistics"]["failed"] for r in runs)),
        },
    }


def _close(answer: dict[str, Any], expected: dict[str, Any]) -> None:
    answer = {
        **answer,
        "countByStatus": sorted((c["status"], c["count"]) for c in answer["countByStatus"]),
    }
    for key in ("successRate", "failureRate"):
        if expected[key] is None:
            assert answer[key] is None
        else:
            assert answer[key] == pytest.approx(expected[key])
    for key in ("duration", "queueTime"):
        assert answer[key]["count"] == expected[key]["count"]
        assert answer[key]["mean"] == pytest.approx(expected[key]["mean"])
    same = ("count", "succeeded", "failed", "decided", "countByStatus", "statisticsSums")
    assert {k: answer[k] for k in same} == {k: expected[k] for k in same}


def test_per_process_fields_of_a_page_are_the_runs_own_figures(gql: GraphQLClient) -> None:
    taken = _taken(gql)
    nodes = gql.data(page(100))["runs"]["nodes"]
    assert _taken(gql) == taken + 1, "answered by the fast path"
    processes = {n["process"]["id"]: n["process"] for n in nodes}
    assert len(processes) >= 5
    for process_id, process in processes.items():
        runs = _runs_of(gql, process_id)
        _close(process["runAggregate"], _expected(runs))
        failed = [r for r in runs if r["status"] == "FAILED"]
        assert process["failedOnes"] == {"count": len(failed), "failed": len(failed)}
        assert process["lastRun"] == (
            {"id": runs[0]["id"], "status": runs[0]["status"]} if runs else None
        )
        successes = [r for r in runs if r["status"] in SUCCESS]
        assert process["lastSuccessfulRun"] == ({"id": successes[0]["id"]} if successes else None)
        newer = runs[: runs.index(successes[0])] if successes else runs
        assert process["consecutiveFailures"] == sum(r["status"] in FAILURE for r in newer)


def test_run_aggregate_equals_the_exact_report_of_the_runs(gql: GraphQLClient) -> None:
    """The summaries (counts, rates, sums, means) and the runs (percentiles, starts, MTTR, a
    filter on a column the summaries do not hold) give what `runStatistics(exact: true)` reads."""
    shapes = [
        ("", AGGREGATE),
        ("", "count mttrMs recoveries duration { p50 p90 max } firstStartDateTime"),
        ('(filter: "durations/totalMs gt 1000")', "count succeeded duration { count mean }"),
        ("(where: {status: {eq: FAILED}})", "count failed statisticsSums { errors }"),
    ]
    for arguments, fields in shapes:
        document = f"{{ processes(first: 100) {{ nodes {{ id runAggregate{arguments} {{ {fields} }} }} }} }}"
        taken = _taken(gql)
        nodes = gql.data(document)["processes"]["nodes"]
        assert _taken(gql) == taken + 1, "answered by the fast path"
        for node in nodes:
            scope = f"process/id eq '{node['id']}'"
            if "totalMs" in arguments:
                scope += " and durations/totalMs gt 1000"
            if "FAILED" in arguments:
                scope += " and status eq 'FAILED'"
            exact = gql.data(
                f"query ($f: String) {{ runStatistics(filter: $f, exact: true) {{ totals {{ {fields} }} }} }}",
                {"f": scope},
            )["runStatistics"]["totals"]
            assert node["runAggregate"] == exact, (arguments, node["id"])


def test_activity_statistics_are_the_runs_activities_in_order(gql: GraphQLClient) -> None:
    taken = _taken(gql)
    fields = "key displayName status statistics { processed failed entities { entity total } }"
    nodes = gql.data(
        "{ runs(first: 50) { nodes { id statistics { processed "
        f"all: activityStatistics {{ activityId {fields} }} "
        "two: activityStatistics(first: 2) { key } } } } }"
    )["runs"]["nodes"]
    assert _taken(gql) == taken + 1, "answered by the fast path"
    assert any(n["statistics"]["all"] for n in nodes)
    for node in nodes:
        activities = gql.data(
            f"query ($id: ID!) {{ run(id: $id) {{ activities {{ nodes {{ id {fields} }} }} }} }}",
            {"id": node["id"]},
        )["run"]["activities"]["nodes"]
        expected = [{"activityId": a.pop("id"), **a} for a in activities]
        assert node["statistics"]["all"] == expected
        assert node["statistics"]["two"] == [{"key": a["key"]} for a in expected[:2]]


def _statements(gql: GraphQLClient, document: str) -> int:
    taken, before = _taken(gql), gql.statements
    gql.data(document)
    assert _taken(gql) == taken + 1, "answered by the fast path"
    return gql.statements - before


@pytest.mark.parametrize("first", [20, 100])
def test_a_page_of_per_process_fields_costs_a_fixed_number_of_statements(
    gql: GraphQLClient, first: int
) -> None:
    """100 runs on every process of the demo: the runs, their processes (the newest runs' ids
    and the failure streaks in the same statement), the newest runs and the newest successes
    (one statement for both: two references to the runs), the aggregates from the summaries
    (one), the same with a filter (one): 5, for a page of 20 as for 100."""
    _statements(gql, "{ runs(first: 1) { nodes { id } } }")  # PostgreSQL's connection setup
    assert _statements(gql, page(first)) == 5
    activity = (
        f"{{ runs(first: {first}) {{ nodes {{ id statistics {{ activityStatistics "
        "{ key statistics { processed } } } } } }"
    )
    assert _statements(gql, activity) == 2  # the runs, their activities

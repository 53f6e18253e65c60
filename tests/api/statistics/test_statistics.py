"""`runStatistics`, `Process.statistics` and the process health fields over GraphQL: errors like
`runs`', limits, statements per request, and the health fields against the runs list."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.store import statistics
from tests.conftest import GraphQLClient

PROCESSES = """
query ($first: Int) {
  processes(first: $first) {
    nodes {
      id
      consecutiveFailures
      lastRun { id }
      lastSuccessfulRun { id status }
      runAggregate { count successRate mttrMs duration { p50 p99 } }
      recent: runAggregate(filter: "startDateTime ge 2026-10-25T00:00:00Z") { count }
    }
  }
}
"""


@pytest.mark.parametrize(
    ("filter", "code"),
    [
        ("status eq", "INVALID_FILTER"),
        ("staus eq 'FAILED'", "UNKNOWN_FIELD"),
        ("status eq 42", "TYPE_MISMATCH"),
        ("status eq 'FAILED' and", "INVALID_FILTER"),
    ],
)
def test_a_bad_filter_is_refused_as_runs_refuses_it(
    gql: GraphQLClient, filter: str, code: str
) -> None:
    errors = []
    for field in ("runs(filter: $f) { totalCount }", "runStatistics(filter: $f) { keys }"):
        body = gql(f"query ($f: String) {{ {field} }}", {"f": filter})
        errors.append({k: v for k, v in body["errors"][0]["extensions"].items()})
    assert errors[0] == errors[1]
    assert errors[0]["code"] == code


def test_a_key_given_twice_is_refused(gql: GraphQLClient) -> None:
    body = gql("{ runStatistics(groupBy: [SOURCE, STATUS, SOURCE]) { keys } }")
    assert (
        body["errors"][0]["extensions"].items()
        >= {"code": "INVALID_GROUP_BY", "argument": "groupBy"}.items()
    )


def test_too_many_groups_is_refused_naming_the_limit(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statistics, "MAX_GROUPS", 5)
    assert (
        len(
            gql.data("{ runStatistics(groupBy: [SOURCE]) { groups { count: key { source } } } }")[
                "runStatistics"
            ]["groups"]
        )
        == 5
    )
    body = gql("{ runStatistics(groupBy: [STATUS]) { keys } }")
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert "at most 5 are allowed (limit `groups`)" in body["errors"][0]["message"]


def test_too_many_runs_is_refused_before_the_report_runs(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(statistics, "MAX_SCANNED_RUNS", 10)
    before = gql.statements
    body = gql("{ runStatistics(groupBy: [SOURCE], exact: true) { totals { count } } }")
    assert (
        body["errors"][0]["extensions"].items()
        >= {"code": "LIMIT_EXCEEDED", "argument": "filter"}.items()
    )
    assert gql.statements - before == 1  # only the bounded count ran
    narrow = "{ runStatistics(filter: \"sourceId eq 'none'\") { totals { count } } }"
    summaries = gql.data("{ runStatistics(groupBy: [SOURCE]) { readFrom totals { count } } }")
    assert summaries["runStatistics"]["readFrom"] == "SUMMARIES"  # no runs scanned: no bound
    assert gql.data(narrow)["runStatistics"]["totals"]["count"] == 0


def test_recoveries_are_read_only_when_asked_for(gql: GraphQLClient) -> None:
    before = gql.statements
    gql.data(
        "{ runStatistics(groupBy: [PROCESS], interval: DAY) { groups { aggregate { count } } } }"
    )
    assert gql.statements - before == 2  # the bound, the groups (the totals merge them)
    before = gql.statements
    gql.data("{ runStatistics { totals { ...m } } } fragment m on RunAggregate { mttrMs }")
    assert gql.statements - before == 3


def test_no_matching_runs_give_zero_counts_and_null_figures(gql: GraphQLClient) -> None:
    got = gql.data(
        "{ runStatistics(filter: \"sourceId eq 'none'\", groupBy: [SOURCE], interval: WEEK) {"
        " keys interval groups { key { source } } totals { count successRate failureRate mttrMs"
        " recoveries firstStartDateTime countByStatus { status } duration { count min p50 mean }"
        " statisticsSums { processed } } } }"
    )["runStatistics"]
    assert got == {
        "keys": ["SOURCE"],
        "interval": "WEEK",
        "groups": [],
        "totals": {
            "count": 0,
            "successRate": None,
            "failureRate": None,
            "mttrMs": None,
            "recoveries": 0,
            "firstStartDateTime": None,
            "countByStatus": [],
            "duration": {"count": 0, "min": None, "p50": None, "mean": None},
            "statisticsSums": {"processed": 0.0},
        },
    }


def test_groups_resolve_their_process_and_workspace(gql: GraphQLClient) -> None:
    groups = gql.data(
        "{ runStatistics(groupBy: [WORKSPACE, PROCESS]) { groups { key { processId process "
        "{ id displayName } workspaceId workspace { id } } aggregate { count } } } }"
    )["runStatistics"]["groups"]
    assert groups
    for group in groups:
        assert group["key"]["process"]["id"] == group["key"]["processId"]
        assert group["key"]["workspace"]["id"] == group["key"]["workspaceId"]
    total = gql.data("{ runs { totalCount } }")["runs"]["totalCount"]
    assert sum(g["aggregate"]["count"] for g in groups) == total


@pytest.mark.parametrize("size", [1, 3, 100])
def test_a_page_of_processes_with_statistics_costs_the_same_statements(
    gql: GraphQLClient, size: int
) -> None:
    before = gql.statements
    gql.data(PROCESSES, {"first": size})
    # processes (with their newest runs' ids and failure streaks); the runs they name (one
    # statement for both references); the aggregates from the runs: bound, aggregates and
    # recoveries (MTTR selected), then bound and aggregates (a filter the summaries lack)
    assert gql.statements - before == 7


def _runs_of(gql: GraphQLClient, process_id: str) -> list[dict[str, Any]]:
    return gql.data(
        "query ($id: ID!) { process(id: $id) { runs(first: 500) { nodes { id status } } } }",
        {"id": process_id},
    )["process"]["runs"]["nodes"]


FAIL = """
mutation ($p: ID!) {
  createRun(input: {processId: $p, sourceStatus: "TERMINATED/FAILED"}) {
    ... on CreateRunPayload { run { id status } }
  }
}
"""


def test_process_health_follows_its_runs_newest_first(gql: GraphQLClient) -> None:
    databricks = gql.data("{ processes(filter: \"source eq 'DATABRICKS'\") { nodes { id } } }")
    process_id = databricks["processes"]["nodes"][0]["id"]
    for _ in range(2):
        assert gql.data(FAIL, {"p": process_id})["createRun"]["run"]["status"] == "FAILED"
    nodes = gql.data(PROCESSES, {"first": 100})["processes"]["nodes"]
    assert next(n for n in nodes if n["id"] == process_id)["consecutiveFailures"] >= 2
    for node in nodes:
        runs = _runs_of(gql, node["id"])  # newest first: createdDateTime desc, id desc
        assert (node["lastRun"] or {}).get("id") == (runs[0]["id"] if runs else None)
        successes = [r for r in runs if r["status"] in ("SUCCEEDED", "SUCCEEDED_WITH_WARNINGS")]
        expected = successes[0]["id"] if successes else None
        assert (node["lastSuccessfulRun"] or {}).get("id") == expected
        newer = runs[: runs.index(successes[0])] if successes else runs
        failures = sum(r["status"] in ("FAILED", "TIMED_OUT") for r in newer)
        assert node["consecutiveFailures"] == failures
        assert node["runAggregate"]["count"] == len(runs)
        stats = gql.data(
            "query ($f: String) { runStatistics(filter: $f) { totals { count successRate mttrMs "
            "duration { p50 p99 } } } }",
            {"f": f"process/id eq '{node['id']}'"},
        )["runStatistics"]["totals"]
        assert {k: v for k, v in node["runAggregate"].items()} == stats

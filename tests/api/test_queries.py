"""Reads over GraphQL over HTTP: runs, processes, nodes, paging, SQL statements per request."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient

NESTED = """
query ($first: Int) {
  runs(first: $first) {
    nodes {
      __typename id status sourceStatus
      activities { totalCount nodes { __typename id status } }
      process { displayName }
      statistics { processed errors }
    }
  }
}
"""


def test_a_page_of_runs_shows_every_platform(gql: GraphQLClient) -> None:
    data = gql.data(NESTED, {"first": 100})
    nodes = data["runs"]["nodes"]
    assert len(nodes) == 100
    assert {n["__typename"] for n in nodes} == {
        "IndustryDataRun",
        "DataFactoryRun",
        "DatabricksRun",
        "DataZoneRun",
        "GatewayRun",
    }
    for node in nodes:
        assert node["process"]["displayName"]
        assert node["activities"]["totalCount"] == len(node["activities"]["nodes"])
        assert node["sourceStatus"]


def test_the_default_order_is_newest_first(gql: GraphQLClient) -> None:
    nodes = gql.data("{ runs(first: 200) { nodes { createdDateTime id } } }")["runs"]["nodes"]
    keys = [(n["createdDateTime"], n["id"]) for n in nodes]
    assert keys == sorted(keys, reverse=True)
    assert all(n["createdDateTime"].endswith("Z") for n in nodes)


@pytest.mark.parametrize("size", [1, 10, 100])
def test_a_nested_page_costs_the_same_statements_whatever_its_size(
    gql: GraphQLClient, size: int
) -> None:
    before = gql.statements
    gql.data(NESTED, {"first": size})
    # runs (with their processes' names), activities, activity counts: one statement each
    assert gql.statements - before == 3


def _walk(gql: GraphQLClient, forward: bool, size: int) -> list[str]:
    query = (
        "query ($n: Int, $c: String) { runs(first: $n, after: $c) { pageInfo { hasNextPage "
        "hasPreviousPage startCursor endCursor } nodes { id } } }"
        if forward
        else "query ($n: Int, $c: String) { runs(last: $n, before: $c) { pageInfo { hasNextPage "
        "hasPreviousPage startCursor endCursor } nodes { id } } }"
    )
    seen: list[str] = []
    cursor = None
    while True:
        page = gql.data(query, {"n": size, "c": cursor})["runs"]
        ids = [n["id"] for n in page["nodes"]]
        seen = seen + ids if forward else ids + seen
        info = page["pageInfo"]
        if not (info["hasNextPage"] if forward else info["hasPreviousPage"]):
            return seen
        cursor = info["endCursor"] if forward else info["startCursor"]


def test_paging_visits_every_run_exactly_once(gql: GraphQLClient) -> None:
    total = gql.data("{ runs { totalCount } }")["runs"]["totalCount"]
    forward = _walk(gql, True, 64)
    assert len(forward) == len(set(forward)) == total
    assert _walk(gql, False, 50) == forward


def test_paging_never_loses_a_run_while_runs_are_added(gql: GraphQLClient) -> None:
    process_id = gql.data("{ processes(first: 1) { nodes { id } } }")["processes"]["nodes"][0]["id"]
    first = gql.data("{ runs(first: 10) { pageInfo { endCursor } nodes { id } } }")["runs"]
    for _ in range(3):
        gql.data(
            "mutation ($p: ID!) { createRun(input: {processId: $p, status: RUNNING}) { __typename } }",
            {"p": process_id},
        )
    rest = _walk_from(gql, first["pageInfo"]["endCursor"])
    before_insert = [n["id"] for n in first["nodes"]] + rest
    total = gql.data("{ runs { totalCount } }")["runs"]["totalCount"]
    assert len(set(before_insert)) == len(before_insert) == total - 3


def _walk_from(gql: GraphQLClient, cursor: str) -> list[str]:
    seen: list[str] = []
    while True:
        page = gql.data(
            "query ($c: String) { runs(first: 100, after: $c) { pageInfo { hasNextPage endCursor } "
            "nodes { id } } }",
            {"c": cursor},
        )["runs"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        cursor = page["pageInfo"]["endCursor"]


def test_node_resolves_every_kind(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ runs(first: 1) { nodes { id process { id workspace { id } } "
        "activities(first: 1) { nodes { id } } } } }"
    )
    run = data["runs"]["nodes"][0]
    ids = {
        "IdRun": run["id"],
        "IdProcess": run["process"]["id"],
        "IdWorkspace": run["process"]["workspace"]["id"],
        "IdActivity": run["activities"]["nodes"][0]["id"],
    }
    result = gql.data(
        "query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        {"ids": [*ids.values(), "run_01M8134PPTCNZ0V8HYBHN3DBRR", "nonsense"]},
    )["nodes"]
    assert [n["id"] for n in result[:4]] == list(ids.values())
    assert result[0]["__typename"].endswith("Run")
    assert result[1]["__typename"] == "Process"
    assert result[2]["__typename"] == "Workspace"
    assert result[4:] == [None, None]
    single = gql.data("query ($id: ID!) { node(id: $id) { id } }", {"id": ids["IdActivity"]})
    assert single["node"]["id"] == ids["IdActivity"]


@pytest.mark.parametrize("field", ["run", "process", "activity", "node"])
@pytest.mark.parametrize(
    "value", ["run_01M8134PPTCNZ0V8HYBHN3DBRR", "proc_x", "", "'; DROP TABLE runs; --"]
)
def test_an_unknown_id_is_null(gql: GraphQLClient, field: str, value: str) -> None:
    data = gql.data(f"query ($id: ID!) {{ {field}(id: $id) {{ id }} }}", {"id": value})
    assert data[field] is None


def test_attempt_lineage(gql: GraphQLClient) -> None:
    runs: list[dict[str, Any]] = gql.data(
        "{ runs(first: 500) { nodes { id attemptNumber isLatestAttempt "
        "originalAttemptRun { id attemptNumber } previousAttemptRun { id attemptNumber } } } }"
    )["runs"]["nodes"]
    retries = [r for r in runs if r["attemptNumber"] > 1]
    assert retries, "the demo data set has retries"
    for retry in retries:
        assert retry["originalAttemptRun"]["attemptNumber"] == 1
        assert retry["previousAttemptRun"]["attemptNumber"] == retry["attemptNumber"] - 1
    firsts = [r for r in runs if r["attemptNumber"] == 1]
    assert all(r["originalAttemptRun"]["id"] == r["id"] for r in firsts)
    assert all(r["previousAttemptRun"] is None for r in firsts)
    superseded = {r["previousAttemptRun"]["id"] for r in retries}
    assert all(not r["isLatestAttempt"] for r in runs if r["id"] in superseded)


def test_process_runs_are_paged_per_process(gql: GraphQLClient) -> None:
    before = gql.statements
    processes = gql.data(
        "{ processes { totalCount nodes { id runs(first: 3) { totalCount nodes { id process { id } } } } } }"
    )["processes"]
    # processes, their count, runs per process (with their process ids; more than a few runs
    # per process: a first statement stops early, a windowed one pages), run counts per process
    assert gql.statements - before == 5
    total = 0
    for process in processes["nodes"]:
        assert len(process["runs"]["nodes"]) == min(3, process["runs"]["totalCount"])
        assert {r["process"]["id"] for r in process["runs"]["nodes"]} <= {process["id"]}
        total += process["runs"]["totalCount"]
    assert total == gql.data("{ runs { totalCount } }")["runs"]["totalCount"]


def test_a_count_alone_fetches_no_page(gql: GraphQLClient) -> None:
    before = gql.statements
    gql.data("{ runs { totalCount } }")
    assert gql.statements - before == 1
    before = gql.statements
    gql.data("{ runs(first: 100) { nodes { activities { totalCount } } } }")
    assert gql.statements - before == 2  # the runs, then the activity counts: no activity page

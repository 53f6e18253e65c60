"""`Run.statistics` in Graph's `industryDataRunStatistics` shape: activity statistics, inbound
totals, DataZone's asset counts, with a fixed number of statements per page."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

RUNS = """
{
  runs(first: 300) {
    nodes {
      statistics {
        errors warnings
        entities { entity active }
        roles { role count matched }
        inboundTotals {
          errors warnings groups memberships organizations people
          matchedPeopleByRole { role count matched }
          unmatchedPeopleByRole { role count matched }
        }
        assets { added updated unchanged skipped failed }
        added updated unchanged skipped failed
        activityStatistics(first: 20) { activityId key displayName status statistics { processed } }
      }
      activities(first: 20) { nodes { id key displayName status statistics { processed } } }
    }
  }
}
"""


@pytest.mark.parametrize("size", [1, 50])
def test_activity_statistics_cost_one_statement_per_page(gql: GraphQLClient, size: int) -> None:
    before = gql.statements
    gql.data(
        "query ($n: Int) { runs(first: $n) { nodes { statistics { activityStatistics { key } } } } }",
        {"n": size},
    )
    assert gql.statements - before == 2  # the runs, their activities


def test_run_statistics_carry_graphs_and_datazones_shapes(gql: GraphQLClient) -> None:
    nodes = gql.data(RUNS)["runs"]["nodes"]
    with_people = 0
    for node in nodes:
        stats = node["statistics"]
        assert stats["activityStatistics"] == [
            {
                "activityId": a["id"],
                "key": a["key"],
                "displayName": a["displayName"],
                "status": a["status"],
                "statistics": a["statistics"],
            }
            for a in node["activities"]["nodes"]
        ]
        active = {e["entity"]: e["active"] for e in stats["entities"]}
        totals = stats["inboundTotals"]
        assert (totals["errors"], totals["warnings"]) == (stats["errors"], stats["warnings"])
        for name in ("groups", "memberships", "organizations", "people"):
            assert totals[name] == active.get(name, 0)
        assert totals["matchedPeopleByRole"] == [r for r in stats["roles"] if r["matched"]]
        assert totals["unmatchedPeopleByRole"] == [r for r in stats["roles"] if not r["matched"]]
        assert stats["assets"] == {k: stats[k] for k in stats["assets"]}
        with_people += totals["people"] > 0 and bool(totals["unmatchedPeopleByRole"])
    assert with_people  # the demo's industry data runs count people and roles


def test_an_activitys_own_statistics_list_no_activities(gql: GraphQLClient) -> None:
    nodes = gql.data(
        "{ runs(first: 20) { nodes { activities(first: 10) { nodes { statistics { "
        "activityStatistics { key } } } } } } }"
    )["runs"]["nodes"]
    lists = [a["statistics"]["activityStatistics"] for n in nodes for a in n["activities"]["nodes"]]
    assert lists and all(found == [] for found in lists)


def test_activity_statistics_count_toward_the_query_cost(gql: GraphQLClient) -> None:
    body = gql(
        "{ runs(first: 500) { nodes { statistics { activityStatistics(first: 500) { key } } } } }"
    )
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    nodes = gql.data(
        "{ runs(first: 20) { nodes { statistics { activityStatistics(first: 1) { key } } "
        "activities(first: 1) { nodes { key } } } } }"
    )["runs"]["nodes"]
    assert all(
        [s["key"] for s in n["statistics"]["activityStatistics"]]
        == [a["key"] for a in n["activities"]["nodes"]]
        for n in nodes
    )

"""Each platform's run type lists its activities typed as that platform's (`DatabricksRun.tasks`,
`DataFactoryRun.activityRuns`, `DataZoneRun.assetActivities`, `GatewayRun.gatewayActivities`):
the same activities, order, cursors, counts and arguments as the generic `activities`."""

from __future__ import annotations

import pytest

from tests.conftest import GraphQLClient

TYPED = [
    ("DatabricksRun", "tasks", "DatabricksTask", "taskKey clusterId"),
    ("DataFactoryRun", "activityRuns", "DataFactoryActivityRun", "activityRunId"),
    ("DataZoneRun", "assetActivities", "DataZoneAssetActivity", "technicalName dataAssetId"),
    ("GatewayRun", "gatewayActivities", "GatewayActivity", "key"),
]


@pytest.mark.parametrize(("run_type", "field", "activity_type", "own_fields"), TYPED)
def test_typed_connection_matches_the_generic_one(
    gql: GraphQLClient, run_type: str, field: str, activity_type: str, own_fields: str
) -> None:
    page = "totalCount pageInfo { endCursor } edges { cursor node { __typename id status } }"
    data = gql.data(
        f"""query ($filter: String) {{ runs(filter: $filter, first: 100) {{ nodes {{
          ... on {run_type} {{
            id
            generic: activities(first: 20) {{ {page} }}
            typed: {field}(first: 20) {{ {page} nodes {{ {own_fields} }} }}
          }} }} }} }}""",
        {"filter": f"source eq '{_source(run_type)}'"},
    )
    runs = data["runs"]["nodes"]
    assert runs
    with_activities = 0
    for run in runs:
        generic, typed = run["generic"], run["typed"]
        assert typed["totalCount"] == generic["totalCount"]
        assert typed["edges"] == generic["edges"]
        assert typed["pageInfo"] == generic["pageInfo"]
        assert {e["node"]["__typename"] for e in typed["edges"]} <= {activity_type}
        with_activities += bool(typed["edges"])
    assert with_activities > 0


def _source(run_type: str) -> str:
    return {
        "DatabricksRun": "DATABRICKS",
        "DataFactoryRun": "DATA_FACTORY",
        "DataZoneRun": "DATAZONE",
        "GatewayRun": "GATEWAY",
    }[run_type]


def test_typed_connection_takes_the_same_arguments(gql: GraphQLClient) -> None:
    arguments = (
        '(where: {status: {ne: SUCCEEDED}}, filter: "key ne \'x\'", orderBy: "key desc", first: 2)'
    )
    data = gql.data(
        f"""{{ runs(filter: "source eq 'DATABRICKS'", first: 50) {{ nodes {{ ... on DatabricksRun {{
          generic: activities{arguments} {{ totalCount nodes {{ id }} pageInfo {{ endCursor }} }}
          typed: tasks{arguments} {{ totalCount nodes {{ id }} pageInfo {{ endCursor }} }}
        }} }} }} }}"""
    )
    runs = data["runs"]["nodes"]
    assert any(run["typed"]["totalCount"] for run in runs)
    assert all(run["typed"] == run["generic"] for run in runs)


def test_a_bad_filter_on_a_typed_connection_is_a_typed_error(gql: GraphQLClient) -> None:
    body = gql(
        """{ runs(filter: "source eq 'DATABRICKS'", first: 1) { nodes {
          ... on DatabricksRun { tasks(filter: "nope eq 1") { totalCount } } } } }"""
    )
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_FIELD"

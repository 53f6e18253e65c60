"""Statements per request on the fast path do not grow with the page: the nested query and every
field group it covers cost the same number of SQL statements for 20 runs as for 60."""

from __future__ import annotations

import pytest

from gateway.api.fastpath import FastPath
from tests.conftest import GraphQLClient

NESTED = "id status activities {{ totalCount nodes {{ id key status {activity} }} }} {run}"

# (field group, added to each run, added to each activity, statements): the nested query's 3 are
# the runs, their activities and the activities' counts.
GROUPS = [
    ("nested query", "", "", 3),
    ("parameters", "parameters", "", 3),
    ("dependsOn", "", "dependsOn", 3),
    ("platformAttributes", "", "platformAttributes", 3),
    (
        "activity attributes",
        "",
        "... on DatabricksTask { clusterId } "
        "... on DataZoneAssetActivity { database technicalName dataAssetId }",
        3,
    ),
    (
        "typed activity lists",  # one statement per list, one more for the count
        "... on DatabricksRun { tasks { nodes { taskKey } } } "
        "... on DataFactoryRun { activityRuns { totalCount nodes { activityRunId } } } "
        "... on DataZoneRun { assetActivities { nodes { id } } } "
        "... on GatewayRun { gatewayActivities { nodes { id } } }",
        "",
        8,
    ),
]


def _statements(gql: GraphQLClient, first: int, run: str, activity: str) -> int:
    fast_path: FastPath = gql.http.app.state.fast_path  # type: ignore[attr-defined]
    taken, before = fast_path.taken, gql.statements
    fields = NESTED.format(run=run, activity=activity)
    data = gql.data(f"{{ runs(first: {first}) {{ nodes {{ {fields} }} }} }}")
    assert len(data["runs"]["nodes"]) == first
    assert fast_path.taken == taken + 1, "answered by the fast path"
    return gql.statements - before


@pytest.mark.parametrize(
    ("name", "run", "activity", "statements"), GROUPS, ids=[g[0] for g in GROUPS]
)
def test_statements_do_not_grow_with_the_page(
    gql: GraphQLClient, name: str, run: str, activity: str, statements: int
) -> None:
    assert _statements(gql, 20, run, activity) == statements
    assert _statements(gql, 60, run, activity) == statements

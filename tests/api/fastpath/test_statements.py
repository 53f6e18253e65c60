"""Statements per request on the fast path do not grow with the page: the nested query and every
field group it covers cost the same number of SQL statements for 20 runs as for 60."""

from __future__ import annotations

import pytest

from gateway.api.fastpath import FastPath
from tests.conftest import GraphQLClient

NESTED = "id status activities {{ totalCount nodes {{ id key status {activity} }} }} {run}"

# (field group, added to each run, added to each activity, statements beyond the nested query's:
# on SQLite those are 3, the runs, their activities and the activities' counts)
GROUPS = [
    ("parameters", "parameters", "", 0),
    ("dependsOn", "", "dependsOn", 0),
    ("platformAttributes", "", "platformAttributes", 0),
    (
        "activity attributes",
        "",
        "... on DatabricksTask { clusterId } "
        "... on DataZoneAssetActivity { database technicalName dataAssetId }",
        0,
    ),
    (
        "typed activity lists",  # one statement per list, one more for the count
        "... on DatabricksRun { tasks { nodes { taskKey } } } "
        "... on DataFactoryRun { activityRuns { totalCount nodes { activityRunId } } } "
        "... on DataZoneRun { assetActivities { nodes { id } } } "
        "... on GatewayRun { gatewayActivities { nodes { id } } }",
        "",
        5,
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
    _statements(gql, 20, "", "")  # a new connection's first statement (PostgreSQL's setup)
    nested = _statements(gql, 20, "", "")
    assert _statements(gql, 60, "", "") == nested
    assert _statements(gql, 20, run, activity) == nested + statements
    assert _statements(gql, 60, run, activity) == nested + statements

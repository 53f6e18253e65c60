"""Statements per request on the fast path do not grow with the page: the nested query costs the
same for 20 runs as for 60, and every field group it covers at most a fixed number more (one
statement per list or reference for all parents), whatever the page."""

from __future__ import annotations

import pytest

from gateway.api.fastpath import FastPath
from tests.conftest import GraphQLClient

NESTED = "id status activities {{ totalCount nodes {{ id key status {activity} }} }} {run}"

# (field group, added to each run, added to each activity, at most how many statements beyond the
# nested query's: on SQLite those are 3, the runs, their activities and the activities' counts)
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
    (
        "statistics and errors",
        "statistics { metrics { name value } inboundTotals { people } } "
        "blockingError { details { code } innerError { code } }",
        "statistics { entities { entity } } blockingError { target }",
        0,
    ),
    # records by reference: one statement each for every parent (the references to one table
    # together)
    ("process", "process { description throttle { maxRuns } activityDefinitions { key } }", "", 1),
    ("workspace", "workspace { displayName source }", "", 1),
    ("process and its workspace", "process { workspace { displayName } }", "", 2),
    ("attempts", "originalAttemptRun { id } previousAttemptRun { id status }", "", 1),
    ("activity run", "", "run { id status }", 1),
    ("statusHistory", "statusHistory(last: 3) { seq kind toStatus at }", "", 1),
    (
        "statistics assets",
        "statistics { assets { added failed } }",
        "statistics { assets { added } }",
        0,
    ),
    # the run's activities again, in run order: one statement for all runs
    (
        "activityStatistics",
        "statistics { activityStatistics(first: 3) { key statistics { processed } } }",
        "",
        1,
    ),
    # the processes (with their newest runs' ids and failure streaks), the newest runs and
    # newest successes (one statement), the aggregates (from the summaries): one statement each
    # for all processes
    (
        "per-process fields",
        "process { runAggregate { count succeeded } lastRun { id } lastSuccessfulRun { id } "
        "consecutiveFailures }",
        "",
        3,
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
    # at most (a list or a reference no row of the page has costs none), whatever the page
    for first in (20, 60):
        assert nested <= _statements(gql, first, run, activity) <= nested + statements

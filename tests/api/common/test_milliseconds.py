"""Durations past GraphQL's 32-bit Int: a streaming job runs for months (2^31 ms is under 25 days).

Every duration in milliseconds is the `Milliseconds` scalar, a JSON integer exact up to 2^53 - 1:
a 61-day run is read, listed, summarised and written without an error.
"""

from __future__ import annotations

from typing import Any

from tests.api.test_mutations import _job
from tests.conftest import GraphQLClient

SIXTY_ONE_DAYS_MS = 61 * 86_400_000  # 5,270,400,000: past 2^31 - 1 (2,147,483,647)

CREATE = """
mutation ($input: CreateRunInput!) {
  createRun(input: $input) {
    __typename
    ... on CreateRunPayload { run { id durations { totalMs queueMs } } }
  }
}
"""


def _long_run(gql: GraphQLClient, **extra: Any) -> dict[str, Any]:
    process = _job(gql)
    result = gql.data(
        CREATE,
        {
            "input": {
                "processId": process["id"],
                "sourceStatus": "TERMINATED/SUCCESS",
                "startDateTime": "2026-09-01T00:00:00Z",
                "endDateTime": "2026-11-01T00:00:00Z",
                **extra,
            }
        },
    )["createRun"]
    assert result["__typename"] == "CreateRunPayload", result
    run: dict[str, Any] = result["run"]
    return run


def test_a_months_long_run_is_read_listed_and_summarised(empty_gql: GraphQLClient) -> None:
    run = _long_run(empty_gql)
    assert run["durations"]["totalMs"] == SIXTY_ONE_DAYS_MS
    listed = empty_gql.data("{ runs(first: 5) { nodes { id durations { totalMs } } } }")
    assert listed["runs"]["nodes"] == [
        {"id": run["id"], "durations": {"totalMs": SIXTY_ONE_DAYS_MS}}
    ]
    for exact in (True, False):  # from the runs, and from the maintained summaries
        report = empty_gql.data(
            "query ($exact: Boolean!) { runStatistics(exact: $exact) {"
            " totals { duration { count min max p50 p99 } } } }",
            {"exact": exact},
        )
        duration = report["runStatistics"]["totals"]["duration"]
        assert duration["count"] == 1
        for figure in ("min", "max", "p50", "p99"):  # the summaries are within 1/32
            assert abs(duration[figure] - SIXTY_ONE_DAYS_MS) <= SIXTY_ONE_DAYS_MS / 32, duration


def test_a_long_duration_is_accepted_as_input(empty_gql: GraphQLClient) -> None:
    run = _long_run(empty_gql, durations={"queueMs": 3_000_000_000})
    assert run["durations"]["queueMs"] == 3_000_000_000


def test_a_duration_past_2_to_the_53_is_a_typed_input_error(empty_gql: GraphQLClient) -> None:
    process = _job(empty_gql)
    body = empty_gql(
        CREATE,
        {
            "input": {
                "processId": process["id"],
                "sourceStatus": "TERMINATED/SUCCESS",
                "durations": {"queueMs": 2**53},
            }
        },
    )
    (error,) = body["errors"]
    assert "2^53 - 1" in error["message"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"  # a variable's value
    assert empty_gql.data("{ runs(first: 1) { totalCount } }")["runs"]["totalCount"] == 0

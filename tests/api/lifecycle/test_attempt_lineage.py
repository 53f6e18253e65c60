"""Attempt lineage survives deletes: an attempt that a later one retries cannot be deleted
before it (a typed error naming the later attempt, nothing changed), and deleting the latest
attempt makes the one before it the latest again."""

from __future__ import annotations

from typing import Any

from tests.api.lifecycle.lifecycle_ops import (
    CANCEL_RUN,
    RETRY_RUN,
    RUN,
    create_process,
    started_run,
)
from tests.conftest import GraphQLClient

DELETE_RUN = """
mutation ($id: ID!) {
  deleteRun(id: $id) {
    __typename
    ... on DeleteRunPayload { deletedRunId }
    ... on LaterAttemptExistsError { code message id laterAttemptRunId laterAttemptNumber }
    ... on Error { code message }
  }
}
"""
DELETE_RUNS = """
mutation ($filter: String!) {
  deleteRuns(filter: $filter) {
    __typename
    ... on BulkRunsPayload { matched changed outcomes { runId changed reason } }
    ... on Error { code message }
  }
}
"""


def _chain(gql: GraphQLClient, length: int) -> list[dict[str, Any]]:
    """A finished run retried `length - 1` times: its attempts, oldest first, all finished."""
    process_id = create_process(gql)
    run = started_run(gql, process_id)
    attempts = [gql.data(CANCEL_RUN, {"id": run["id"]})["cancelRun"]["run"]]
    while len(attempts) < length:
        retried = gql.data(RETRY_RUN, {"id": attempts[-1]["id"]})["retryRun"]["run"]
        attempts.append(gql.data(CANCEL_RUN, {"id": retried["id"]})["cancelRun"]["run"])
    return attempts


def _lineage(gql: GraphQLClient, run_id: str) -> dict[str, Any]:
    found: dict[str, Any] = gql.data(RUN, {"id": run_id})["run"]
    return found


def test_deleting_an_attempt_that_was_retried_is_refused_naming_the_later_attempt(
    empty_gql: GraphQLClient,
) -> None:
    first, second = _chain(empty_gql, 2)
    before = [_lineage(empty_gql, r["id"]) for r in (first, second)]
    refused = empty_gql.data(DELETE_RUN, {"id": first["id"]})["deleteRun"]
    assert refused["__typename"] == "LaterAttemptExistsError", refused
    assert refused["code"] == "LATER_ATTEMPT_EXISTS"
    assert refused["id"] == first["id"]
    assert (refused["laterAttemptRunId"], refused["laterAttemptNumber"]) == (second["id"], 2)
    assert second["id"] in refused["message"]
    after = [_lineage(empty_gql, r["id"]) for r in (first, second)]
    assert after == before  # nothing changed: the lineage is whole
    assert after[1]["originalAttemptRun"]["id"] == first["id"]
    assert after[1]["previousAttemptRun"]["id"] == first["id"]


def test_the_latest_of_three_attempts_is_named_and_deleting_newest_first_keeps_the_lineage(
    empty_gql: GraphQLClient,
) -> None:
    first, second, third = _chain(empty_gql, 3)
    refused = empty_gql.data(DELETE_RUN, {"id": first["id"]})["deleteRun"]
    assert (refused["laterAttemptRunId"], refused["laterAttemptNumber"]) == (third["id"], 3)
    deleted = empty_gql.data(DELETE_RUN, {"id": third["id"]})["deleteRun"]
    assert deleted == {"__typename": "DeleteRunPayload", "deletedRunId": third["id"]}
    # The attempt before the deleted one is the latest again, and it can be deleted in turn.
    assert _lineage(empty_gql, second["id"])["isLatestAttempt"] is True
    assert _lineage(empty_gql, first["id"])["isLatestAttempt"] is False
    refused = empty_gql.data(DELETE_RUN, {"id": first["id"]})["deleteRun"]
    assert (refused["laterAttemptRunId"], refused["laterAttemptNumber"]) == (second["id"], 2)
    for run in (second, first):
        result = empty_gql.data(DELETE_RUN, {"id": run["id"]})["deleteRun"]
        assert result["__typename"] == "DeleteRunPayload", result
    assert empty_gql.data("{ runs { totalCount } }")["runs"]["totalCount"] == 0


def test_a_bulk_delete_keeps_attempts_whose_later_attempt_it_does_not_delete(
    empty_gql: GraphQLClient,
) -> None:
    first, second = _chain(empty_gql, 2)
    only_first = empty_gql.data(DELETE_RUNS, {"filter": "attemptNumber eq 1"})["deleteRuns"]
    assert only_first["__typename"] == "BulkRunsPayload", only_first
    assert (only_first["matched"], only_first["changed"]) == (1, 0)
    (outcome,) = only_first["outcomes"]
    assert outcome["runId"] == first["id"] and outcome["changed"] is False
    assert second["id"] in outcome["reason"]
    assert _lineage(empty_gql, second["id"])["previousAttemptRun"]["id"] == first["id"]
    both = empty_gql.data(DELETE_RUNS, {"filter": "true"})["deleteRuns"]
    assert (both["matched"], both["changed"]) == (2, 2)
    assert empty_gql.data("{ runs { totalCount } }")["runs"]["totalCount"] == 0

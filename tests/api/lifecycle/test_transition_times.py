"""Times follow status changes: a run or activity that starts gets a `startDateTime`, one that
finishes an `endDateTime` and durations, stamped by the gateway unless the client sent its own;
the run's times roll up from its activities'."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.api.lifecycle.lifecycle_ops import activity, create_process, report, started_run
from tests.conftest import GraphQLClient

UPDATE_RUN = """
mutation ($id: ID!, $input: UpdateRunInput!) {
  updateRun(id: $id, input: $input) {
    __typename
    ... on UpdateRunPayload {
      run { status startDateTime endDateTime durations { queueMs totalMs } }
    }
    ... on Error { code message }
  }
}
"""
ACTIVITY_TIMES = """
query ($id: ID!) {
  run(id: $id) {
    status createdDateTime startDateTime endDateTime durations { queueMs totalMs }
    activities { nodes { key status startDateTime endDateTime durationMs } }
  }
}
"""


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _update_run(gql: GraphQLClient, run_id: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = gql.data(UPDATE_RUN, {"id": run_id, "input": fields})["updateRun"]
    assert result["__typename"] == "UpdateRunPayload", result
    run: dict[str, Any] = result["run"]
    return run


def test_update_run_stamps_start_end_and_durations_on_its_transitions(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql, activityDefinitions=[])
    run = started_run(empty_gql, process_id)
    assert run["startDateTime"] is None
    running = _update_run(empty_gql, run["id"], status="RUNNING")
    assert running["startDateTime"] is not None and running["endDateTime"] is None
    assert running["durations"]["queueMs"] is not None
    done = _update_run(empty_gql, run["id"], status="SUCCEEDED")
    assert done["startDateTime"] == running["startDateTime"]
    assert done["endDateTime"] is not None
    assert _at(done["endDateTime"]) >= _at(done["startDateTime"])
    expected = (_at(done["endDateTime"]) - _at(done["startDateTime"])).total_seconds() * 1000
    assert done["durations"]["totalMs"] == int(expected)


def test_update_run_keeps_the_times_the_client_sent(empty_gql: GraphQLClient) -> None:
    process_id = create_process(empty_gql, activityDefinitions=[])
    run = started_run(empty_gql, process_id)
    _update_run(empty_gql, run["id"], status="RUNNING", startDateTime="2026-11-20T10:00:00Z")
    done = _update_run(empty_gql, run["id"], status="FAILED", endDateTime="2026-11-20T10:02:30Z")
    assert done["startDateTime"] == "2026-11-20T10:00:00Z"
    assert done["endDateTime"] == "2026-11-20T10:02:30Z"
    assert done["durations"]["totalMs"] == 150_000


def test_a_run_finished_straight_from_pending_starts_when_it_ends(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql, activityDefinitions=[])
    run = started_run(empty_gql, process_id)
    done = _update_run(empty_gql, run["id"], status="SUCCEEDED")
    assert done["startDateTime"] is not None and done["endDateTime"] is not None
    assert done["durations"]["totalMs"] is not None


def test_update_activity_stamps_the_activities_and_rolls_the_times_up(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id)
    keys = [a["key"] for a in run["activities"]["nodes"]]
    for key in keys:
        result = report(empty_gql, activity(run, key)["id"], status="RUNNING")
        assert result["__typename"] == "UpdateActivityPayload", result
        assert result["run"]["status"] == "RUNNING"
    for key in keys:
        result = report(empty_gql, activity(run, key)["id"], status="SUCCEEDED")
        assert result["__typename"] == "UpdateActivityPayload", result
    found = empty_gql.data(ACTIVITY_TIMES, {"id": run["id"]})["run"]
    assert found["status"] == "SUCCEEDED"
    nodes = found["activities"]["nodes"]
    for node in nodes:
        assert node["startDateTime"] is not None and node["endDateTime"] is not None, node
        assert node["durationMs"] is not None, node
    starts = [_at(n["startDateTime"]) for n in nodes]
    ends = [_at(n["endDateTime"]) for n in nodes]
    assert _at(found["startDateTime"]) == min(starts)
    assert _at(found["endDateTime"]) == max(ends)
    assert found["durations"]["totalMs"] is not None
    assert found["durations"]["queueMs"] is not None


def test_an_activity_keeps_the_times_the_client_sent(empty_gql: GraphQLClient) -> None:
    process_id = create_process(
        empty_gql,
        activityDefinitions=[{"key": "only", "displayName": "Only", "kind": "GATEWAY_ACTIVITY"}],
    )
    run = started_run(empty_gql, process_id)
    act = activity(run, "only")
    report(empty_gql, act["id"], status="RUNNING", startDateTime="2026-11-20T10:00:00Z")
    report(empty_gql, act["id"], status="SUCCEEDED", endDateTime="2026-11-20T10:05:00Z")
    found = empty_gql.data(ACTIVITY_TIMES, {"id": run["id"]})["run"]
    (node,) = found["activities"]["nodes"]
    assert node["startDateTime"] == "2026-11-20T10:00:00Z"
    assert node["endDateTime"] == "2026-11-20T10:05:00Z"
    assert node["durationMs"] == 300_000
    assert found["startDateTime"] == "2026-11-20T10:00:00Z"
    assert found["endDateTime"] == "2026-11-20T10:05:00Z"
    assert found["durations"]["totalMs"] == 300_000

"""The run lifecycle over GraphQL over HTTP: start (idempotent, throttled), progress with roll-ups,
ETag races, cancel, retry chains and retry from failure, delete, bulk changes, history."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.services import bulk
from tests.api.lifecycle.lifecycle_ops import (
    CANCEL_RUN,
    RETRY_RUN,
    RUN,
    activity,
    create_process,
    finish,
    report,
    start,
    started_run,
)
from tests.conftest import GraphQLClient


def test_start_run_creates_a_run_with_the_enabled_activities(empty_gql: GraphQLClient) -> None:
    process_id = create_process(empty_gql)
    run = started_run(
        empty_gql, process_id, parameters={"day": "2026-11-20"}, displayName="Backfill"
    )
    assert run["id"].startswith("run_")
    assert run["status"] == "PENDING" and run["attemptNumber"] == 1 and run["isLatestAttempt"]
    assert run["trigger"]["type"] == "API"
    keys = [a["key"] for a in run["activities"]["nodes"]]
    assert keys == ["extract", "load", "report", "audit"]  # `archive` is disabled
    assert all(a["status"] == "PENDING" for a in run["activities"]["nodes"])
    found = empty_gql.data(RUN, {"id": run["id"]})["run"]
    assert found["id"] == run["id"]


def test_a_start_replayed_after_a_lost_response_returns_the_first_run(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql)
    first = start(empty_gql, process_id, idempotencyKey="nightly-2026-11-20")
    again = start(empty_gql, process_id, idempotencyKey="nightly-2026-11-20")
    assert first["replayed"] is False and again["replayed"] is True
    assert again["run"]["id"] == first["run"]["id"]
    reused = start(empty_gql, process_id, idempotencyKey="nightly-2026-11-20", displayName="Other")
    assert reused["__typename"] == "IdempotencyKeyReusedError"
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED" and reused["key"] == "nightly-2026-11-20"
    count = empty_gql.data(
        "query ($id: ID!) { process(id: $id) { runs { totalCount } } }", {"id": process_id}
    )
    assert count["process"]["runs"]["totalCount"] == 1


def test_a_process_that_is_not_ready_or_missing_starts_nothing(empty_gql: GraphQLClient) -> None:
    disabled = create_process(empty_gql, readinessStatus="DISABLED")
    result = start(empty_gql, disabled)
    assert result["__typename"] == "ProcessNotReadyError"
    assert result["readinessStatus"] == "DISABLED" and result["code"] == "PROCESS_NOT_READY"
    missing = start(empty_gql, "proc_00000000000000000000000000")
    assert missing["__typename"] == "NotFoundError"
    assert start(empty_gql, disabled, wait=61)["__typename"] == "ValidationError"
    assert empty_gql.data("{ runs { totalCount } }")["runs"]["totalCount"] == 0


def test_the_throttle_refuses_starts_past_its_allowance(empty_gql: GraphQLClient) -> None:
    process_id = create_process(empty_gql, throttle={"maxRuns": 2, "windowSeconds": 43200})
    first = started_run(empty_gql, process_id)
    started_run(empty_gql, process_id)
    refused = start(empty_gql, process_id)
    assert refused["__typename"] == "ThrottledError" and refused["code"] == "THROTTLED"
    assert 43000 < refused["retryAfter"] <= 43200
    # A run that ends without success does not use up the allowance (Graph counts successful runs).
    cancelled = empty_gql.data(CANCEL_RUN, {"id": first["id"]})["cancelRun"]
    assert cancelled["run"]["status"] == "CANCELLED"
    assert start(empty_gql, process_id)["__typename"] == "StartRunPayload"
    assert empty_gql.data("{ runs { totalCount } }")["runs"]["totalCount"] == 3


def test_wait_returns_the_run_as_it_is_when_the_time_is_up(empty_gql: GraphQLClient) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id, wait=1)
    assert run["status"] == "PENDING"


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ({}, "SUCCEEDED"),
        ({"audit": {"statistics": {"processed": 10, "warnings": 2}}}, "SUCCEEDED_WITH_WARNINGS"),
        ({"load": {"status": "SUCCEEDED_WITH_WARNINGS"}}, "SUCCEEDED_WITH_WARNINGS"),
        (
            {
                "load": {"statistics": {"processed": 10, "failed": 3}},
                "audit": {"statistics": {"warnings": 1}},
            },
            "PARTIALLY_SUCCEEDED",
        ),
        ({"audit": {"status": "PARTIALLY_SUCCEEDED"}}, "PARTIALLY_SUCCEEDED"),
        (
            {
                "load": {
                    "status": "FAILED",
                    "blockingError": {
                        "code": "Quota",
                        "message": "Out of quota",
                        "category": "QUOTA",
                    },
                }
            },
            "FAILED",
        ),
        ({"audit": {"status": "TIMED_OUT"}}, "TIMED_OUT"),
    ],
)
def test_the_run_status_rolls_up_from_its_activities(
    empty_gql: GraphQLClient, outcomes: dict[str, dict[str, Any]], expected: str
) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id)
    for key in ("extract", "load", "report", "audit"):
        fields = {"statistics": {"processed": 100}, **outcomes.get(key, {})}
        run = finish(empty_gql, run, key, **fields)
        if key != "audit":
            assert run["status"] == "RUNNING", (key, run["status"])
    assert run["status"] == expected
    assert run["sourceStatus"] == expected
    assert run["startDateTime"] == "2026-11-20T10:00:00Z"
    assert run["endDateTime"] == "2026-11-20T10:05:00Z"
    assert run["durations"]["totalMs"] == 300_000
    processed = sum(
        {"statistics": {"processed": 100}, **outcomes.get(k, {})}["statistics"].get("processed", 0)
        for k in ("extract", "load", "report", "audit")
    )
    assert run["statistics"]["processed"] == processed
    if expected == "FAILED":
        assert run["blockingError"] == {"code": "Quota", "category": "QUOTA"}


def test_concurrent_updates_with_if_match_one_wins_and_nothing_is_lost(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id)
    act = activity(run, "extract")
    first = report(
        empty_gql, act["id"], act["eTag"], status="RUNNING", startDateTime="2026-11-20T10:00:00Z"
    )
    second = report(empty_gql, act["id"], act["eTag"], status="SKIPPED")
    assert first["__typename"] == "UpdateActivityPayload"
    assert second["__typename"] == "PreconditionFailedError"
    assert second["currentETag"] == first["activity"]["eTag"] != act["eTag"]
    now = empty_gql.data(RUN, {"id": run["id"]})["run"]
    assert activity(now, "extract")["status"] == "RUNNING"
    assert now["status"] == "RUNNING"


def test_illegal_transitions_are_refused_and_change_nothing(empty_gql: GraphQLClient) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id)
    run = finish(empty_gql, run, "extract")
    act = activity(run, "extract")
    again = report(empty_gql, act["id"], status="RUNNING")
    assert again["__typename"] == "InvalidTransitionError"
    assert (again["fromStatus"], again["toStatus"]) == ("SUCCEEDED", "RUNNING")
    for key in ("load", "report", "audit"):
        run = finish(empty_gql, run, key)
    update = empty_gql.data(
        "mutation ($id: ID!) { updateRun(id: $id, input: {status: RUNNING}) { __typename "
        "... on InvalidTransitionError { fromStatus toStatus } } }",
        {"id": run["id"]},
    )["updateRun"]
    assert update == {
        "__typename": "InvalidTransitionError",
        "fromStatus": "SUCCEEDED",
        "toStatus": "RUNNING",
    }
    assert empty_gql.data(RUN, {"id": run["id"]})["run"]["eTag"] == run["eTag"]


def test_cancel_stops_pending_activities_and_waits_for_running_ones(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id)
    extract = activity(run, "extract")
    report(empty_gql, extract["id"], status="RUNNING", startDateTime="2026-11-20T10:00:00Z")
    cancelled = empty_gql.data(CANCEL_RUN, {"id": run["id"], "reason": "wrong day"})["cancelRun"]
    assert cancelled["run"]["status"] == "CANCELLING"
    statuses = {a["key"]: a["status"] for a in cancelled["run"]["activities"]["nodes"]}
    assert statuses == {
        "extract": "RUNNING",
        "load": "CANCELLED",
        "report": "CANCELLED",
        "audit": "CANCELLED",
    }
    done = report(empty_gql, extract["id"], status="CANCELLED", endDateTime="2026-11-20T10:01:00Z")
    assert done["run"]["status"] == "CANCELLED"
    assert done["run"]["endDateTime"] == "2026-11-20T10:01:00Z"
    refused = empty_gql.data(CANCEL_RUN, {"id": run["id"]})["cancelRun"]
    assert refused["__typename"] == "InvalidTransitionError"
    assert (refused["fromStatus"], refused["toStatus"]) == ("CANCELLED", "CANCELLED")
    history = empty_gql.data(
        "query ($id: ID!) { run(id: $id) { statusHistory { kind fromStatus toStatus reason actor } } }",
        {"id": run["id"]},
    )["run"]["statusHistory"]
    assert [(e["kind"], e["fromStatus"], e["toStatus"]) for e in history] == [
        ("CREATED", None, "PENDING"),
        ("UPDATED", "PENDING", "RUNNING"),
        ("UPDATED", "RUNNING", "CANCELLING"),
        ("UPDATED", "CANCELLING", "CANCELLED"),
    ]
    assert history[2]["reason"] == "wrong day"


def test_a_retry_chain_three_attempts_deep(empty_gql: GraphQLClient) -> None:
    process_id = create_process(empty_gql)
    first = started_run(empty_gql, process_id)
    first = empty_gql.data(CANCEL_RUN, {"id": first["id"]})["cancelRun"]["run"]
    second = empty_gql.data(RETRY_RUN, {"id": first["id"]})["retryRun"]["run"]
    assert second["attemptNumber"] == 2 and second["isLatestAttempt"]
    assert second["originalAttemptRun"]["id"] == first["id"]
    assert second["previousAttemptRun"]["id"] == first["id"]
    assert second["trigger"]["type"] == "RETRY"
    empty_gql.data(CANCEL_RUN, {"id": second["id"]})
    third = empty_gql.data(RETRY_RUN, {"id": second["id"]})["retryRun"]["run"]
    assert third["attemptNumber"] == 3
    assert third["originalAttemptRun"]["id"] == first["id"]
    assert third["previousAttemptRun"]["id"] == second["id"]
    latest = {
        r["id"]: r["isLatestAttempt"]
        for r in empty_gql.data("{ runs { nodes { id isLatestAttempt } } }")["runs"]["nodes"]
    }
    assert latest == {first["id"]: False, second["id"]: False, third["id"]: True}
    stale = empty_gql.data(RETRY_RUN, {"id": first["id"]})["retryRun"]
    assert stale["__typename"] == "ConflictError"
    active = empty_gql.data(RETRY_RUN, {"id": third["id"]})["retryRun"]
    assert active["__typename"] == "InvalidTransitionError"


def test_retry_from_failure_reruns_failed_activities_and_their_dependents(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id)
    run = finish(empty_gql, run, "extract", statistics={"processed": 7})
    run = finish(empty_gql, run, "audit", statistics={"processed": 5})
    run = finish(empty_gql, run, "load", status="FAILED")
    run = report(empty_gql, activity(run, "report")["id"], status="SKIPPED")["run"]
    assert run["status"] == "FAILED"
    retried = empty_gql.data(
        RETRY_RUN, {"id": run["id"], "input": {"fromFailure": True, "idempotencyKey": "r1"}}
    )["retryRun"]
    new = retried["run"]
    statuses = {a["key"]: (a["status"], a["attemptNumber"]) for a in new["activities"]["nodes"]}
    assert statuses == {
        "extract": ("SUCCEEDED", 1),
        "load": ("PENDING", 2),
        "report": ("PENDING", 2),
        "audit": ("SUCCEEDED", 1),
    }
    assert new["statistics"]["processed"] == 12  # carried over from extract and audit
    assert new["status"] == "RUNNING"
    again = empty_gql.data(
        RETRY_RUN, {"id": run["id"], "input": {"fromFailure": True, "idempotencyKey": "r1"}}
    )["retryRun"]
    assert again["replayed"] is True and again["run"]["id"] == new["id"]
    new = finish(empty_gql, new, "load")
    new = finish(empty_gql, new, "report")
    assert new["status"] == "SUCCEEDED"


def test_delete_is_refused_for_an_active_run_and_leaves_a_tombstone(
    empty_gql: GraphQLClient,
) -> None:
    process_id = create_process(empty_gql)
    run = started_run(empty_gql, process_id)
    delete = "mutation ($id: ID!) { deleteRun(id: $id) { __typename ... on InvalidTransitionError { fromStatus } } }"
    refused = empty_gql.data(delete, {"id": run["id"]})["deleteRun"]
    assert refused == {"__typename": "InvalidTransitionError", "fromStatus": "PENDING"}
    empty_gql.data(CANCEL_RUN, {"id": run["id"]})
    assert (
        empty_gql.data(delete, {"id": run["id"]})["deleteRun"]["__typename"] == "DeleteRunPayload"
    )
    assert empty_gql.data(RUN, {"id": run["id"]})["run"] is None
    gone = empty_gql.data(
        "query ($id: ID!) { node(id: $id) { id } }", {"id": activity(run, "extract")["id"]}
    )
    assert gone["node"] is None


BULK = """
mutation ($filter: String, $dryRun: Boolean!) {
  %s(filter: $filter, dryRun: $dryRun) {
    __typename
    ... on BulkRunsPayload { dryRun matched changed sample { id } outcomes { runId changed status reason } }
    ... on ValidationError { code field message }
  }
}
"""


def test_bulk_dry_runs_count_what_the_real_change_does(gql: GraphQLClient) -> None:
    window = "createdDateTime ge 2026-10-25T00:00:00Z"
    before = gql.data(
        f'{{ active: runs(filter: "{window} and isActive eq true") {{ totalCount }} '
        f'all: runs(filter: "{window}") {{ totalCount }} }}'
    )
    dry = gql.data(BULK % "cancelRuns", {"filter": window, "dryRun": True})["cancelRuns"]
    assert dry["dryRun"] and dry["matched"] == before["all"]["totalCount"]
    assert dry["changed"] == before["active"]["totalCount"] > 0
    assert len(dry["sample"]) == min(10, dry["changed"])
    unchanged = gql.data(f'{{ runs(filter: "{window} and isActive eq true") {{ totalCount }} }}')
    assert unchanged == {"runs": before["active"]}
    real = gql.data(BULK % "cancelRuns", {"filter": window, "dryRun": False})["cancelRuns"]
    assert (real["matched"], real["changed"]) == (dry["matched"], dry["changed"])
    assert {o["runId"] for o in real["outcomes"] if o["changed"]} == {
        o["runId"] for o in dry["outcomes"] if o["changed"]
    }
    assert all(o["status"] in ("CANCELLING", "CANCELLED") for o in real["outcomes"] if o["changed"])

    dry_delete = gql.data(BULK % "deleteRuns", {"filter": window, "dryRun": True})["deleteRuns"]
    terminal = gql.data(f'{{ runs(filter: "{window} and isTerminal eq true") {{ totalCount }} }}')
    assert dry_delete["changed"] == terminal["runs"]["totalCount"]
    real_delete = gql.data(BULK % "deleteRuns", {"filter": window, "dryRun": False})["deleteRuns"]
    assert real_delete["changed"] == dry_delete["changed"]
    left = gql.data(f'{{ runs(filter: "{window}") {{ totalCount }} }}')["runs"]["totalCount"]
    assert left == dry_delete["matched"] - dry_delete["changed"]


def test_bulk_changes_need_a_valid_filter(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "MAX_BULK_RUNS", 100)
    total = gql.data("{ runs { totalCount } }")
    none = gql.data(BULK % "deleteRuns", {"dryRun": False})["deleteRuns"]
    assert none["__typename"] == "ValidationError" and none["field"] == "filter"
    bad = gql.data(BULK % "cancelRuns", {"filter": "status eq", "dryRun": False})["cancelRuns"]
    assert bad["__typename"] == "ValidationError" and bad["field"] == "filter"
    everything = gql.data(BULK % "deleteRuns", {"filter": "true", "dryRun": False})["deleteRuns"]
    assert everything["__typename"] == "ValidationError"
    assert "100 runs" in everything["message"]
    assert gql.data("{ runs { totalCount } }") == total


def test_status_history_records_actor_and_request_id(empty_gql: GraphQLClient) -> None:
    process_id = create_process(empty_gql)
    response = empty_gql.http.post(
        "/graphql",
        json={
            "query": "mutation ($p: ID!) { startRun(input: {processId: $p}) { ... on StartRunPayload { run { id } } } }",
            "variables": {"p": process_id},
        },
        headers={"X-Request-Id": "req-start-1"},
    )
    run_id = response.json()["data"]["startRun"]["run"]["id"]
    history = empty_gql.data(
        "query ($id: ID!) { run(id: $id) { statusHistory { seq kind toStatus requestId at } } }",
        {"id": run_id},
    )["run"]["statusHistory"]
    assert [(e["kind"], e["toStatus"], e["requestId"]) for e in history] == [
        ("CREATED", "PENDING", "req-start-1")
    ]
    bad = empty_gql(
        "query ($id: ID!) { run(id: $id) { statusHistory(last: 0) { seq } } }", {"id": run_id}
    )
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_PAGE_SIZE"

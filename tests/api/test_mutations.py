"""Writes over GraphQL over HTTP: typed results, ETags, one transaction each, nothing changed on error."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import GraphQLClient

CREATE_PROCESS = """
mutation ($input: CreateProcessInput!) {
  createProcess(input: $input) {
    __typename
    ... on CreateProcessPayload { process { id eTag displayName source kind activityDefinitions { key } } }
    ... on ValidationError { code message field }
    ... on ConflictError { code message }
  }
}
"""
UPDATE_PROCESS = """
mutation ($id: ID!, $input: UpdateProcessInput!, $ifMatch: String) {
  updateProcess(id: $id, input: $input, ifMatch: $ifMatch) {
    __typename
    ... on UpdateProcessPayload { process { eTag displayName description schedule } }
    ... on PreconditionFailedError { code message id currentETag }
    ... on Error { code message }
  }
}
"""
CREATE_RUN = """
mutation ($input: CreateRunInput!) {
  createRun(input: $input) {
    __typename
    ... on CreateRunPayload {
      run {
        __typename id status sourceStatus eTag durations { queueMs totalMs }
        activities { totalCount nodes { __typename key status sourceStatus dependsOn } }
        ... on DatabricksRun { jobId runType }
      }
    }
    ... on ValidationError { code message field }
  }
}
"""
UPDATE_RUN = """
mutation ($id: ID!, $input: UpdateRunInput!, $ifMatch: String) {
  updateRun(id: $id, input: $input, ifMatch: $ifMatch) {
    __typename
    ... on UpdateRunPayload { run { status sourceStatus eTag endDateTime displayName } }
    ... on PreconditionFailedError { currentETag }
    ... on InvalidTransitionError { code fromStatus toStatus }
    ... on Error { code message }
  }
}
"""
DELETE_RUN = """
mutation ($id: ID!, $ifMatch: String) {
  deleteRun(id: $id, ifMatch: $ifMatch) {
    __typename
    ... on DeleteRunPayload { deletedRunId }
    ... on InvalidTransitionError { code fromStatus toStatus message }
    ... on Error { code message }
  }
}
"""


def _job(gql: GraphQLClient, **extra: Any) -> dict[str, Any]:
    result = gql.data(
        CREATE_PROCESS,
        {
            "input": {
                "source": "DATABRICKS",
                "kind": "DATABRICKS_JOB",
                "sourceId": "314",
                "displayName": "Nightly features",
                "activityDefinitions": [
                    {"key": "ingest", "displayName": "Ingest", "kind": "DATABRICKS_TASK"},
                    {
                        "key": "train",
                        "displayName": "Train",
                        "kind": "DATABRICKS_TASK",
                        "dependsOn": ["ingest"],
                    },
                ],
                **extra,
            }
        },
    )["createProcess"]
    assert result["__typename"] == "CreateProcessPayload", result
    process: dict[str, Any] = result["process"]
    return process


def _run(gql: GraphQLClient, process_id: str, **extra: Any) -> dict[str, Any]:
    result = gql.data(
        CREATE_RUN,
        {
            "input": {
                "processId": process_id,
                "sourceStatus": "RUNNING",
                "startDateTime": "2026-11-01T10:00:00+02:00",
                "databricks": {"jobId": 314, "runType": "JOB_RUN"},
                "activities": [
                    {
                        "key": "ingest",
                        "displayName": "Ingest",
                        "sourceStatus": "TERMINATED/SUCCESS",
                    },
                    {"key": "train", "displayName": "Train", "dependsOn": ["ingest"]},
                ],
                **extra,
            }
        },
    )["createRun"]
    assert result["__typename"] == "CreateRunPayload", result
    run: dict[str, Any] = result["run"]
    return run


def test_create_a_process_and_a_run_with_its_activities(empty_gql: GraphQLClient) -> None:
    process = _job(empty_gql)
    assert process["eTag"] == 'W/"1"'
    assert [d["key"] for d in process["activityDefinitions"]] == ["ingest", "train"]
    run = _run(empty_gql, process["id"])
    assert run["__typename"] == "DatabricksRun"
    assert (run["status"], run["sourceStatus"]) == ("RUNNING", "RUNNING")
    assert run["jobId"] == 314
    acts = run["activities"]["nodes"]
    assert [(a["__typename"], a["key"], a["status"]) for a in acts] == [
        ("DatabricksTask", "ingest", "SUCCEEDED"),
        ("DatabricksTask", "train", "PENDING"),
    ]
    assert acts[1]["dependsOn"] == ["ingest"]
    found = empty_gql.data("query ($id: ID!) { run(id: $id) { startDateTime } }", {"id": run["id"]})
    assert found["run"]["startDateTime"] == "2026-11-01T08:00:00Z"  # offsets are normalised


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"displayName": "  "}, "displayName"),
        ({"sourceId": ""}, "sourceId"),
        ({"schedule": "*/5 * *"}, "schedule"),
        ({"kind": "INBOUND_FLOW"}, "kind"),
        (
            {"activityDefinitions": [{"key": "a", "displayName": "A", "kind": "DATAZONE_ASSET"}]},
            "activityDefinitions[0].kind",
        ),
        ({"workspaceId": "ws_01M8134PPTCNZ0V8HYBHN3DBRR"}, "workspaceId"),
    ],
)
def test_an_invalid_process_names_the_field_and_changes_nothing(
    empty_gql: GraphQLClient, extra: dict[str, Any], field: str
) -> None:
    base = {"source": "DATABRICKS", "kind": "DATABRICKS_JOB", "displayName": "Job"}
    result = empty_gql.data(CREATE_PROCESS, {"input": {**base, **extra}})["createProcess"]
    assert result["__typename"] == "ValidationError"
    assert (result["code"], result["field"]) == ("VALIDATION_FAILED", field)
    assert empty_gql.data("{ processes { totalCount } }")["processes"]["totalCount"] == 0


def test_a_duplicate_source_id_is_a_conflict(empty_gql: GraphQLClient) -> None:
    _job(empty_gql)
    again = empty_gql.data(
        CREATE_PROCESS,
        {
            "input": {
                "source": "DATABRICKS",
                "kind": "DATABRICKS_JOB",
                "sourceId": "314",
                "displayName": "x",
            }
        },
    )["createProcess"]
    assert again["__typename"] == "ConflictError"
    assert "UNIQUE" not in again["message"] and "processes" not in again["message"]


def test_a_stale_if_match_is_refused_with_the_current_etag(empty_gql: GraphQLClient) -> None:
    process = _job(empty_gql)
    first = empty_gql.data(
        UPDATE_PROCESS,
        {"id": process["id"], "input": {"description": "one"}, "ifMatch": process["eTag"]},
    )["updateProcess"]
    assert first["__typename"] == "UpdateProcessPayload"
    assert first["process"]["eTag"] == 'W/"2"'
    assert first["process"]["displayName"] == "Nightly features"  # left out, kept
    stale = empty_gql.data(
        UPDATE_PROCESS,
        {"id": process["id"], "input": {"description": "two"}, "ifMatch": process["eTag"]},
    )["updateProcess"]
    assert stale["__typename"] == "PreconditionFailedError"
    assert (stale["code"], stale["currentETag"], stale["id"]) == (
        "PRECONDITION_FAILED",
        'W/"2"',
        process["id"],
    )
    current = empty_gql.data(
        "query ($id: ID!) { process(id: $id) { description eTag } }", {"id": process["id"]}
    )["process"]
    assert current == {"description": "one", "eTag": 'W/"2"'}
    cleared = empty_gql.data(UPDATE_PROCESS, {"id": process["id"], "input": {"description": None}})[
        "updateProcess"
    ]
    assert cleared["process"]["description"] is None


def test_an_invalid_run_names_the_field_and_changes_nothing(empty_gql: GraphQLClient) -> None:
    process = _job(empty_gql)
    cases = [
        ({"endDateTime": "2026-11-01T07:00:00Z"}, "endDateTime"),
        ({"dataFactory": {"tableName": "t"}}, "tableName"),
        ({"statistics": {"errors": -3}}, "statistics.errors"),
        (
            {"activities": [{"key": "a", "displayName": "A"}, {"key": "a", "displayName": "B"}]},
            "activities",
        ),
        ({"processId": "proc_01M8134PPTCNZ0V8HYBHN3DBRR"}, "processId"),
    ]
    for extra, field in cases:
        result = empty_gql.data(
            CREATE_RUN,
            {
                "input": {
                    "processId": process["id"],
                    "startDateTime": "2026-11-01T10:00:00Z",
                    **extra,
                }
            },
        )["createRun"]
        assert result["__typename"] == "ValidationError", (extra, result)
        assert result["field"] == field
    assert empty_gql.data("{ runs { totalCount } }")["runs"]["totalCount"] == 0


def test_a_bad_scalar_is_a_graphql_error_naming_the_problem(empty_gql: GraphQLClient) -> None:
    process = _job(empty_gql)
    body = empty_gql(
        CREATE_RUN,
        {"input": {"processId": process["id"], "startDateTime": "yesterday"}},
    )
    assert "ISO 8601" in body["errors"][0]["message"]
    assert empty_gql.data("{ runs { totalCount } }")["runs"]["totalCount"] == 0


def test_update_run_follows_the_rules(empty_gql: GraphQLClient) -> None:
    process = _job(empty_gql)
    run = _run(empty_gql, process["id"])
    done = empty_gql.data(
        UPDATE_RUN,
        {
            "id": run["id"],
            "input": {"sourceStatus": "TERMINATED/SUCCESS", "endDateTime": "2026-11-01T08:30:00Z"},
            "ifMatch": run["eTag"],
        },
    )["updateRun"]
    assert done["__typename"] == "UpdateRunPayload"
    assert done["run"]["status"] == "SUCCEEDED"
    back = empty_gql.data(UPDATE_RUN, {"id": run["id"], "input": {"status": "RUNNING"}})[
        "updateRun"
    ]
    assert back == {
        "__typename": "InvalidTransitionError",
        "code": "INVALID_TRANSITION",
        "fromStatus": "SUCCEEDED",
        "toStatus": "RUNNING",
        "message": back["message"],
    }
    stale = empty_gql.data(
        UPDATE_RUN, {"id": run["id"], "input": {"displayName": "x"}, "ifMatch": run["eTag"]}
    )["updateRun"]
    assert stale["__typename"] == "PreconditionFailedError"
    assert stale["currentETag"] == done["run"]["eTag"]
    missing = empty_gql.data(
        UPDATE_RUN, {"id": "run_01M8134PPTCNZ0V8HYBHN3DBRR", "input": {"displayName": "x"}}
    )["updateRun"]
    assert (missing["__typename"], missing["code"]) == ("NotFoundError", "NOT_FOUND")


def test_delete_run_only_when_finished_and_delete_process_only_when_empty(
    empty_gql: GraphQLClient,
) -> None:
    process = _job(empty_gql)
    run = _run(empty_gql, process["id"])
    refused = empty_gql.data(DELETE_RUN, {"id": run["id"]})["deleteRun"]
    assert refused["__typename"] == "InvalidTransitionError"
    blocked = empty_gql.data(
        "mutation ($id: ID!) { deleteProcess(id: $id) { __typename ... on Error { code } } }",
        {"id": process["id"]},
    )["deleteProcess"]
    assert blocked == {"__typename": "ConflictError", "code": "CONFLICT"}
    empty_gql.data(UPDATE_RUN, {"id": run["id"], "input": {"status": "CANCELLED"}})
    deleted = empty_gql.data(DELETE_RUN, {"id": run["id"]})["deleteRun"]
    assert deleted == {"__typename": "DeleteRunPayload", "deletedRunId": run["id"]}
    assert (
        empty_gql.data("query ($id: ID!) { run(id: $id) { id } }", {"id": run["id"]})["run"] is None
    )
    gone = empty_gql.data(
        "mutation ($id: ID!) { deleteProcess(id: $id) { __typename } }", {"id": process["id"]}
    )
    assert gone["deleteProcess"]["__typename"] == "DeleteProcessPayload"


async def test_every_change_appends_a_run_event(
    empty_location: Path, client_factory: Callable[[Path], GraphQLClient]
) -> None:
    from gateway.store import events
    from gateway.store.engines import database_for

    empty_gql = client_factory(empty_location)
    process = _job(empty_gql)
    run = _run(empty_gql, process["id"])
    empty_gql.data(UPDATE_RUN, {"id": run["id"], "input": {"status": "FAILED"}})
    empty_gql.data(DELETE_RUN, {"id": run["id"]})
    async with database_for(empty_location, readers=1) as db, db.read() as conn:
        history = await events.for_run(conn, run["id"])
    assert [
        (e.kind.value, e.from_status and e.from_status.value, e.to_status and e.to_status.value)
        for e in history
    ] == [
        ("CREATED", None, "RUNNING"),
        ("UPDATED", "RUNNING", "FAILED"),
        ("DELETED", "FAILED", None),
    ]
    assert all(e.request_id for e in history)

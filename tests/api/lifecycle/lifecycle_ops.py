"""Operations and helpers shared by the lifecycle tests: a client drives runs like an executor."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQLClient

RUN_FIELDS = """
  id status sourceStatus eTag attemptNumber isLatestAttempt startDateTime endDateTime
  durations { totalMs } trigger { type invokedBy }
  statistics { processed failed errors warnings }
  blockingError { code category }
  originalAttemptRun { id } previousAttemptRun { id }
  activities { nodes { id key status eTag attemptNumber statistics { processed } } }
"""
CREATE_PROCESS = """
mutation ($input: CreateProcessInput!) {
  createProcess(input: $input) {
    __typename
    ... on CreateProcessPayload { process { id eTag throttle { maxRuns windowSeconds } } }
    ... on Error { code message }
  }
}
"""
START_RUN = f"""
mutation ($input: StartRunInput!) {{
  startRun(input: $input) {{
    __typename
    ... on StartRunPayload {{ replayed run {{ {RUN_FIELDS} }} }}
    ... on ThrottledError {{ retryAfter }}
    ... on ProcessNotReadyError {{ readinessStatus }}
    ... on IdempotencyKeyReusedError {{ key }}
    ... on ValidationError {{ field }}
    ... on Error {{ code message }}
  }}
}}
"""
UPDATE_ACTIVITY = f"""
mutation ($id: ID!, $input: UpdateActivityInput!, $ifMatch: String) {{
  updateActivity(id: $id, input: $input, ifMatch: $ifMatch) {{
    __typename
    ... on UpdateActivityPayload {{ activity {{ status eTag }} run {{ {RUN_FIELDS} }} }}
    ... on PreconditionFailedError {{ currentETag }}
    ... on InvalidTransitionError {{ fromStatus toStatus }}
    ... on Error {{ code message }}
  }}
}}
"""
CANCEL_RUN = f"""
mutation ($id: ID!, $reason: String, $ifMatch: String) {{
  cancelRun(id: $id, reason: $reason, ifMatch: $ifMatch) {{
    __typename
    ... on CancelRunPayload {{ run {{ {RUN_FIELDS} }} }}
    ... on InvalidTransitionError {{ fromStatus toStatus }}
    ... on Error {{ code message }}
  }}
}}
"""
RETRY_RUN = f"""
mutation ($id: ID!, $input: RetryRunInput) {{
  retryRun(id: $id, input: $input) {{
    __typename
    ... on RetryRunPayload {{ replayed run {{ {RUN_FIELDS} }} }}
    ... on InvalidTransitionError {{ fromStatus toStatus }}
    ... on Error {{ code message }}
  }}
}}
"""
RUN = f"query ($id: ID!) {{ run(id: $id) {{ {RUN_FIELDS} }} }}"

DEFINITIONS = [
    {"key": "extract", "displayName": "Extract", "kind": "GATEWAY_ACTIVITY"},
    {"key": "load", "displayName": "Load", "kind": "GATEWAY_ACTIVITY", "dependsOn": ["extract"]},
    {"key": "report", "displayName": "Report", "kind": "GATEWAY_ACTIVITY", "dependsOn": ["load"]},
    {"key": "audit", "displayName": "Audit", "kind": "GATEWAY_ACTIVITY"},
    {"key": "archive", "displayName": "Archive", "kind": "GATEWAY_ACTIVITY", "enabled": False},
]


def create_process(gql: GraphQLClient, **fields: Any) -> str:
    process_input = {
        "source": "GATEWAY",
        "kind": "GATEWAY_PROCESS",
        "displayName": "Nightly load",
        "activityDefinitions": DEFINITIONS,
        **fields,
    }
    result = gql.data(CREATE_PROCESS, {"input": process_input})["createProcess"]
    assert result["__typename"] == "CreateProcessPayload", result
    process_id: str = result["process"]["id"]
    return process_id


def start(gql: GraphQLClient, process_id: str, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = gql.data(START_RUN, {"input": {"processId": process_id, **fields}})[
        "startRun"
    ]
    return result


def started_run(gql: GraphQLClient, process_id: str, **fields: Any) -> dict[str, Any]:
    result = start(gql, process_id, **fields)
    assert result["__typename"] == "StartRunPayload", result
    run: dict[str, Any] = result["run"]
    return run


def activity(run: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in run["activities"]["nodes"] if a["key"] == key)
    return found


def report(
    gql: GraphQLClient, activity_id: str, if_match: str | None = None, **fields: Any
) -> dict[str, Any]:
    result: dict[str, Any] = gql.data(
        UPDATE_ACTIVITY, {"id": activity_id, "input": fields, "ifMatch": if_match}
    )["updateActivity"]
    return result


def finish(gql: GraphQLClient, run: dict[str, Any], key: str, **fields: Any) -> dict[str, Any]:
    """Run an activity from start to end; returns the run after it."""
    act = activity(run, key)
    report(gql, act["id"], status="RUNNING", startDateTime="2026-11-20T10:00:00Z")
    fields.setdefault("status", "SUCCEEDED")
    result = report(gql, act["id"], endDateTime="2026-11-20T10:05:00Z", **fields)
    assert result["__typename"] == "UpdateActivityPayload", result
    after: dict[str, Any] = result["run"]
    return after

"""`createProcess` is safe to re-run: a setup script run again makes no second process (by its
`sourceId` with `ifExists`, or by an idempotency key), and a conflict names the existing process."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient

CREATE_PROCESS = """
mutation ($input: CreateProcessInput!) {
  createProcess(input: $input) {
    __typename
    ... on CreateProcessPayload {
      created replayed process { id displayName schedule eTag sourceId }
    }
    ... on ConflictError { code message existingId }
    ... on IdempotencyKeyReusedError { code key }
    ... on Error { code message }
  }
}
"""
PROCESSES = "{ processes { totalCount nodes { id displayName schedule } } }"

SETUP = {
    "source": "GATEWAY",
    "kind": "GATEWAY_PROCESS",
    "sourceId": "nightly-sis-import",
    "displayName": "Nightly SIS import",
    "schedule": "0 2 * * *",
    "activityDefinitions": [{"key": "load", "displayName": "Load", "kind": "GATEWAY_ACTIVITY"}],
}


def _create(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = gql.data(CREATE_PROCESS, {"input": {**SETUP, **fields}})[
        "createProcess"
    ]
    return result


def test_a_conflict_carries_the_existing_process_id(empty_gql: GraphQLClient) -> None:
    first = _create(empty_gql)
    assert first["__typename"] == "CreateProcessPayload" and first["created"] is True
    again = _create(empty_gql)
    assert again["__typename"] == "ConflictError" and again["code"] == "CONFLICT"
    assert again["existingId"] == first["process"]["id"]
    assert "ifExists" in again["message"]
    assert empty_gql.data(PROCESSES)["processes"]["totalCount"] == 1


@pytest.mark.parametrize("if_exists", ["RETURN_EXISTING", "UPDATE_EXISTING"])
def test_a_setup_script_run_four_times_makes_one_process_and_one_schedule(
    empty_gql: GraphQLClient, if_exists: str
) -> None:
    results = [_create(empty_gql, ifExists=if_exists) for _ in range(4)]
    assert [r["__typename"] for r in results] == ["CreateProcessPayload"] * 4
    assert [r["created"] for r in results] == [True, False, False, False]
    assert len({r["process"]["id"] for r in results}) == 1
    assert len({r["process"]["eTag"] for r in results}) == 1  # an unchanged input changes nothing
    found = empty_gql.data(PROCESSES)["processes"]
    assert found["totalCount"] == 1
    assert [p["schedule"] for p in found["nodes"]] == ["0 2 * * *"]


def test_update_existing_changes_the_process_to_match_and_return_existing_does_not(
    empty_gql: GraphQLClient,
) -> None:
    first = _create(empty_gql)["process"]
    kept = _create(empty_gql, ifExists="RETURN_EXISTING", schedule="0 3 * * *")
    assert kept["created"] is False and kept["process"]["schedule"] == "0 2 * * *"
    changed = _create(
        empty_gql, ifExists="UPDATE_EXISTING", schedule="0 3 * * *", displayName="SIS import"
    )
    assert changed["created"] is False and changed["process"]["id"] == first["id"]
    assert changed["process"]["schedule"] == "0 3 * * *"
    assert changed["process"]["displayName"] == "SIS import"
    assert changed["process"]["eTag"] != first["eTag"]
    refused = _create(empty_gql, ifExists="UPDATE_EXISTING", schedule="every night")
    assert refused["__typename"] == "ValidationError"
    assert empty_gql.data(PROCESSES)["processes"]["nodes"] == [
        {"id": first["id"], "displayName": "SIS import", "schedule": "0 3 * * *"}
    ]


def test_an_idempotency_key_makes_a_process_without_source_id_once(
    empty_gql: GraphQLClient,
) -> None:
    no_source_id = {k: v for k, v in SETUP.items() if k != "sourceId"}
    variables = {"input": {**no_source_id, "idempotencyKey": "setup-2026-12"}}
    results = [empty_gql.data(CREATE_PROCESS, variables)["createProcess"] for _ in range(4)]
    assert [(r["created"], r["replayed"]) for r in results] == [(True, False)] + [(False, True)] * 3
    assert len({r["process"]["id"] for r in results}) == 1
    reused = empty_gql.data(
        CREATE_PROCESS,
        {"input": {**no_source_id, "displayName": "Other", "idempotencyKey": "setup-2026-12"}},
    )["createProcess"]
    assert reused["__typename"] == "IdempotencyKeyReusedError"
    assert reused["key"] == "setup-2026-12"
    assert empty_gql.data(PROCESSES)["processes"]["totalCount"] == 1

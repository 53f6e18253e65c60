"""`/odata/` writes through HTTP: PATCH with If-Match (428, 412, 200), the bound actions start,
cancel and retry with GraphQL's idempotency keys, scopes, workspaces, and middleware errors in the
OData shape."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gateway.domain.auth import Scope
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, FABRIKAM, make_token


def _first(gql: GraphQLClient, url: str) -> dict[str, Any]:
    response = gql.http.get(url)
    assert response.status_code == 200, response.text
    value: dict[str, Any] = response.json()["value"][0]
    return value


def _active_run(gql: GraphQLClient) -> dict[str, Any]:
    return _first(gql, "/odata/Runs?$top=1&$filter=isActive eq true")


def _ready_process(gql: GraphQLClient) -> dict[str, Any]:
    return _first(
        gql, "/odata/Processes?$top=1&$filter=readinessStatus eq 'READY' and source eq 'GATEWAY'"
    )


def test_patch_needs_if_match_and_refuses_a_stale_etag(gql: GraphQLClient) -> None:
    run = _active_run(gql)
    url = f"/odata/Runs('{run['id']}')"
    missing = gql.http.patch(url, json={"displayName": "renamed"})
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "PRECONDITION_REQUIRED"
    stale = gql.http.patch(url, json={"displayName": "renamed"}, headers={"If-Match": 'W/"99"'})
    assert stale.status_code == 412
    assert stale.headers["etag"] == run["@odata.etag"]
    assert stale.json()["error"]["innererror"]["currentETag"] == run["@odata.etag"]
    assert gql.http.get(url).json()["displayName"] == run["displayName"]  # nothing changed

    done = gql.http.patch(
        url, json={"displayName": "renamed"}, headers={"If-Match": run["@odata.etag"]}
    )
    assert done.status_code == 200, done.text
    assert done.json()["displayName"] == "renamed"
    assert done.headers["etag"] == done.json()["@odata.etag"] != run["@odata.etag"]
    seen = gql.data("query ($id: ID!) { run(id: $id) { displayName eTag } }", {"id": run["id"]})
    assert seen["run"] == {"displayName": "renamed", "eTag": done.headers["etag"]}
    again = gql.http.patch(url, json={"displayName": "x"}, headers={"If-Match": run["@odata.etag"]})
    assert again.status_code == 412  # the first ETag is stale now
    minimal = gql.http.patch(
        url, json={"displayName": "y"}, headers={"If-Match": "*", "Prefer": "return=minimal"}
    )
    assert minimal.status_code == 204 and minimal.headers["etag"].startswith('W/"')


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"nosuch": 1}, "VALIDATION_FAILED"),
        ({"status": None}, "VALIDATION_FAILED"),
        ({"status": "NOPE"}, "VALIDATION_FAILED"),
        ({"startDateTime": "yesterday"}, "VALIDATION_FAILED"),
        ({}, "INVALID_BODY"),
    ],
)
def test_a_bad_patch_is_refused_and_changes_nothing(
    gql: GraphQLClient, body: dict[str, Any], code: str
) -> None:
    run = _active_run(gql)
    url = f"/odata/Runs('{run['id']}')"
    response = gql.http.patch(url, json=body, headers={"If-Match": "*"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == code
    assert gql.http.get(url).json()["@odata.etag"] == run["@odata.etag"]


def test_patch_a_process(gql: GraphQLClient) -> None:
    process = _ready_process(gql)
    url = f"/odata/Processes('{process['id']}')"
    done = gql.http.patch(
        url,
        json={"description": "Changed over OData"},
        headers={"If-Match": process["@odata.etag"]},
    )
    assert done.status_code == 200, done.text
    assert gql.http.get(url).json()["description"] == "Changed over OData"


def test_start_with_an_idempotency_key_shared_with_graphql(gql: GraphQLClient) -> None:
    process = _ready_process(gql)
    url = f"/odata/Processes('{process['id']}')/RunsGateway.start"
    first = gql.http.post(url, json={"idempotencyKey": "odata-1"})
    assert first.status_code == 200, first.text
    run = first.json()
    assert run["status"] == "PENDING" and run["@odata.context"].endswith("#Runs/$entity")
    again = gql.http.post(url, json={"idempotencyKey": "odata-1"})
    assert again.json()["id"] == run["id"] and again.headers["idempotent-replayed"] == "true"
    replayed = gql.data(
        'mutation ($p: ID!) { startRun(input: {processId: $p, idempotencyKey: "odata-1"}) '
        "{ ... on StartRunPayload { run { id } replayed } } }",
        {"p": process["id"]},
    )["startRun"]
    assert replayed == {"run": {"id": run["id"]}, "replayed": True}
    reused = gql.http.post(url, json={"idempotencyKey": "odata-1", "displayName": "other"})
    assert reused.status_code == 422
    assert reused.json()["error"]["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_cancel_then_retry(gql: GraphQLClient) -> None:
    process = _ready_process(gql)
    started = gql.http.post(f"/odata/Processes('{process['id']}')/RunsGateway.start").json()
    url = f"/odata/Runs('{started['id']}')"
    stale = gql.http.post(f"{url}/RunsGateway.cancel", json={}, headers={"If-Match": 'W/"77"'})
    assert stale.status_code == 412
    cancelled = gql.http.post(f"{url}/RunsGateway.cancel", json={"reason": "not needed"})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] in ("CANCELLED", "CANCELLING")
    twice = gql.http.post(f"{url}/RunsGateway.cancel", json={})
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "INVALID_TRANSITION"
    retried = gql.http.post(f"{url}/RunsGateway.retry", json={"fromFailure": False})
    assert retried.status_code == 200, retried.text
    assert retried.json()["attemptNumber"] == 2 and retried.json()["id"] != started["id"]
    lineage = gql.http.get(
        f"/odata/Runs('{retried.json()['id']}')?$select=id&$expand=previousAttemptRun($select=id)"
    ).json()
    assert lineage["previousAttemptRun"]["id"] == started["id"]
    unknown = gql.http.post(f"{url}/RunsGateway.retry", json={"nosuch": True})
    assert unknown.status_code == 400


def test_scopes_workspaces_and_middleware_errors_are_odata_shaped(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    reader = make_token(demo_path, {Scope.RUNS_READ}, [CONTOSO])
    writer = make_token(demo_path, {Scope.RUNS_READ, Scope.RUNS_WRITE}, [FABRIKAM])
    gql = client_factory(demo_path, auth="token")
    as_reader = {"Authorization": f"Bearer {reader}"}
    run = gql.http.get("/odata/Runs?$top=1", headers=as_reader).json()["value"][0]
    url = f"/odata/Runs('{run['id']}')"
    refused = gql.http.patch(url, json={"displayName": "x"}, headers={**as_reader, "If-Match": "*"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "FORBIDDEN"
    elsewhere = gql.http.patch(
        url,
        json={"displayName": "x"},
        headers={"Authorization": f"Bearer {writer}", "If-Match": "*"},
    )
    assert elsewhere.status_code == 404  # another workspace's run is not found
    anonymous = gql.http.get("/odata/Runs")
    assert anonymous.status_code == 401
    assert anonymous.json() == {
        "error": {
            "code": "UNAUTHENTICATED",
            "message": "Send an API token: Authorization: Bearer <token>.",
            "details": [],
        }
    }
    assert anonymous.headers["odata-version"] == "4.01"
    assert gql.http.get("/odata/$metadata").status_code == 401  # the model is no secret, but
    # every path but health is behind the token, as /graphql is


def test_rate_limited_answers_are_odata_shaped(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    gql = client_factory(demo_path, rate_limit=2)
    statuses = [gql.http.get("/odata/Runs/$count").status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429
    limited = gql.http.get("/odata/Runs/$count")
    assert limited.json()["error"]["code"] == "RATE_LIMITED"
    assert limited.headers["retry-after"]

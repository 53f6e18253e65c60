"""`POST /ingest/{format}`: formats, content types, size bound, strict, failures without traces."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import Settings
from gateway.domain.auth import Scope
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, FABRIKAM, make_token, rows

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"
JSON = {"content-type": "application/json"}


def test_unknown_format_and_wrong_content_type(empty_gql: GraphQLClient) -> None:
    http = empty_gql.http
    response = http.post("/ingest/airflow", content=b"{}", headers=JSON)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "UNKNOWN_FORMAT"
    response = http.post("/ingest/databricks", content=b"{}", headers={"content-type": "text/csv"})
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]["message"]
    response = http.post("/ingest/gateway", content=b"{}", headers=JSON)
    assert response.status_code == 415
    assert http.get("/ingest/databricks").status_code == 405
    response = http.post("/ingest/datazone", content=b"{}", headers=JSON, params={"workspace": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "UNKNOWN_WORKSPACE"


def test_bad_records_are_listed_with_positions_and_the_rest_imported(
    empty_gql: GraphQLClient,
) -> None:
    document = orjson.loads((FIXTURES / "datazone_runs.json").read_bytes())
    document["items"].insert(1, {"id": "dsr-bad", "dataSourceId": "ds-1", "status": ["RUNNING"]})
    document["items"].insert(2, "not an object")
    body = orjson.dumps(document)
    response = empty_gql.http.post("/ingest/datazone", content=body, headers=JSON)
    assert response.status_code == 422  # records failed, as the CLI's exit status 1 says
    assert response.json() == {
        "added": 2, "updated": 0, "unchanged": 0, "skipped": 0, "failed": 2,
        "processesAdded": 1,
        "failures": [
            {"position": "record 2", "message": "status: must be a string."},
            {"position": "record 3", "message": "a record must be a JSON object."},
        ],
    }  # fmt: skip
    data = empty_gql.data("{ runs { totalCount } }")
    assert data["runs"]["totalCount"] == 2

    strict = empty_gql.http.post(
        "/ingest/datazone", content=body, headers=JSON, params={"strict": "true"}
    )
    assert strict.status_code == 422
    assert strict.json()["failures"] == [
        {"position": "record 2", "message": "status: must be a string."}
    ]
    assert strict.json()["unchanged"] == 0


def test_gateway_format_over_http_and_an_invalid_record(empty_gql: GraphQLClient) -> None:
    lines = [
        {"type": "process", "id": "proc_01JB0000000000000000000000", "workspaceId":
         "ws_00000000000000000000000000", "source": "GATEWAY", "kind": "GATEWAY_PROCESS",
         "sourceId": "nightly", "displayName": "Nightly", "createdDateTime":
         "2026-10-01T00:00:00.000000Z", "lastModifiedDateTime": "2026-10-01T00:00:00.000000Z"},
        {"type": "run", "id": "run_01JB0000000000000000000000", "workspaceId":
         "ws_00000000000000000000000000", "processId": "proc_01JB0000000000000000000000",
         "source": "GATEWAY", "sourceId": "r1", "status": "RUNNING", "sourceStatus": "RUNNING",
         "createdDateTime": "2026-10-01T00:00:00.000000Z",
         "lastModifiedDateTime": "2026-10-01T00:00:00.000000Z"},
        {"type": "activity", "id": "act_01JB0000000000000000000000", "runId":
         "run_01JB0000000000000000000000", "workspaceId": "ws_00000000000000000000000000",
         "kind": "GATEWAY_ACTIVITY", "key": "extract", "displayName": "Extract",
         "status": "RUNNING", "sourceStatus": "RUNNING",
         "createdDateTime": "2026-10-01T00:00:00.000000Z",
         "lastModifiedDateTime": "2026-10-01T00:00:00.000000Z"},
        {"type": "run", "id": "run_01JB0000000000000000000001", "workspaceId":
         "ws_00000000000000000000000000", "processId": "proc_01JB0000000000000000000000",
         "source": "GATEWAY", "sourceId": "r2", "status": "DONE", "sourceStatus": "x",
         "createdDateTime": "2026-10-01T00:00:00Z", "lastModifiedDateTime": "2026-10-01T00:00:00Z"},
        {"type": "run", "id": "run_01JB0000000000000000000002", "workspaceId":
         "ws_00000000000000000000000000", "processId": "proc_01JB00000000000000000000ZZ",
         "source": "GATEWAY", "sourceId": "r3", "status": "RUNNING", "sourceStatus": "x",
         "createdDateTime": "2026-10-01T00:00:00Z", "lastModifiedDateTime": "2026-10-01T00:00:00Z"},
    ]  # fmt: skip
    body = b"".join(orjson.dumps(line) + b"\n" for line in lines)
    response = empty_gql.http.post(
        "/ingest/gateway", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert response.status_code == 422
    summary = response.json()
    assert (summary["added"], summary["failed"], summary["processesAdded"]) == (1, 2, 1)
    assert summary["failures"] == [
        {"position": "line 4", "message": "status: 'DONE' is not a RunStatus."},
        {"position": "line 5", "message": "The change refers to a record that does not exist."},
    ]
    data = empty_gql.data(
        '{ node(id: "run_01JB0000000000000000000000") { ... on GatewayRun { sourceId eTag '
        "activities { nodes { id key } } } } }"
    )
    assert data["node"] == {
        "sourceId": "r1",
        "eTag": 'W/"1"',
        "activities": {"nodes": [{"id": "act_01JB0000000000000000000000", "key": "extract"}]},
    }


def test_body_size_is_bounded(new_location: Callable[[str], Path], tmp_path: Path) -> None:
    settings = Settings(
        database=str(new_location("g.db")), create=True, ingest_max_bytes=600, scheduler=False
    )
    body = (FIXTURES / "datazone_runs.json").read_bytes()
    with TestClient(create_app(settings)) as http:
        response = http.post("/ingest/datazone", content=body, headers=JSON)
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "BODY_TOO_LARGE"

        def chunks() -> object:
            yield body[:500]
            yield body[500:]

        response = http.post("/ingest/datazone", content=chunks(), headers=JSON)  # type: ignore[arg-type]
        assert response.status_code == 413
        small = b'{"items": []}'
        assert http.post("/ingest/datazone", content=small, headers=JSON).status_code == 200


def test_ingest_needs_runs_write_and_stays_in_the_callers_workspaces(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    http = client_factory(demo_path, auth="token").http
    body = (FIXTURES / "databricks_runs_list.json").read_bytes()
    reader = make_token(demo_path, {Scope.RUNS_READ}, [CONTOSO])
    writer = make_token(demo_path, {Scope.RUNS_WRITE}, [CONTOSO])

    def post(token: str | None, format: str, **params: str) -> Any:
        headers = {**JSON, **({"Authorization": f"Bearer {token}"} if token else {})}
        return http.post(f"/ingest/{format}", content=body, headers=headers, params=params)

    before = rows(demo_path, "SELECT count(*) FROM runs")
    in_contoso = "SELECT count(*) FROM runs WHERE workspace_id = ?"
    contoso = rows(demo_path, in_contoso, [CONTOSO])[0][0]
    assert post(None, "databricks").status_code == 401
    assert post(reader, "databricks").status_code == 403
    elsewhere = post(writer, "databricks", workspace=FABRIKAM)
    assert elsewhere.status_code == 400 and elsewhere.json()["error"]["code"] == "UNKNOWN_WORKSPACE"
    assert post(writer, "gateway").status_code == 403  # its records name their own workspaces
    assert rows(demo_path, "SELECT count(*) FROM runs") == before
    done = post(writer, "databricks")  # the token's only workspace is where they go
    assert done.status_code == 200 and done.json()["added"] > 0
    assert rows(demo_path, in_contoso, [CONTOSO])[0][0] == contoso + done.json()["added"]

"""Security headers, the CORS and WebSocket origin allow-lists, the access log, and
WebSocket authentication."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from starlette.websockets import WebSocketDisconnect

from gateway.domain.auth import Scope
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, TokenClient, make_token

ALLOWED = "https://runs.example.org"


def test_every_response_has_the_security_headers(gql: GraphQLClient) -> None:
    for response in (
        gql.http.post("/graphql", json={"query": "{ __typename }"}),
        gql.http.get("/healthz"),
        gql.http.post("/graphql", content=b"x", headers={"Content-Type": "text/plain"}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert response.headers["cache-control"] == "no-store"
        assert len(response.headers["x-request-id"]) == 32
    page = gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_the_request_id_is_echoed(gql: GraphQLClient) -> None:
    response = gql.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "abc-1"}
    )
    assert response.headers["x-request-id"] == "abc-1"
    odd = gql.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": "a b\x01"}
    )
    assert odd.headers["x-request-id"] != "a b\x01"


def test_cors_answers_only_allowed_origins(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    client = client_factory(demo_path, cors_origins=ALLOWED)
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    ok = client.http.options("/graphql", headers={"Origin": ALLOWED, **preflight})
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    assert "authorization" in ok.headers["access-control-allow-headers"].lower()
    other = client.http.options("/graphql", headers={"Origin": "https://evil.test", **preflight})
    assert "access-control-allow-origin" not in other.headers
    simple = client.http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": ALLOWED}
    )
    assert simple.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()


def _ws_query(client: GraphQLClient, headers: dict[str, str], payload: object = None) -> dict:  # type: ignore[type-arg]
    with client.http.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers=headers
    ) as ws:
        ws.send_json({"type": "connection_init", "payload": payload or {}})
        ack = ws.receive_json()
        assert ack["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": "{ runs(first: 500) { nodes { workspace { id } } } }"},
            }
        )
        message = ws.receive_json()
        return message  # type: ignore[no-any-return]


def test_websocket_origins_are_checked(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    client = client_factory(demo_path, ws_origins=ALLOWED)
    assert _ws_query(client, {"Origin": ALLOWED})["type"] == "next"
    assert _ws_query(client, {})["type"] == "next"  # not a browser: no Origin
    with pytest.raises(WebSocketDisconnect):
        _ws_query(client, {"Origin": "https://evil.test"})


def test_a_websocket_authenticates_by_header_or_connection_init(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    token = make_token(demo_path, {Scope.RUNS_READ}, [CONTOSO])
    client = client_factory(demo_path, auth="token")
    by_header = _ws_query(client, {"Authorization": f"Bearer {token}"})
    by_payload = _ws_query(client, {}, {"authorization": f"Bearer {token}"})
    for message in (by_header, by_payload):
        nodes = message["payload"]["data"]["runs"]["nodes"]
        assert nodes and {n["workspace"]["id"] for n in nodes} == {CONTOSO}
    with pytest.raises(WebSocketDisconnect) as refused:
        _ws_query(client, {}, {"authorization": "Bearer wrong"})
    assert refused.value.code == 4403
    with pytest.raises(WebSocketDisconnect) as refused:
        _ws_query(client, {"Authorization": "Bearer wrong"})
    assert refused.value.code == 4401


def test_the_access_log_has_one_json_line_per_request_and_never_the_token(
    demo_path: Path,
    client_factory: Callable[..., GraphQLClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = make_token(demo_path, {Scope.RUNS_READ}, [CONTOSO])
    client = TokenClient(client_factory(demo_path, auth="token"), token)
    before = datetime.now(UTC)
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        client("query Newest { runs(first: 3) { nodes { id } } }")
        client("{ nope }")
        client.http.post("/graphql", json={"query": "{ __typename }"})  # no token
    lines = [orjson.loads(r.getMessage()) for r in caplog.records if r.name == "gateway.access"]
    assert len(lines) == 3
    first, second, third = lines
    assert first["operation"] == "Newest" and first["cost"] == 1 + 1 + 3 * 1
    assert first["tokenId"].startswith("tok_") and first["workspaces"] == [CONTOSO]
    assert first["status"] == 200 and first["outcome"] == "ok" and first["durationMs"] >= 0
    assert len(first["requestId"]) == 32
    assert first["time"].endswith("Z") and re.fullmatch(r"[\d-]+T[\d:]+\.\d{3}Z", first["time"])
    assert before <= datetime.fromisoformat(first["time"]) + timedelta(milliseconds=1)
    assert [line["time"] for line in lines] == sorted(line["time"] for line in lines)
    assert second["outcome"] == "refused"
    assert third["status"] == 401 and third["tokenId"] is None and third["outcome"] == "refused"
    assert token not in caplog.text and token.rsplit("_", 1)[1] not in caplog.text

"""Every error a client sees carries its request id: GraphQL errors of every kind (parse,
validation, a limit, a missing scope, a bad filter), the middleware's answers (401, 413, 429, 400,
415), a graphql-transport-ws error message, OData errors and /ingest errors. The id in the body
is the response's `X-Request-Id` (the caller's own when it sent a sane one) and the id of the
request's JSON log line, against a real `gateway serve`."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import orjson
import pytest
from websockets.asyncio.client import connect

from gateway.domain.auth import Scope
from tests.live.server import PROTOCOL
from tests.security import make_token
from tests.servers import serve_process

RATE = 40  # requests a minute per token
BODY_LIMIT = 4096


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, module_empty: Path
) -> Iterator[dict[str, Any]]:
    where = tmp_path_factory.mktemp("request-ids")
    database = module_empty
    subprocess.run(
        [sys.executable, "-m", "gateway", "migrate", "--database", str(database)],
        check=True,
        capture_output=True,
    )
    tokens = {
        "reader": make_token(database, {Scope.RUNS_READ, Scope.RUNS_WRITE}, None),
        "writer": make_token(database, {Scope.RUNS_WRITE}, None),  # may not read
        "hasty": make_token(database, {Scope.RUNS_READ}, None),  # runs into the rate limit
    }
    log = where / "server.log"
    settings = {"auth": "token", "rate_limit": str(RATE), "max_body_bytes": str(BODY_LIMIT)}
    with serve_process(database, log, **settings) as (url, _):
        yield {"url": url, "log": log, "tokens": tokens}


def _auth(server: dict[str, Any], who: str = "reader") -> dict[str, str]:
    return {"authorization": f"Bearer {server['tokens'][who]}"}


def _graphql_error(response: httpx2.Response) -> tuple[str, str]:
    """The code and request id of the one error of a GraphQL-shaped answer."""
    (error,) = response.json()["errors"]
    return error["extensions"]["code"], error["extensions"]["requestId"]


def _logged(server: dict[str, Any], request_id: str) -> list[dict[str, Any]]:
    """The JSON log lines of a request, waited for a moment (a WebSocket's line comes at close)."""
    for _ in range(50):
        lines = [
            orjson.loads(line)
            for line in server["log"].read_text().splitlines()
            if line.startswith("{") and request_id in line
        ]
        mine = [line for line in lines if line.get("requestId") == request_id]
        if any(line.get("logger") == "gateway.access" for line in mine):
            return mine
        asyncio.run(asyncio.sleep(0.1))
    raise AssertionError(f"no access log line for {request_id}")


def _check(server: dict[str, Any], response: httpx2.Response, body_id: str) -> None:
    assert body_id == response.headers["x-request-id"]
    (access,) = [line for line in _logged(server, body_id) if line["logger"] == "gateway.access"]
    assert access["status"] == response.status_code


@pytest.mark.parametrize(
    ("name", "query", "code"),
    [
        ("parse", "{ runs { ", "GRAPHQL_PARSE_FAILED"),
        ("validation", "{ runs { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        (
            "limit",
            "{ runs(first: 500) { nodes { activities(first: 500) { nodes { id } } } } }",
            "LIMIT_EXCEEDED",
        ),
        ("bad filter", '{ runs(filter: "status eq") { totalCount } }', "INVALID_FILTER"),
        ("bad cursor", '{ runs(after: "nope") { totalCount } }', "INVALID_CURSOR"),
    ],
)
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_graphql_errors_carry_the_request_id(
    server: dict[str, Any], name: str, query: str, code: str, accept: str
) -> None:
    response = httpx2.post(
        f"{server['url']}/graphql",
        json={"query": query},
        headers={**_auth(server), "accept": accept},
    )
    got, request_id = _graphql_error(response)
    assert got == code, response.text
    _check(server, response, request_id)
    refused = [line for line in _logged(server, request_id) if line["logger"] == "gateway.errors"]
    assert [line["code"] for line in refused] == [code]  # the one-line log of the user error


def test_a_missing_scope_and_the_callers_own_id(server: dict[str, Any]) -> None:
    response = httpx2.post(
        f"{server['url']}/graphql",
        json={"query": "{ runs { totalCount } }"},
        headers={**_auth(server, "writer"), "x-request-id": "client-chosen-id.1"},
    )
    code, request_id = _graphql_error(response)
    assert (code, request_id) == ("FORBIDDEN", "client-chosen-id.1")
    _check(server, response, request_id)


@pytest.mark.parametrize(
    ("name", "status", "code"),
    [
        ("no token", 401, "UNAUTHENTICATED"),
        ("too large", 413, "LIMIT_EXCEEDED"),
        ("not JSON", 400, "BAD_REQUEST"),
        ("form body", 415, "UNSUPPORTED_MEDIA_TYPE"),
    ],
)
def test_middleware_answers_carry_the_request_id(
    server: dict[str, Any], name: str, status: int, code: str
) -> None:
    url = f"{server['url']}/graphql"
    if name == "no token":
        response = httpx2.post(url, json={"query": "{ runs { totalCount } }"})
    elif name == "too large":
        big = {"query": "{ runs { totalCount } }", "variables": {"x": "y" * BODY_LIMIT}}
        response = httpx2.post(url, json=big, headers=_auth(server))
    elif name == "not JSON":
        response = httpx2.post(
            url, content=b"{not json", headers={**_auth(server), "content-type": "application/json"}
        )
    else:
        response = httpx2.post(
            url, data={"query": "{ runs { totalCount } }"}, headers=_auth(server)
        )
    assert response.status_code == status, response.text
    got, request_id = _graphql_error(response)
    assert got == code
    _check(server, response, request_id)


def test_the_rate_limit_answer_carries_the_request_id(server: dict[str, Any]) -> None:
    for _ in range(RATE * 3):  # the bucket refills as they go
        response = httpx2.post(
            f"{server['url']}/graphql",
            json={"query": "{ runs { totalCount } }"},
            headers=_auth(server, "hasty"),
        )
        if response.status_code == 429:
            break
    assert response.status_code == 429
    code, request_id = _graphql_error(response)
    assert code == "RATE_LIMITED"
    _check(server, response, request_id)


def test_odata_errors_carry_the_request_id(server: dict[str, Any]) -> None:
    url = f"{server['url']}/odata/Runs"
    bad = httpx2.get(url, params={"$filter": "status eq"}, headers=_auth(server))
    unauthenticated = httpx2.get(url)
    for response, status in ((bad, 400), (unauthenticated, 401)):
        assert response.status_code == status, response.text
        error = response.json()["error"]
        _check(server, response, error["innererror"]["requestId"])


def test_ingest_errors_carry_the_request_id(server: dict[str, Any]) -> None:
    response = httpx2.post(f"{server['url']}/ingest/nonsense", content=b"{}", headers=_auth(server))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "UNKNOWN_FORMAT"
    _check(server, response, error["requestId"])


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("subscription { runChanged { nope } }", "GRAPHQL_VALIDATION_FAILED"),
        ("subscription { runChanged { ", "GRAPHQL_PARSE_FAILED"),
    ],
)
def test_websocket_errors_carry_the_connections_request_id(
    server: dict[str, Any], query: str, code: str
) -> None:
    """A bad document is that operation's `error`; the connection stays open and serves the next."""

    async def scenario() -> tuple[str, dict[str, Any], dict[str, Any]]:
        ws_url = server["url"].replace("http://", "ws://") + "/graphql"
        async with connect(
            ws_url,
            subprotocols=[PROTOCOL],  # type: ignore[list-item]  # the protocol's name
            additional_headers=_auth(server),
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
            message = json.loads(await ws.recv())
            good = {"query": "{ __typename }"}
            await ws.send(json.dumps({"id": "2", "type": "subscribe", "payload": good}))
            after = json.loads(await ws.recv())
            assert ws.response is not None
            return ws.response.headers["x-request-id"], message, after

    header, message, after = asyncio.run(scenario())
    assert message["type"] == "error" and message["id"] == "1", message
    (error,) = message["payload"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["requestId"] == header
    assert (after["id"], after["type"]) == ("2", "next"), after
    assert after["payload"]["data"] == {"__typename": "Query"}
    lines = _logged(server, header)
    (access,) = [line for line in lines if line["logger"] == "gateway.access"]
    assert access["method"] == "WEBSOCKET"
    assert not [line for line in lines if line.get("level") == "ERROR"], lines

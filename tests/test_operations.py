"""Operating a real `gateway serve`: JSON log lines that carry the request id a client gets in
`X-Request-Id`, user errors logged as one line (no traceback), and a graceful stop that drains requests and closes subscriptions with a close code."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import orjson
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.live.server import PROTOCOL
from tests.servers import serve_process

BAD_FILTER = 'query BadFilter { runs(filter: "status eq FAILED and") { totalCount } }'
BAD_CURSOR = 'query BadCursor { runs(after: "not-a-cursor") { totalCount } }'


def _lines(log: Path) -> list[dict[str, Any]]:
    lines = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            lines.append(orjson.loads(line))
    return lines


def test_log_lines_are_json_with_the_request_id_the_client_sees(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    log = tmp_path / "server.log"
    with serve_process(new_location("ops.db"), log) as (url, _):
        errors = {}
        for name, query in (("BadFilter", BAD_FILTER), ("BadCursor", BAD_CURSOR)):
            response = httpx2.post(f"{url}/graphql", json={"query": query})
            (error,) = response.json()["errors"]
            errors[name] = (response.headers["x-request-id"], error)
        ok = httpx2.post(f"{url}/graphql", json={"query": "{ runs { totalCount } }"})
        assert ok.status_code == 200
    text = log.read_text()
    assert "Traceback" not in text
    lines = _lines(log)
    # Every line the server wrote is one JSON object (but the command's banner).
    other = [
        line
        for line in text.splitlines()
        if line.strip() and not line.startswith(("{", "runs-gateway "))
    ]
    assert other == []
    assert all({"time", "level", "logger"} <= line.keys() for line in lines)
    for name, (request_id, error) in errors.items():
        mine = [line for line in lines if line.get("requestId") == request_id]
        refused = [line for line in mine if line["logger"] == "gateway.errors"]
        assert len(refused) == 1, mine  # the user error: one line, no trace
        assert "exception" not in refused[0]
        assert refused[0]["code"] == error["extensions"]["code"]
        access = [line for line in mine if line["logger"] == "gateway.access"]
        assert len(access) == 1 and access[0]["operation"] == name
        assert access[0]["outcome"] == "refused"


async def _subscribe(url: str) -> Any:
    ws = await connect(url.replace("http://", "ws://") + "/graphql", subprotocols=[PROTOCOL])  # type: ignore[list-item]
    await ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(await ws.recv()) == {"type": "connection_ack"}
    query = "subscription { runChanged { kind runId } }"
    await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
    return ws


CREATE = """mutation { createProcess(input: {source: GATEWAY, kind: GATEWAY_PROCESS,
  displayName: "Stop test", activityDefinitions: [{key: "a", displayName: "A",
  kind: GATEWAY_ACTIVITY}]}) { ... on CreateProcessPayload { process { id } } } }"""
WAIT = """mutation ($p: ID!) { startRun(input: {processId: $p, wait: 3}) {
  __typename ... on StartRunPayload { run { id status } } } }"""


async def test_a_stop_drains_requests_and_closes_subscriptions_with_a_close_code(
    new_location: Callable[[str], Path],
    tmp_path: Path,
) -> None:
    with serve_process(new_location("ops.db"), tmp_path / "server.log") as (url, server):
        async with httpx2.AsyncClient(base_url=url, timeout=30) as http:
            made = (await http.post("/graphql", json={"query": CREATE})).json()
            process_id = made["data"]["createProcess"]["process"]["id"]
            ws = await _subscribe(url)
            waiting = asyncio.create_task(
                http.post("/graphql", json={"query": WAIT, "variables": {"p": process_id}})
            )
            # The run the waiting request started reaches the subscriber: both are under way.
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if message["type"] != "ping":
                    break
                await ws.send(json.dumps({"type": "pong"}))
            assert message["type"] == "next", message
            server.send_signal(signal.SIGTERM)
            code = None
            try:
                while True:
                    await asyncio.wait_for(ws.recv(), 20)
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else None
            assert code in (1001, 1012)  # going away / service restart: clients reconnect
            answered = await waiting
            assert answered.status_code == 200
            body = answered.json()
            assert body["data"]["startRun"]["__typename"] == "StartRunPayload", body
        assert await asyncio.to_thread(server.wait, 30) in (0, -signal.SIGTERM)

"""The servers and clients the live tests use: `gateway serve` (`tests/servers.py`) or uvicorn in
the test's own event loop, a `graphql-transport-ws` subscriber over the `websockets` package, and
GraphQL over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx2
import uvicorn
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect

from gateway.app import create_app
from gateway.config import Settings
from tests.servers import free_port, serve_process

PROTOCOL = "graphql-transport-ws"
CHANGE_FIELDS = "cursor kind runId toStatus fromStatus at run { id status }"


@contextlib.contextmanager
def serve(database: Path, log: Path, **settings: str) -> Iterator[str]:
    """`gateway serve` over `database` with `GATEWAY_<NAME>` settings; yields its base URL."""
    with serve_process(database, log, **settings) as (url, _):
        yield url


class Api:
    """GraphQL over HTTP against one server."""

    def __init__(self, url: str) -> None:
        self.url = url

    def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx2.post(
            f"{self.url}/graphql", json={"query": query, "variables": variables or {}}, timeout=10
        )
        body = response.json()
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    def process(self, source_id: str) -> str:
        result = self.data(
            """mutation ($input: CreateProcessInput!) { createProcess(input: $input) {
                 ... on CreateProcessPayload { process { id } } } }""",
            {
                "input": {
                    "source": "GATEWAY",
                    "kind": "GATEWAY_PROCESS",
                    "sourceId": source_id,
                    "displayName": f"Process {source_id}",
                }
            },
        )
        process_id: str = result["createProcess"]["process"]["id"]
        return process_id

    def run(self, process_id: str, status: str = "RUNNING", **input: Any) -> str:
        result = self.data(
            """mutation ($input: CreateRunInput!) { createRun(input: $input) {
                 __typename ... on CreateRunPayload { run { id } } } }""",
            {"input": {"processId": process_id, "status": status, **input}},
        )
        run_id: str = result["createRun"]["run"]["id"]
        return run_id

    def update(self, run_id: str, status: str) -> None:
        result = self.data(
            """mutation ($id: ID!, $input: UpdateRunInput!) { updateRun(id: $id, input: $input) {
                 __typename } }""",
            {"id": run_id, "input": {"status": status}},
        )
        assert result["updateRun"]["__typename"] == "UpdateRunPayload", result

    def delete(self, run_id: str) -> None:
        result = self.data(
            "mutation ($id: ID!) { deleteRun(id: $id) { __typename } }", {"id": run_id}
        )
        assert result["deleteRun"]["__typename"] == "DeleteRunPayload", result

    def head(self) -> str:
        """The cursor after the newest change."""
        cursor: str = self.data("{ runChanges(first: 500) { cursor } }")["runChanges"]["cursor"]
        while True:
            page = self.data(
                "query ($a: String) { runChanges(after: $a, first: 500) { cursor hasMore } }",
                {"a": cursor},
            )["runChanges"]
            cursor = page["cursor"]
            if not page["hasMore"]:
                return cursor

    def changes(self, after: str | None = None, filter: str | None = None) -> list[dict[str, Any]]:
        """Every change in the log after `after`, through the delta query."""
        found: list[dict[str, Any]] = []
        while True:
            page = self.data(
                f"""query ($after: String, $filter: String) {{
                      runChanges(after: $after, filter: $filter, first: 500) {{
                        cursor hasMore changes {{ {CHANGE_FIELDS} }} }} }}""",
                {"after": after, "filter": filter},
            )["runChanges"]
            found += page["changes"]
            after = page["cursor"]
            if not page["hasMore"]:
                return found


class Subscriber:
    """One `graphql-transport-ws` connection."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str, **options: Any) -> Any:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        async with connect(ws_url, subprotocols=[PROTOCOL], **options) as ws:  # type: ignore[list-item]
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            yield cls(ws)

    async def subscribe(self, id: str, arguments: str = "", fields: str = CHANGE_FIELDS) -> None:
        query = f"subscription {{ runChanged{arguments} {{ {fields} }} }}"
        await self.ws.send(json.dumps({"id": id, "type": "subscribe", "payload": {"query": query}}))

    async def message(self) -> dict[str, Any]:
        """The next message that is not a ping (answered) or a pong."""
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), 20))
            if message["type"] == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
            elif message["type"] != "pong":
                return message

    async def changes(self, count: int) -> dict[str, list[dict[str, Any]]]:
        """The next `count` changes, by subscription id."""
        by_id: dict[str, list[dict[str, Any]]] = {}
        for _ in range(count):
            message = await self.message()
            assert message["type"] == "next", message
            by_id.setdefault(message["id"], []).append(message["payload"]["data"]["runChanged"])
        return by_id


@contextlib.asynccontextmanager
async def serve_here(settings: Settings) -> AsyncIterator[tuple[str, Starlette, uvicorn.Server]]:
    """uvicorn in this event loop on a free port, so a test can look at the server's state;
    yields its base URL, the application and the server."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            assert not serving.done(), "the server did not start"
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{port}", app, server
    finally:
        server.should_exit = True
        await serving

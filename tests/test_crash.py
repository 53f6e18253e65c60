"""A server killed (SIGKILL) in the middle of a stream of mutations loses nothing it acknowledged."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx2

from tests import pg
from tests.servers import serve_process

START = """
mutation ($input: StartRunInput!) {
  startRun(input: $input) { __typename ... on StartRunPayload { run { id } } }
}
"""
CREATE = """
mutation {
  createProcess(input: {source: GATEWAY, kind: GATEWAY_PROCESS, displayName: "Crash test",
    activityDefinitions: [{key: "a", displayName: "A", kind: GATEWAY_ACTIVITY}]}) {
    ... on CreateProcessPayload { process { id } }
  }
}
"""


def test_every_acknowledged_mutation_survives_a_sigkill(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    database = new_location("crash.db")
    log = tmp_path / "server.log"
    acknowledged: list[str] = []
    with (
        serve_process(database, log) as (url, server),
        httpx2.Client(base_url=url, timeout=5) as client,
    ):
        created = client.post("/graphql", json={"query": CREATE}).json()
        process_id = created["data"]["createProcess"]["process"]["id"]
        stop = threading.Event()

        def stream() -> None:
            n = 0
            while not stop.is_set():
                n += 1
                body = {
                    "query": START,
                    "variables": {"input": {"processId": process_id, "idempotencyKey": f"k{n}"}},
                }
                try:
                    response = client.post("/graphql", json=body)
                except httpx2.TransportError:
                    return  # the server is gone: this request was never acknowledged
                acknowledged.append(response.json()["data"]["startRun"]["run"]["id"])

        sender = threading.Thread(target=stream)
        sender.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        stop.set()
        sender.join(timeout=10)
    assert len(acknowledged) >= 40, log.read_text()
    stored = {row[0] for row in pg.rows(database, "SELECT id FROM runs")}
    events = {row[0] for row in pg.rows(database, "SELECT run_id FROM run_events")}
    missing = [run_id for run_id in acknowledged if run_id not in stored or run_id not in events]
    assert not missing, f"{len(missing)} acknowledged runs were lost"

"""One test runs the real server (`gateway serve`, uvicorn) on a free port on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_gateway_serve_demo_answers_graphql(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "GATEWAY_DATABASE": str(tmp_path / "served.db")}
    log = tmp_path / "server.log"
    with (
        log.open("wb") as out,
        subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        ) as server,
    ):
        _exercise(server, port, log)


def _exercise(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx2.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            assert server.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        response = httpx2.post(
            f"{url}/graphql",
            json={"query": "{ runs(first: 100) { totalCount nodes { __typename } } }"},
            timeout=10,
        )
        data = response.json()["data"]["runs"]
        assert data["totalCount"] >= 3000
        assert len({n["__typename"] for n in data["nodes"]}) == 5
        page = httpx2.get(f"{url}/graphql", headers={"Accept": "text/html"}, timeout=5)
        assert page.status_code == 200 and "graphiql" in page.text.lower()
    finally:
        server.terminate()
        server.wait(timeout=10)

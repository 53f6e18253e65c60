"""Real servers for tests: `gateway serve` in its own process on a free port of 127.0.0.1."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serve_process(
    database: Path, log: Path, *arguments: str, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`gateway serve [arguments]` over `database` with `GATEWAY_<NAME>` settings (the scheduler
    off unless given), once it is ready; yields its base URL and its process, and stops it."""
    port = free_port()
    env = {
        **os.environ,
        "GATEWAY_DATABASE": str(database),
        "GATEWAY_SCHEDULER": "false",  # no scheduled runs among the changes a test counts
        "GATEWAY_CREATE": "true",  # a new file: `serve` creates it only when asked
        **{f"GATEWAY_{k.upper()}": v for k, v in settings.items()},
    }
    with (
        log.open("ab") as out,
        subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve", *arguments, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        ) as server,
    ):
        url = f"http://127.0.0.1:{port}"
        try:
            # Loading the demo data set alone takes 20-40 s on a busy 2-core machine.
            deadline = time.monotonic() + 120
            while True:
                with contextlib.suppress(httpx2.TransportError):
                    if httpx2.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the server did not become ready"
                time.sleep(0.1)
            yield url, server
        finally:
            server.terminate()
            server.wait(timeout=10)

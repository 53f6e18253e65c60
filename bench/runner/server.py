"""The server under test: `gateway serve` started on 127.0.0.1 and stopped, and its processes'
CPU time and memory read from /proc."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2

from .environment import ROOT

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gateway_command() -> list[str]:
    script = Path(sys.executable).parent / "gateway"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gateway"]


def _stat(pid: int) -> list[str]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rindex(")") + 2 :].split()


def _tree(pid: int) -> list[int]:
    """The server and its descendants (uvicorn's workers under `--workers N`)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
    found, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found.extend(children)
        frontier = children
    return found


def cpu_seconds(pid: int) -> float:
    """utime + stime of the server and its workers."""
    total = 0
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            fields = _stat(each)
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def status_kb(pid: int, key: str) -> int:
    """The largest value of a /proc status line over the server and its workers."""
    largest = 0
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    largest = max(largest, int(line.split()[1]))
    return largest


class Server:
    def __init__(self, database: Path, log: Path, workers: int = 1) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        # Default settings, but for the per-address rate limit (every client here is 127.0.0.1)
        # and the scheduler (a due schedule would add runs while the floor reads the same data).
        env["GATEWAY_RATE_LIMIT"] = "0"
        env["GATEWAY_SCHEDULER"] = "false"
        # A grouped report scans all 1,000,000 runs in one statement: about 5 s on 2 cores, at
        # the default limit on one statement; the benchmark measures it rather than the limit.
        env["GATEWAY_STATEMENT_TIMEOUT_MS"] = "60000"
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [
                *_gateway_command(),
                "serve",
                "--database",
                str(database),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        self.pid = self.process.pid
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        with httpx2.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"the server exited with {self.process.returncode}")
                try:
                    if client.get(f"{self.url}/readyz").status_code == 200:
                        return
                except httpx2.HTTPError:
                    pass
                time.sleep(0.1)
        raise RuntimeError("the server did not become ready in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.log.close()

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


def _parents() -> dict[int, int]:
    """Every process's parent pid, read from /proc (a process that exits meanwhile is left out)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
    return parents


def _tree(pid: int) -> list[int]:
    """The process `pid` and all its descendants, whatever they run: every process whose chain of
    parent pids in /proc reaches `pid`. Under `gateway serve --workers N` that is uvicorn's
    supervisor and its worker processes, but a wrapper in between (a shell, `python -m`, a
    launcher that starts the server as its child) is walked through the same way. The process
    itself first, then each generation in pid order."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found, seen, frontier = [pid], {pid}, [pid]
    while frontier:
        generation = sorted(
            {child for each in frontier for child in children.get(each, ()) if child not in seen}
        )
        seen.update(generation)
        found.extend(generation)
        frontier = generation
    return found


def cpu_by_process(pid: int) -> dict[int, float]:
    """utime + stime in seconds of the server and each of its descendants, in `_tree` order (a
    process that exits while it is read is left out)."""
    found: dict[int, float] = {}
    for each in _tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat(each)
            found[each] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def command_lines(pid: int, width: int = 80) -> list[str]:
    """The command line of the server and of each descendant, in `_tree` order (the order of the
    CPU split), programs by their file name and each cut to `width` characters."""
    found = []
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            argv = Path(f"/proc/{each}/cmdline").read_bytes().decode(errors="replace")
            words = argv.rstrip("\0").split("\0")
            words[:2] = [Path(w).name if w.startswith("/") else w for w in words[:2]]
            line = " ".join(words)
            found.append(line if len(line) <= width else line[: width - 3] + "...")
    return found


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
    def __init__(self, database: Path | str, log: Path, workers: int = 1) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        # Default settings, but for the per-address rate limit (every client here is 127.0.0.1)
        # and the scheduler (a due schedule would add runs while the floor reads the same data).
        env["GATEWAY_RATE_LIMIT"] = "0"
        env["GATEWAY_SCHEDULER"] = "false"
        # A grouped report scans all 1,000,000 runs in one statement: about 5 s on 2 cores, at
        # the default limit on one statement; the benchmark measures it rather than the limit.
        env["GATEWAY_STATEMENT_TIMEOUT_MS"] = "60000"
        if "GATEWAY_READERS" in os.environ:  # the report names the readers per worker
            env["GATEWAY_READERS"] = os.environ["GATEWAY_READERS"]
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

"""`gateway serve --workers N`: the parent deals connections to the workers in turn, replaces a
worker that dies, and takes every worker with it when it stops."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import pg
from tests.conftest import ON_POSTGRES
from tests.servers import free_port, serve_process


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                    found.add(int(entry.name))
    return found


def _connections_to(port: int) -> set[str]:
    """The socket inodes of established TCP connections whose local port is `port`."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":  # ESTABLISHED
            inodes.add(fields[9])
    return inodes


def _sockets_of(pid: int, inodes: set[str]) -> int:
    count = 0
    fds = Path(f"/proc/{pid}/fd")
    for fd in fds.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:[") and target[8:-1] in inodes:
                count += 1
    return count


@contextlib.contextmanager
def _open(port: int, count: int) -> Iterator[list[http.client.HTTPConnection]]:
    """`count` keep-alive connections, each having been answered once."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(count)]
    try:
        for connection in connections:
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            assert response.status == 200
            response.read()
        yield connections
    finally:
        for connection in connections:
            connection.close()


def _until(condition: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_connections_are_dealt_evenly_and_a_dead_worker_is_replaced(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    with serve_process(new_location("w.db"), tmp_path / "server.log", workers="2") as (url, server):
        port = int(url.rsplit(":", 1)[1])
        _until(lambda: len(_children(server.pid)) == 2)
        workers = _children(server.pid)

        # Four keep-alive connections: two on each worker, none left in the parent.
        with _open(port, 4):
            inodes = _connections_to(port)
            assert sorted(_sockets_of(pid, inodes) for pid in workers) == [2, 2]
            assert _sockets_of(server.pid, inodes) == 0

        # A worker killed outright is replaced; connections meanwhile go to the other one.
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        _until(lambda: _zombie(victim))
        time.sleep(0.3)  # the kernel closes a dead process's sockets just after it is a zombie
        with _open(port, 3):
            pass
        _until(lambda: len(_children(server.pid)) == 2 and victim not in _children(server.pid))
        replaced = _children(server.pid)
        with _open(port, 4):
            inodes = _connections_to(port)
            assert sorted(_sockets_of(pid, inodes) for pid in replaced) == [2, 2]

        # Stopping the parent stops every worker.
        server.terminate()
        server.wait(timeout=30)
        assert server.returncode == 0
        for pid in replaced:
            _until(lambda pid=pid: not Path(f"/proc/{pid}").exists() or _zombie(pid))


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] == "Z"
    return True


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_server_over_a_file_that_is_not_a_database_exits_at_once(
    new_location: Callable[[str], Path], tmp_path: Path, workers: str
) -> None:
    """Not a gateway database (a file that is not SQLite's, a PostgreSQL database of another
    program's tables): `serve` refuses it in one line and exits (2), with one worker or several,
    rather than hang on a connection it opened or start workers again and again."""
    database = new_location("not-a-database.db")
    if ON_POSTGRES:
        pg.rows(database, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        refusal = "the database holds tables but no gateway schema; use an empty database"
    else:
        database.write_bytes(b"this is not a SQLite file" * 100)
        refusal = (
            "gateway: not-a-database.db is not a SQLite database (a text file, or truncated?); "
            "refused, unchanged."
        )
    env = {**os.environ, "GATEWAY_DATABASE": str(database), "GATEWAY_SCHEDULER": "false"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway",
            "serve",
            "--workers",
            workers,
            "--port",
            str(free_port()),
        ],
        env=env,
        capture_output=True,
        timeout=60,
    )
    # Refused before any worker starts, in one line, the file unchanged.
    assert done.returncode == 2, done.stderr.decode()[-2000:]
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and refusal in lines[0], lines
    if ON_POSTGRES:
        assert pg.columns(database, "invoices") == ["id"]
        assert not pg.made(database)
    else:
        assert database.read_bytes() == b"this is not a SQLite file" * 100


def test_workers_that_keep_dying_stop_the_server(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    """A crash loop (here: every worker killed as soon as it is there) ends with the parent's exit
    status 1 and one line saying so, after CRASH_LIMIT deaths, instead of workers started forever."""
    log = tmp_path / "server.log"
    with serve_process(new_location("w.db"), log, workers="2") as (_, server):
        killed: set[int] = set()
        deadline = time.monotonic() + 60
        while server.poll() is None:
            assert time.monotonic() < deadline, "the parent went on starting workers"
            for pid in _children(server.pid) - killed:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            time.sleep(0.05)
        assert server.returncode == 1
    assert 5 <= len(killed) <= 7, killed  # CRASH_LIMIT deaths, and the workers alive at the stop
    text = log.read_text()
    assert "workers exited within 30 s of starting in the last 120 s; stopping" in text, text[
        -2000:
    ]
    assert text.count("starting another") == 4, text[-2000:]

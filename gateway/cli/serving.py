"""Serving the application with uvicorn: in one process, or in `--workers N` processes that share
one listening socket through a parent that deals out the connections.

With several workers, the parent accepts every connection and hands it to the workers in turn
(the descriptor passed over a Unix socket). Were the listening socket shared instead, the first
worker to wake would take every connection waiting at that moment: a few long-lived keep-alive
connections (a proxy's pool, a load test's clients) could all land on one worker and leave the
other cores idle. Dealt in turn, they spread evenly. The parent replaces a worker that dies,
stops when a worker cannot start or when workers keep dying right after they start (a crash
loop: `CRASH_LIMIT` deaths within `CRASH_SECONDS` of their start in one `CRASH_WINDOW`, so a
supervisor sees the server exit instead of a parent that starts workers forever), and stops
every worker on SIGTERM or SIGINT.

The workers share one metrics directory (`gateway.metrics`, prometheus-client's multiprocess
mode), so a scrape of `/metrics`, answered by whichever worker it is dealt to, counts them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG, STARTUP_FAILURE

from gateway.config import Settings
from gateway.logs import logging_config
from gateway.metrics import MULTIPROCESS_DIR

log = logging.getLogger("uvicorn.error")  # the parent's lines look like its workers' (uvicorn's)

APP = "gateway.cli.startup:application"  # create_app, failing in one line
BACKLOG = 2048
STOP_SECONDS = 30.0  # how long stopping workers may take before they are killed
CRASH_SECONDS = 30.0  # a worker that dies sooner after its start may be in a crash loop
CRASH_LIMIT = 5  # so many such deaths within CRASH_WINDOW stop the server (exit status 1)
CRASH_WINDOW = 120.0


def _config(settings: Settings) -> uvicorn.Config:
    log_config = logging_config(settings.log_level, settings.log_format)
    return uvicorn.Config(
        APP,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level.lower(),
        log_config=log_config if log_config is not None else LOGGING_CONFIG,
        access_log=False,  # the gateway's own access log (GATEWAY_ACCESS_LOG) has every request
        loop="auto",
        http="auto",
        backlog=BACKLOG,
    )


def serve(settings: Settings) -> int:
    """Serve until stopped; the exit status."""
    if settings.workers == 1:
        uvicorn.Server(_config(settings)).run()
        return 0
    return Dealer(settings).run()


# --- the parent -------------------------------------------------------------------------------


@contextlib.contextmanager
def _shared_metrics() -> Iterator[None]:
    """Workers write their metrics to one directory, so that each answers a scrape with every
    worker's (prometheus-client's multiprocess mode): a new one for this server, or the
    operator's `PROMETHEUS_MULTIPROC_DIR`, emptied of a previous server's files first."""
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        yield
        return
    directory = tempfile.mkdtemp(prefix="gateway-metrics-")
    os.environ[MULTIPROCESS_DIR] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(directory, ignore_errors=True)


def _forget_metrics_of(pid: int) -> None:
    """A worker that exited no longer counts in the live gauges (open subscriptions)."""
    directory = os.environ.get(MULTIPROCESS_DIR)
    if directory:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]  # prometheus-client leaves it unannotated


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    channel: socket.socket  # the parent's end; the worker reads connections from the other
    started: float  # time.monotonic() at its start


def _start_worker() -> Worker:
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with theirs:
        process = subprocess.Popen(  # noqa: S603 (this interpreter, this module, a number)
            [sys.executable, "-m", "gateway.cli.serving", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
        )
    ours.setblocking(False)
    return Worker(process, ours, time.monotonic())


class Dealer:
    """The parent process of `--workers N`: accepts connections and deals them to the workers."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workers: list[Worker] = []
        self.turn = 0
        self.stopping = False
        self.status = 0
        self.crashes: list[float] = []  # when workers died within CRASH_SECONDS of their start

    def run(self) -> int:
        with _shared_metrics():
            return self._run()

    def _run(self) -> int:
        settings = self.settings
        _config(settings)  # configures logging as each worker's does
        with socket.create_server((settings.host, settings.port), backlog=BACKLOG) as listener:
            listener.setblocking(False)
            host, port = listener.getsockname()[:2]
            log.info("listening on http://%s:%d with %d workers", host, port, settings.workers)
            wake_read, wake_write = socket.socketpair()
            wake_write.setblocking(False)
            wake_read.setblocking(False)
            previous_wakeup = signal.set_wakeup_fd(wake_write.fileno())
            previous = {
                number: signal.signal(number, self._stop)
                for number in (signal.SIGTERM, signal.SIGINT)
            }
            try:
                self.workers = [_start_worker() for _ in range(settings.workers)]
                with selectors.DefaultSelector() as selector:
                    selector.register(listener, selectors.EVENT_READ)
                    selector.register(wake_read, selectors.EVENT_READ)
                    while not self.stopping:
                        for key, _ in selector.select(timeout=1.0):
                            if key.fileobj is listener:
                                self._accept(listener)
                            else:
                                with contextlib.suppress(BlockingIOError):
                                    wake_read.recv(4096)
                        self._replace_exited()
            finally:
                self._stop_workers()
                signal.set_wakeup_fd(previous_wakeup)
                for number, handler in previous.items():
                    signal.signal(number, handler)
                wake_read.close()
                wake_write.close()
        return self.status

    def _stop(self, signum: int, frame: Any) -> None:
        self.stopping = True

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as why:  # out of descriptors, say: the client may retry
                log.warning("could not accept a connection: %s", why)
                return
            with connection:
                self._deal(connection)

    def _deal(self, connection: socket.socket) -> None:
        """Hand the connection to the next worker that takes it (a worker whose channel is full
        or closed is skipped); the parent's copy is closed by the caller."""
        for _ in range(len(self.workers)):
            worker = self.workers[self.turn]
            self.turn = (self.turn + 1) % len(self.workers)
            try:
                socket.send_fds(worker.channel, [b"c"], [connection.fileno()])
                return
            except OSError:
                continue
        log.warning("no worker could take a connection; it was closed")

    def _replace_exited(self) -> None:
        for i, worker in enumerate(self.workers):
            code = worker.process.poll()
            if code is None or self.stopping:
                continue
            worker.channel.close()
            _forget_metrics_of(worker.process.pid)
            if code == STARTUP_FAILURE:
                log.error("a worker could not start (exit status %d); stopping", code)
                self.status = code
                self.stopping = True
                return
            now = time.monotonic()
            if now - worker.started < CRASH_SECONDS:
                self.crashes = [t for t in self.crashes if now - t < CRASH_WINDOW] + [now]
            if len(self.crashes) >= CRASH_LIMIT:
                log.error(
                    "%d workers exited within %.0f s of starting in the last %.0f s; stopping "
                    "(the lines above say why)",
                    len(self.crashes),
                    CRASH_SECONDS,
                    CRASH_WINDOW,
                )
                self.status = 1
                self.stopping = True
                return
            log.warning(
                "worker %d exited with status %d; starting another", worker.process.pid, code
            )
            self.workers[i] = _start_worker()

    def _stop_workers(self) -> None:
        for worker in self.workers:
            worker.channel.close()  # a worker whose parent is gone stops too
            if worker.process.poll() is None:
                worker.process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for worker in self.workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()


# --- a worker ---------------------------------------------------------------------------------


class DealtServer(uvicorn.Server):
    """uvicorn's server without a listening socket of its own: it serves the connections the
    parent passes over `channel`, and stops when the parent goes away."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel
        self.connecting: set[asyncio.Task[Any]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the lifespan starts; no listener
        config = self.config
        protocol = partial(
            config.http_protocol_class,  # its constructor's arguments, as uvicorn passes them
            config=config,
            server_state=self.server_state,
            app_state=self.lifespan.state,
        )  # type: ignore[call-arg]  # uvicorn's protocol classes take these, their declared type does not say so
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._receive, loop, protocol)

    def _receive(self, loop: asyncio.AbstractEventLoop, protocol: Any) -> None:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(self.channel, 1024, 64)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                data, fds = b"", []
            if not data and not fds:  # the parent is gone: stop serving
                loop.remove_reader(self.channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                connection = socket.socket(fileno=fd)
                connection.setblocking(False)
                if connection.family in (socket.AF_INET, socket.AF_INET6):
                    # As a listener's connections get it: a response's last bytes go out at once.
                    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                task = loop.create_task(loop.connect_accepted_socket(protocol, connection))
                self.connecting.add(task)
                task.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task[Any]) -> None:
        self.connecting.discard(task)
        if not task.cancelled() and task.exception() is not None:  # closed by its client already
            log.debug("a connection was gone before it was served: %r", task.exception())

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.channel.fileno())
        self.channel.close()
        await super().shutdown(sockets=sockets)


def _worker(channel_fd: int) -> None:
    """A worker's process: the settings come from the environment, as the parent's did."""
    settings = Settings.load()
    channel = socket.socket(fileno=channel_fd)
    DealtServer(_config(settings), channel).run()


if __name__ == "__main__":
    _worker(int(sys.argv[1]))

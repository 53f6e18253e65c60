"""A small local HTTP server to stand in for a platform's API in tests.

A fake is a `FakePlatform` with routes (method, path pattern, handler) and a state the test changes
between syncs. It listens on 127.0.0.1 on a free port in a thread of the test process, so a test
reads its counters and changes its runs directly while `gateway sync` (another process) talks to it.

Every fake keeps:
- `calls`: how often each named route answered (faults included), and `requests`: every request;
- `faults`: queued answers given instead of the next calls of a route, to play 429 with a
  `Retry-After`, a 500 or a 503 (`fail_next(route, status, retry_after=...)`);
- an authentication check: a route refuses a request whose credential is not the expected one,
  in the platform's own error shape.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Request:
    """A request as the fake saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    match: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Response]


@dataclass
class Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    authenticated: bool = True


class FakePlatform:
    """The routes, state, counters and faults of one fake platform (subclasses add the API)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.calls: Counter[str] = Counter()
        self.requests: list[tuple[str, Request]] = []
        self.faults: dict[str, deque[Response]] = defaultdict(deque)
        self.passes: Counter[str] = Counter()
        """Calls of a route still answered normally before its queued faults start."""
        self.lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- setup -------------------------------------------------------------------------------
    def route(
        self, name: str, method: str, pattern: str, handler: Handler, *, authenticated: bool = True
    ) -> None:
        self.routes.append(Route(name, method, re.compile(pattern + "$"), handler, authenticated))

    def fail_next(
        self,
        route: str,
        status: int = 429,
        *,
        times: int = 1,
        after: int = 0,
        retry_after: float | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer `times` calls of `route` with `status` instead, once `after` more have passed."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = f"{retry_after:g}"
        with self.lock:
            self.passes[route] = after
            for _ in range(times):
                self.faults[route].append(Response(status, body, extra))

    def authenticate(self, request: Request) -> Response | None:
        """None when the request carries the expected credential, else the refusal."""
        return None

    # -- running -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "the fake is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakePlatform:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
                request = Request(
                    method=self.command,
                    path=split.path,
                    query=query,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                response = fake.dispatch(request)
                payload = response.encoded()
                self.send_response(response.status)
                headers = {"Content-Type": "application/json", **response.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @contextlib.contextmanager
    def running(self) -> Iterator[FakePlatform]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def dispatch(self, request: Request) -> Response:
        for route in self.routes:
            if route.method != request.method:
                continue
            found = route.pattern.match(request.path)
            if not found:
                continue
            request.match = {k: unquote(v) for k, v in found.groupdict().items()}
            with self.lock:
                self.calls[route.name] += 1
                self.requests.append((route.name, request))
                if self.passes[route.name] > 0:
                    self.passes[route.name] -= 1
                elif self.faults[route.name]:
                    return self.faults[route.name].popleft()
                if route.authenticated and (refused := self.authenticate(request)) is not None:
                    return refused
                return route.handler(request)
        return Response(404, {"error": {"code": "NotFound", "message": f"no route {request.path}"}})

    def requests_of(self, route: str) -> list[Request]:
        with self.lock:
            return [r for name, r in self.requests if name == route]


def bearer(request: Request) -> str | None:
    """The bearer token of a request's Authorization header."""
    value = request.headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token if scheme.lower() == "bearer" and token else None

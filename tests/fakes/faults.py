"""Faults a fake platform answers before its real routes, and a count of every call it got."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass
class Fault:
    prefix: str
    status: int
    times: int
    retry_after: str | None
    method: str | None
    skip: int = 0


class Faults:
    """`add(path_prefix, status, times=1, retry_after=None, skip=0)` queues a fault; `calls` counts each
    `(method, path)` served (faults included); `wrap(app)` is the app with both."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self.calls: Counter[tuple[str, str]] = Counter()
        self.faulted = 0

    def add(
        self,
        prefix: str,
        status: int,
        *,
        times: int = 1,
        retry_after: str | None = None,
        method: str | None = None,
        skip: int = 0,
    ) -> None:
        """Answer `status` to the next `times` calls under `prefix`, after letting `skip` pass."""
        with self._lock:
            self._queue.append(Fault(prefix, status, times, retry_after, method, skip))

    def count(self, method: str, path: str) -> int:
        return self.calls[(method, path)]

    def _take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            self.calls[(method, path)] += 1
            for fault in self._queue:
                if path.startswith(fault.prefix) and fault.method in (None, method):
                    if fault.skip > 0:
                        fault.skip -= 1
                        return None
                    fault.times -= 1
                    if fault.times <= 0:
                        self._queue.remove(fault)
                    self.faulted += 1
                    return fault
        return None

    def wrap(self, app: ASGIApp) -> ASGIApp:
        async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http":
                fault = self._take(scope["method"], scope["path"])
                if fault is not None:
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
                    body: dict[str, Any] = {
                        "error_code": "FAULT",
                        "message": f"fault {fault.status}",
                    }
                    await JSONResponse(body, fault.status, headers=headers)(scope, receive, send)
                    return
            await app(scope, receive, send)

        return wrapped

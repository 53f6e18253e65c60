"""The per-token rate limit: a token bucket per caller (its token id, or its address when
authentication is off) holding `per_minute` requests, refilled continuously. Past it, 429 with
`Retry-After`. In memory, per process: with several workers each allows the rate."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.http.errors import error_response
from gateway.http.state import principal_of

_MAX_KEYS = 10_000  # forget idle callers past this many


class Buckets:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """0 when a request may go now, else the seconds until it may."""
        now = self.clock()
        tokens, at = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        if tokens >= 1:
            self._remember(key, (tokens - 1, now))
            return 0.0
        self._remember(key, (tokens, now))
        return (1 - tokens) / self.rate

    def _remember(self, key: str, value: tuple[float, float]) -> None:
        if key not in self._buckets and len(self._buckets) >= _MAX_KEYS:
            now = self.clock()
            full = [
                k
                for k, (t, at) in self._buckets.items()
                if t + (now - at) * self.rate >= self.capacity
            ]
            for k in full or list(self._buckets)[: _MAX_KEYS // 10]:
                del self._buckets[k]
        self._buckets[key] = value


class RateLimit:
    def __init__(self, app: ASGIApp, per_minute: int) -> None:
        self.app = app
        self.per_minute = per_minute
        self.buckets = Buckets(per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = principal_of(scope)
        if self.buckets is None or scope["type"] not in ("http", "websocket") or principal is None:
            await self.app(scope, receive, send)
            return
        client = scope.get("client") or ("unknown", 0)
        key = principal.token_id or f"address:{client[0]}"
        wait = self.buckets.take(key)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4429})
            return
        response = error_response(
            429,
            f"More than {self.per_minute} requests a minute; retry after the time in Retry-After.",
            {"code": "RATE_LIMITED", "limit": "requestsPerMinute", "max": self.per_minute},
            headers={"retry-after": str(max(1, math.ceil(wait)))},
        )
        await response(scope, receive, send)

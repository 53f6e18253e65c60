"""JSON over HTTP to a platform, with the faults a platform has taken care of.

- 429: wait what `Retry-After` says (seconds or an HTTP date; without it, the backoff), at most
  `RetryPolicy.max_retry_after` seconds, then try again.
- 5xx, timeouts and connection errors: try again after a full-jitter exponential backoff
  (`uniform(0, min(cap, base * 2**n))`), `attempts` tries in all.
- 401/403 become `PlatformAuthError`, another 4xx `PlatformRefusedError` with the platform's own
  message and code, an answer that is not JSON `PlatformResponseError`, and faults past the
  retries `PlatformUnavailableError`. Every message is scrubbed of secrets.

httpx2 is the client (the maintained line of httpx, which starlette's test client also runs on):
HTTP/1.1 keep-alive pooling, timeouts per phase, and `MockTransport` for tests.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import random
from collections.abc import Generator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx2
import orjson

from gateway.platforms.base import Target, scrub
from gateway.platforms.errors import (
    PlatformAuthError,
    PlatformRefusedError,
    PlatformResponseError,
    PlatformSetupError,
    PlatformUnavailableError,
)

Json = dict[str, Any]
TIMEOUT = httpx2.Timeout(30.0, connect=10.0)
BACKOFF_ENV = "GATEWAY_PLATFORM_BACKOFF"
"""Base backoff in seconds (tests and the bench make it small)."""
USER_AGENT = "runs-gateway"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5
    base: float = 0.5
    cap: float = 30.0
    max_retry_after: float = 120.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: a random wait up to the exponential bound of `attempt` (0-based)."""
        return random.uniform(0, min(self.cap, self.base * 2**attempt))  # noqa: S311 (jitter, not a secret)


def default_policy() -> RetryPolicy:
    given = os.environ.get(BACKOFF_ENV)
    try:
        return RetryPolicy(base=float(given)) if given else RetryPolicy()
    except ValueError:
        return RetryPolicy()


class BearerAuth(httpx2.Auth):
    """`Authorization: Bearer <credential>`; no credential is an auth error before any call."""

    def __init__(self, target: Target) -> None:
        if not target.credential:
            raise PlatformAuthError(
                target.connection, "no credential: set the environment variable it names."
            )
        self._credential = target.credential

    def auth_flow(
        self, request: httpx2.Request
    ) -> Generator[httpx2.Request, httpx2.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._credential.reveal()}"
        yield request


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def platform_message(body: object) -> tuple[str | None, str | None]:
    """The platform's own (code, message) from an error body: Databricks `error_code`/`message`,
    Azure and Graph `error.code`/`error.message`, AWS `__type`/`message`."""
    if not isinstance(body, Mapping):
        return None, None
    error = body.get("error")
    if isinstance(error, Mapping):
        return _str(error.get("code")), _str(error.get("message"))
    code = body.get("error_code") or body.get("code") or body.get("__type")
    message = (
        body.get("message") or body.get("Message") or (error if isinstance(error, str) else None)
    )
    return _str(code), _str(message)


def _str(value: object) -> str | None:
    return str(value)[:500] if value is not None else None


class PlatformHttp:
    """A platform's base URL and credential, and JSON calls to it."""

    def __init__(
        self,
        target: Target,
        *,
        auth: httpx2.Auth | None = None,
        policy: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
    ) -> None:
        if not target.endpoint.startswith(("http://", "https://")):
            raise PlatformSetupError(
                target.connection, "the endpoint must be an http:// or https:// URL."
            )
        self.target = target
        self.policy = policy or default_policy()
        self.calls = 0
        self._client = httpx2.AsyncClient(
            base_url=target.endpoint.rstrip("/"),
            auth=auth,
            timeout=TIMEOUT,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            transport=transport,
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get_json(self, path: str, *, params: Mapping[str, Any] | None = None) -> Json:
        return await self.request("GET", path, params=params)

    async def post_json(
        self, path: str, *, json: object = None, params: Mapping[str, Any] | None = None
    ) -> Json:
        return await self.request("POST", path, params=params, json=json)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: object = None,
    ) -> Json:
        """The JSON object a call answers, after the retries its faults deserve."""
        name = self.target.connection
        content = orjson.dumps(json) if json is not None else None
        headers = {"Content-Type": "application/json"} if content is not None else None
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        waited = 0.0
        attempt = 0
        while True:
            fault: str
            wait: float | None = None
            try:
                self.calls += 1
                response = await self._client.request(
                    method, path, params=clean or None, content=content, headers=headers
                )
            except httpx2.TimeoutException:
                fault = f"{method} {path} timed out"
            except httpx2.TransportError as exc:
                fault = f"{method} {path} could not connect ({type(exc).__name__})"
            else:
                status = response.status_code
                if status < 300:
                    return self._json(response, method, path)
                body = _body(response)
                code, message = platform_message(body)
                said = f": {message}" if message else ""
                if status in (401, 403):
                    raise PlatformAuthError(
                        name, f"the platform refused the credential ({status}{said})."
                    )
                if status == 429:
                    fault = f"{method} {path} was throttled (429)"
                    wait = retry_after(response.headers.get("Retry-After"))
                    if wait is not None and waited + wait > self.policy.max_retry_after:
                        raise PlatformUnavailableError(
                            name,
                            f"{fault}; Retry-After {wait:.0f} s is more than the "
                            f"{self.policy.max_retry_after:.0f} s this pass waits.",
                        )
                elif status >= 500:
                    fault = f"{method} {path} failed ({status}{said})"
                else:
                    raise PlatformRefusedError(
                        name,
                        f"{method} {path} was refused ({status}{said}).",
                        status=status,
                        platform_code=code,
                    )
            attempt += 1
            if attempt >= self.policy.attempts:
                raise PlatformUnavailableError(name, f"{fault}, {attempt} times; giving up.")
            delay = wait if wait is not None else self.policy.backoff(attempt - 1)
            waited += delay
            await asyncio.sleep(delay)

    def _json(self, response: httpx2.Response, method: str, path: str) -> Json:
        if not response.content:
            return {}
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise PlatformResponseError(
                self.target.connection, f"{method} {path} did not answer JSON."
            ) from None
        if not isinstance(body, dict):
            raise PlatformResponseError(
                self.target.connection, f"{method} {path} did not answer a JSON object."
            )
        return body


def _body(response: httpx2.Response) -> object:
    try:
        return orjson.loads(response.content) if response.content else None
    except orjson.JSONDecodeError:
        return scrub(response.text[:200])

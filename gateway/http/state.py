"""What the middleware learn about a request, kept in the ASGI scope's `state` (Starlette's
`request.state`): its id, the caller, and the report the access log writes."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from typing import Any

from starlette.types import Scope

from gateway.domain.auth import Principal

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

REQUEST_ID = "request_id"
PRINCIPAL = "principal"
REPORT = "report"
ABORT = "abort"
"""The key of the function that aborts the connection (gateway.http.abort puts it there when the
server exposes its transport; a WebSocket handler calls it for a peer that stopped reading)."""


def state_of(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


def header(scope: Scope, name: bytes) -> str | None:
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers", ())
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


# New ids: 64 random bits drawn once per process, then a counter (as long as a uuid4's hex, and
# unique across processes and restarts alike, without a system call for randomness per request).
_PREFIX = os.urandom(8).hex()
_SEQUENCE = itertools.count(1)


def new_request_id(given: str | None) -> str:
    """The caller's `X-Request-Id` when it is sane, else a new one."""
    if given and _REQUEST_ID.match(given):
        return given
    return f"{_PREFIX}{next(_SEQUENCE):016x}"


def principal_of(scope: Scope) -> Principal | None:
    found: Principal | None = state_of(scope).get(PRINCIPAL)
    return found

"""Authentication: every request but the public ones carries `Authorization: Bearer <token>`;
the caller (a `Principal`) goes into the request state for the GraphQL context, the access log,
the rate limit, and any other route (`caller(request)`, `require(request, scope)`).

With `auth=off` every caller is `OPEN` (every scope, every workspace): the default only on a
loopback address (see `Settings.check`). A WebSocket may instead send its token in the
`connection_init` payload (`{"authorization": "Bearer …"}`), since browsers cannot set headers
on a WebSocket; the GraphQL view checks it there (`authenticate_payload`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.domain.auth import OPEN, Principal
from gateway.domain.auth import Scope as TokenScope
from gateway.domain.clock import utc_now
from gateway.http.errors import error_response
from gateway.http.jwt import JwtVerifier
from gateway.http.state import PRINCIPAL, header, state_of
from gateway.services import tokens
from gateway.store.protocol import Database

PUBLIC_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/"})
PUBLIC_PREFIXES = ("/graphiql-static/",)
_REALM = 'Bearer realm="runs-gateway"'


def bearer(value: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` value."""
    if value is None:
        return None
    kind, _, token = value.strip().partition(" ")
    return token.strip() or None if kind.lower() == "bearer" else None


def _is_public(scope: Scope) -> bool:
    path: str = scope.get("path", "")
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return True
    # GraphiQL's page itself (a browser's GET for HTML, no query): the page then sends the token
    # a person types into its headers editor with each request.
    if scope["type"] == "http" and scope.get("method") == "GET":
        accept = header(scope, b"accept") or ""
        return "text/html" in accept and b"query=" not in scope.get("query_string", b"")
    return scope.get("method") == "OPTIONS"


class Authenticator:
    """Turns a bearer token into its caller: an API token (looked up in the store) or, when a
    verifier is configured, a JWT."""

    def __init__(self, db: Database, jwt: JwtVerifier | None = None) -> None:
        self.db = db
        self.jwt = jwt

    async def authenticate(self, token: str, now: datetime | None = None) -> Principal | None:
        if self.jwt is not None and JwtVerifier.looks_like_jwt(token):
            return self.jwt.principal(token)
        async with self.db.read() as conn:
            return await tokens.authenticate(conn, token, now or utc_now())


class Authenticate:
    def __init__(self, app: ASGIApp, authenticator: Authenticator, mode: str) -> None:
        self.app = app
        self.authenticator = authenticator
        self.mode = mode

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self.mode == "off":
            state_of(scope)[PRINCIPAL] = OPEN
            await self.app(scope, receive, send)
            return
        token = bearer(header(scope, b"authorization"))
        principal = await self.authenticator.authenticate(token) if token else None
        if principal is not None:
            state_of(scope)[PRINCIPAL] = principal
        elif token is not None or not (_is_public(scope) or scope["type"] == "websocket"):
            # A WebSocket with no header may still authenticate in connection_init.
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401})
                return
            await unauthenticated(invalid=token is not None)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def authenticate_payload(
    authenticator: Authenticator, payload: Mapping[str, object] | None
) -> Principal | None:
    """The caller of a WebSocket `connection_init` payload's `authorization` entry."""
    value = (payload or {}).get("authorization") or (payload or {}).get("Authorization")
    token = bearer(value) if isinstance(value, str) else None
    if token is None:
        return None
    return await authenticator.authenticate(token)


def unauthenticated(*, invalid: bool) -> Response:
    challenge = _REALM + (', error="invalid_token"' if invalid else "")
    message = (
        "The token is unknown, revoked or expired."
        if invalid
        else "Send an API token: Authorization: Bearer <token>."
    )
    return error_response(
        401, message, {"code": "UNAUTHENTICATED"}, headers={"www-authenticate": challenge}
    )


def caller(connection: HTTPConnection) -> Principal:
    """The authenticated caller of a request (routes behind `Authenticate` always have one)."""
    found = state_of(connection.scope).get(PRINCIPAL)
    if found is None:
        raise LookupError("no caller: the route is public or not behind Authenticate")
    principal: Principal = found
    return principal


def require(connection: HTTPConnection, scope: TokenScope) -> Principal | Response:
    """The caller if it has `scope`, else the 403 response to send."""
    principal = caller(connection)
    if principal.has(scope):
        return principal
    return error_response(
        403,
        f"This needs a token with the {scope.value} scope.",
        {"code": "FORBIDDEN", "requiredScope": scope.value},
    )

"""The Starlette application: `/graphql` (with offline GraphiQL), `/healthz`, `/readyz`, behind
the HTTP middleware of `gateway.http` (access log, security headers, CORS, body limit,
authentication, rate limit)."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from gateway.api.context import Context
from gateway.api.fastpath import Answer, FastPath
from gateway.api.graphiql import graphiql_page, graphiql_routes
from gateway.api.limits import cost_extension
from gateway.api.schema import build_schema, schema
from gateway.api.websocket import TextFrames, TransportWS
from gateway.config import Settings
from gateway.demo.live import keep_moving
from gateway.demo.once import first_process
from gateway.domain.auth import NOBODY, Principal, Scope
from gateway.http.abort import Abortable
from gateway.http.access_log import AccessLog
from gateway.http.auth import Authenticate, Authenticator, authenticate_payload
from gateway.http.body_limit import BodyLimit
from gateway.http.graphql_view import GraphQLHTTPView
from gateway.http.headers import SecurityHeaders
from gateway.http.jwt import JwtVerifier
from gateway.http.rate_limit import RateLimit
from gateway.http.state import PRINCIPAL, REPORT, REQUEST_ID, new_request_id, state_of
from gateway.ingest_http import INGEST_PREFIX, ingest_routes
from gateway.store.database import Database
from gateway.store.feed import ChangeFeed
from gateway.store.migrations import current_version, latest_version
from gateway.store.scheduler import run_schedules

log = logging.getLogger("gateway")


def is_subscription(query: str, operation_name: str | None) -> bool:
    """True when the operation to run is a subscription (strawberry would run it over HTTP as
    a multipart stream, which this server does not offer)."""
    if "subscription" not in query:
        return False
    try:
        operation = get_operation_ast(parse(query), operation_name)
    except GraphQLError:
        return False  # the executor reports it
    return operation is not None and operation.operation is OperationType.SUBSCRIPTION


class GatewayGraphQL(GraphQLHTTPView):
    """Strawberry's ASGI app with our context, the offline GraphiQL page, the compiled fast path
    for the queries it covers, and subscriptions over `graphql-transport-ws` with our limits
    (gateway/api/websocket.py)."""

    graphql_transport_ws_handler_class = TransportWS
    websocket_adapter_class = TextFrames  # type: ignore[assignment]

    def __init__(
        self,
        db: Database,
        settings: Settings,
        feed: ChangeFeed,
        authenticator: Authenticator | None = None,
    ) -> None:
        served = schema if settings.introspection else build_schema(introspection=False)
        super().__init__(
            served,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            allowed_origins=settings.origins("ws_origins") or settings.origins("cors_origins"),
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.live_subscriptions,
        )
        self.db = db
        self.feed = feed
        self.keep_alive_seconds = settings.live_keep_alive_ms / 1000
        self.authenticator = authenticator or Authenticator(db)
        self._page = graphiql_page("/graphql")
        self.fast_path = FastPath(served)

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: Any,
    ) -> ExecutionResult:
        """Queries the fast path covers are answered by it (`_fast`); everything else by the
        executor."""
        if isinstance(request_data.query, str):
            answer = await self._fast(
                context.principal,
                request_data.query,
                request_data.operation_name,
                request_data.variables,
                context.report,
            )
            if answer is not None:
                return ExecutionResult(
                    data=answer.data,  # type: ignore[arg-type]
                    errors=None,
                    extensions=cost_extension(answer.cost),
                )
        if isinstance(request_data.query, str) and is_subscription(
            request_data.query, request_data.operation_name
        ):
            raise HTTPException(
                400,
                "Subscriptions are served over a WebSocket on /graphql (graphql-transport-ws); "
                "over HTTP, poll runChanges instead.",
            )
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def answer_directly(
        self,
        request: Request,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> bytes | None:
        """A plain POST the fast path covers, answered without strawberry's view: the same
        caller (its scope and workspaces), report and response as through `execute_single`."""
        state = state_of(request.scope)
        principal = state.get(PRINCIPAL, NOBODY)
        answer = await self._fast(principal, query, operation_name, variables, state.get(REPORT))
        if answer is None:
            return None
        return orjson.dumps({"data": answer.data, "extensions": cost_extension(answer.cost)})

    async def _fast(
        self,
        principal: Principal,
        query: str,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        report: dict[str, Any] | None,
    ) -> Answer | None:
        """The fast path's answer for a caller who may read (confined to its workspaces, costed
        and reported like the executor's), or None: callers who may not read go to the
        executor, which answers its FORBIDDEN error."""
        if not principal.has(Scope.RUNS_READ):
            return None
        return await self.fast_path.execute(
            self.db, query, operation_name, variables, principal.workspaces, report
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        state = state_of(request.scope)
        return Context(
            db=self.db,
            request_id=state.get(REQUEST_ID) or new_request_id(request.headers.get("x-request-id")),
            request=request,
            response=response,
            principal=state.get(PRINCIPAL, NOBODY),
            report=state.get(REPORT, {}),
            feed=self.feed,
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        # Browsers cannot send headers on a WebSocket: the token may come in connection_init.
        if context.principal is NOBODY:
            principal = await authenticate_payload(self.authenticator, context.connection_params)
            if principal is None:
                raise ConnectionRejectionError
            context.use(principal)
            state_of(context.request.scope)[PRINCIPAL] = principal
        return await super().on_ws_connect(context)  # a plain `connection_ack`, no payload

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self._page)

    def decode_json(self, data: str | bytes) -> object:
        # orjson raises its JSONDecodeError (a json.JSONDecodeError, answered with 400) for
        # malformed JSON and invalid UTF-8 alike; the standard library raises UnicodeDecodeError
        # for the latter, which would become a 500.
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def create_app(settings: Settings | None = None) -> Starlette:
    """The application over the settings' database, opened and migrated at start-up."""
    settings = settings or Settings.load()
    db = Database(
        settings.database,
        readers=settings.readers,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    feed = ChangeFeed(
        db, poll_seconds=settings.live_poll_ms / 1000, queue_bound=settings.live_queue
    )
    authenticator = Authenticator(db, jwt_verifier(settings))
    graphql = GatewayGraphQL(db, settings, feed, authenticator)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Closed in reverse order: the demo stops moving runs before the database closes.
        async with contextlib.AsyncExitStack() as stack:
            await db.open()
            stack.push_async_callback(db.close)
            await feed.start()
            stack.push_async_callback(feed.stop)
            app.state.db = db
            app.state.feed = feed
            app.state.fast_path = graphql.fast_path
            if settings.scheduler:
                await stack.enter_async_context(
                    run_schedules(db, float(settings.scheduler_interval))
                )
            # Under `--workers N`, one process moves the demo's runs; the others only serve.
            if settings.demo and stack.enter_context(first_process(settings.database, "demo")):
                await stack.enter_async_context(keep_moving(db))
            yield

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            async with db.read() as conn:
                version = await current_version(conn)
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        if version != latest_version():
            return JSONResponse({"status": "migrating", "schemaVersion": version}, status_code=503)
        return JSONResponse({"status": "ready", "schemaVersion": version})

    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *graphiql_routes(),
        *ingest_routes(db, settings),
    ]
    if settings.access_log:
        _log_access_lines()
    middleware = [
        Middleware(Abortable),  # first: it sees the server's own send
        Middleware(AccessLog),
        Middleware(SecurityHeaders),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.origins("cors_origins"),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id"],
            expose_headers=["x-request-id", "retry-after"],
            max_age=600,
        ),
        Middleware(BodyLimit, max_bytes=settings.max_body_bytes, exempt=(INGEST_PREFIX,)),
        Middleware(Authenticate, authenticator=authenticator, mode=settings.auth_mode),
        Middleware(RateLimit, per_minute=settings.rate_limit),
    ]
    return Starlette(routes=routes, lifespan=lifespan, middleware=middleware)


def jwt_verifier(settings: Settings) -> JwtVerifier | None:
    if not (settings.jwt_key_file or settings.jwt_jwks_file):
        return None
    return JwtVerifier(
        key_file=settings.jwt_key_file,
        jwks_file=settings.jwt_jwks_file,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
    )


def _log_access_lines() -> None:
    """Access-log lines go to standard error as they are (JSON), once per process."""
    access = logging.getLogger("gateway.access")
    if not access.handlers:
        handler = _StandardError()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)


class _StandardError(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a line is logged (it may be replaced)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass

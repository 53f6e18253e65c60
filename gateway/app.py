"""The Starlette application: `/graphql` (with offline GraphiQL), `/healthz`, `/readyz`."""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from gateway.api.context import Context
from gateway.api.fastpath import FastPath
from gateway.api.graphiql import graphiql_page, graphiql_routes
from gateway.api.schema import schema
from gateway.api.websocket import TextFrames, TransportWS
from gateway.config import Settings
from gateway.demo.live import keep_moving
from gateway.demo.once import first_process
from gateway.domain.auth import Scope
from gateway.ingest_http import ingest_routes
from gateway.store.database import Database
from gateway.store.feed import ChangeFeed
from gateway.store.migrations import current_version, latest_version
from gateway.store.scheduler import run_schedules

log = logging.getLogger("gateway")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def request_id_of(request: Request | WebSocket) -> str:
    """The caller's `X-Request-Id` when it is sane, else a new one."""
    given = request.headers.get("x-request-id", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class GatewayGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with our context, the offline GraphiQL page, and subscriptions
    over `graphql-transport-ws` with our limits (gateway/api/websocket.py)."""

    graphql_transport_ws_handler_class = TransportWS
    websocket_adapter_class = TextFrames

    def __init__(self, db: Database, settings: Settings, feed: ChangeFeed) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if settings.graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            max_subscriptions_per_connection=settings.live_subscriptions,
        )
        self.db = db
        self.feed = feed
        self.keep_alive_seconds = settings.live_keep_alive_ms / 1000
        self._page = graphiql_page("/graphql")
        self.fast_path = FastPath(schema)

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: Any,
    ) -> ExecutionResult:
        """Queries the fast path covers are answered by it; everything else by the executor."""
        # The executor answers callers who may not read, so they get its FORBIDDEN error.
        if isinstance(request_data.query, str) and context.principal.has(Scope.RUNS_READ):
            data = await self.fast_path.execute(
                self.db,
                request_data.query,
                request_data.operation_name,
                request_data.variables,
                context.workspaces,
            )
            if data is not None:
                return ExecutionResult(data=data, errors=None)  # type: ignore[arg-type]
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        return Context(
            db=self.db,
            request_id=request_id_of(request),
            request=request,
            response=response,
            feed=self.feed,
        )

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
    db = Database(settings.database, readers=settings.readers)
    feed = ChangeFeed(
        db, poll_seconds=settings.live_poll_ms / 1000, queue_bound=settings.live_queue
    )
    graphql = GatewayGraphQL(db, settings, feed)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Closed in reverse order: the demo stops moving runs before the database closes.
        async with contextlib.AsyncExitStack() as stack:
            await db.open()
            stack.push_async_callback(db.close)
            await feed.start()
            stack.push_async_callback(feed.stop)
            app.state.db = db
            if settings.scheduler:
                await stack.enter_async_context(
                    run_schedules(db, float(settings.scheduler_interval))
                )
            app.state.feed = feed
            app.state.fast_path = graphql.fast_path
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
    return Starlette(routes=routes, lifespan=lifespan)

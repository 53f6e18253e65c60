"""The Starlette application: `/graphql` (with offline GraphiQL, where `/` leads), `/odata/`,
`/healthz`, `/readyz`, `/metrics` (Prometheus text, `gateway.metrics`), behind
the HTTP middleware of `gateway.http` (access log, security headers, CORS, body limit,
authentication, rate limit)."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator
from typing import Any, TextIO

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute

from gateway import metrics
from gateway.api.common.graphiql import graphiql_routes
from gateway.config import Settings
from gateway.demo.live import keep_moving
from gateway.demo.once import first_process
from gateway.domain.exceptions import StorageFaultError
from gateway.http.abort import Abortable
from gateway.http.access_log import AccessLog
from gateway.http.auth import Authenticate, Authenticator
from gateway.http.body_limit import BodyLimit
from gateway.http.graphql_view import GatewayGraphQL
from gateway.http.headers import SecurityHeaders
from gateway.http.ingest import INGEST_PREFIX, ingest_routes
from gateway.http.jwt import JwtVerifier
from gateway.http.rate_limit import RateLimit
from gateway.odata_http.error_shape import ODataErrorShape
from gateway.odata_http.routes import odata_routes
from gateway.services.schedules import run_schedules
from gateway.services.sync_schedule import run_syncs
from gateway.store.engines import database_for
from gateway.store.feed import ChangeFeed
from gateway.store.migrations import latest_version

log = logging.getLogger("gateway")


def create_app(settings: Settings | None = None) -> Starlette:
    """The application over the settings' database, opened and migrated at start-up."""
    settings = settings or Settings.load()
    db = database_for(
        settings.database,
        readers=settings.readers,
        statement_timeout_ms=settings.statement_timeout_ms,
        create=settings.create,
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
                    run_schedules(
                        db, float(settings.scheduler_interval), executor_running=settings.demo
                    )
                )
            if settings.sync:
                await stack.enter_async_context(run_syncs(db, float(settings.sync_tick)))
            # Under `--workers N`, one process moves the demo's runs; the others only serve.
            if settings.demo and stack.enter_context(first_process(settings.database, "demo")):
                await stack.enter_async_context(keep_moving(db))
            yield

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            version = await db.schema_version()
        except StorageFaultError as fault:  # vanished, replaced, full, read-only: say which
            log.error("not ready: %s", fault.message)
            return JSONResponse({"status": "unavailable", "reason": fault.code}, status_code=503)
        except Exception:
            log.exception("readiness check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        if version != latest_version():
            return JSONResponse({"status": "migrating", "schemaVersion": version}, status_code=503)
        return JSONResponse({"status": "ready", "schemaVersion": version})

    async def metrics_text(request: Request) -> Response:
        return Response(metrics.render(), media_type=metrics.CONTENT_TYPE)

    async def root(request: Request) -> Response:
        # A browser's GET /graphql gets GraphiQL; behind a proxy, the root path leads there too.
        return RedirectResponse(f"{request.scope.get('root_path', '')}/graphql", status_code=302)

    routes = [
        Route("/", root, methods=["GET"]),
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_text, methods=["GET"]),
        *graphiql_routes(),
        *ingest_routes(db, settings),
        *odata_routes(db),
    ]
    if settings.access_log:
        _log_access_lines()
    middleware = [
        Middleware(Abortable),  # first: it sees the server's own send
        Middleware(AccessLog),
        Middleware(SecurityHeaders),
        Middleware(ODataErrorShape),  # outside every middleware that answers errors itself
        Middleware(
            CORSMiddleware,
            allow_origins=settings.origins("cors_origins"),
            allow_methods=["GET", "POST", "PATCH"],  # PATCH: OData entities
            allow_headers=[
                "authorization",
                "content-type",
                "x-request-id",
                *("if-match", "if-none-match", "prefer", "odata-version", "odata-maxversion"),
            ],
            expose_headers=["x-request-id", "retry-after", "etag", "odata-version"],
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
    """Access-log lines go to standard error as they are (JSON), once per process; when the
    server configured logging (`gateway.logs`), through its handlers."""
    access = logging.getLogger("gateway.access")
    if logging.getLogger().handlers and not access.handlers:
        access.setLevel(logging.INFO)
    elif not access.handlers:
        handler = _StandardError()
        handler.setFormatter(logging.Formatter("%(message)s"))
        access.addHandler(handler)
        access.setLevel(logging.INFO)


class _StandardError(logging.StreamHandler[TextIO]):
    """Writes to whatever `sys.stderr` is when a line is logged (it may be replaced)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass

"""GraphQL over HTTP (the GraphQL-over-HTTP specification's MUSTs and SHOULDs) on strawberry's
ASGI view, which answers 200 with `application/json` whatever happened.

- Responses are `application/graphql-response+json` when the client accepts it (preferred at
  equal quality), else `application/json`; no `Accept` or `*/*` gets `application/json` (the
  spec's legacy clients). An `Accept` with neither gets 406.
- With `application/graphql-response+json`, a request error (parse, validation, variables, a
  limit: the response has no `data` entry) gets 4xx: 403 for a missing scope, else 400; a response with `data` gets 200.
  With `application/json` every well-formed GraphQL request gets 200, as the spec requires.
- A POST body that is not `application/json` gets 415; a mutation over GET gets 405 with
  `Allow: POST`; any other malformed request 400. Each of these is a JSON `errors` body.

The one view of `/graphql`: over HTTP, plain POSTs the compiled fast path covers are answered by
it, everything else by strawberry's executor; over a WebSocket, subscriptions
(`graphql-transport-ws`, gateway/api/live/websocket.py); a GET for HTML gets the offline GraphiQL.
"""

from __future__ import annotations

from typing import Any, cast

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Send
from starlette.types import Scope as ASGIScope
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from gateway.api.common.context import Context
from gateway.api.common.graphiql import graphiql_page
from gateway.api.common.limits import cost_extension
from gateway.api.common.request_errors import with_code
from gateway.api.fastpath import Answer, FastPath
from gateway.api.live.websocket import TextFrames, TransportWS
from gateway.api.schema import build_schema, schema
from gateway.config import Settings
from gateway.domain.auth import NOBODY, Principal, Scope
from gateway.http.auth import Authenticator, authenticate_payload
from gateway.http.errors import GRAPHQL_RESPONSE, JSON, error_response, with_request_id
from gateway.http.state import PRINCIPAL, REPORT, REQUEST_ID, new_request_id, state_of
from gateway.store.feed import ChangeFeed
from gateway.store.protocol import Database

_MEDIA = "gateway.media_type"
_DECLINED = "gateway.fast_path_declined"  # the fast path declined this request once already
_CODES = {
    400: "BAD_REQUEST",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    415: "UNSUPPORTED_MEDIA_TYPE",
}


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


_PLAIN_KEYS = frozenset({"query", "operationName", "variables"})


def _is_json(content_type: str | None) -> bool:
    return content_type is not None and (
        content_type == JSON or content_type.partition(";")[0].strip().lower() == JSON
    )


def negotiate(accept: str | None) -> str | None:
    """The response media type for an `Accept` header, or None when it allows neither."""
    if accept is None or not accept.strip():
        return JSON
    quality: dict[str, float] = {}
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[media.strip().lower()] = max(q, quality.get(media.strip().lower(), 0.0))
    response_q = quality.get(GRAPHQL_RESPONSE, 0.0)
    json_q = max(quality.get(JSON, 0.0), quality.get("application/*", 0.0), quality.get("*/*", 0.0))
    if response_q > 0 and response_q >= json_q:
        return GRAPHQL_RESPONSE
    return JSON if json_q > 0 else None


def _errors(data: GraphQLHTTPResponse) -> list[dict[str, Any]]:
    errors: Any = data.get("errors") or []
    return [e for e in errors if isinstance(e, dict)]


def _is_request_error(data: GraphQLHTTPResponse) -> bool:
    """No data and only errors without a path: the request failed before execution."""
    errors = _errors(data)
    return data.get("data") is None and bool(errors) and all(e.get("path") is None for e in errors)


class GatewayGraphQL(GraphQL[Context, None]):
    """strawberry's ASGI view, made to speak the GraphQL-over-HTTP specification, with our
    context, the offline GraphiQL page, the compiled fast path for the queries it covers, and
    subscriptions over `graphql-transport-ws` with our limits (gateway/api/live/websocket.py)."""

    graphql_transport_ws_handler_class = TransportWS
    websocket_adapter_class = TextFrames

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
        # Behind a proxy that serves the gateway under a prefix (and strips it), the page's links
        # carry the prefix: its assets and its endpoint resolve through the proxy.
        root = settings.root_path
        self._page = graphiql_page(f"{root}/graphql", f"{root}/graphiql-static")
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
        if isinstance(request_data.query, str) and not state_of(request.scope).get(_DECLINED):
            answer = await self._fast(
                context.principal,
                request_data.query,
                request_data.operation_name,
                request_data.variables,
                context.report,
            )
            if answer is not None:
                return ExecutionResult(
                    data=answer.data,  # type: ignore[arg-type]  # the fast path's data is JSON already (an orjson.Fragment), written as is
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
            state[_DECLINED] = True  # the executor answers it; the fast path is not asked again
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

    async def __call__(self, scope: ASGIScope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        accept = request.headers.get("accept")
        media = negotiate(accept)
        wants_page = request.method == "GET" and "text/html" in (accept or "")
        if media is None and not wants_page:
            response = self._error(
                406, "Accept application/graphql-response+json or application/json.", JSON
            )
        else:
            media = media or JSON
            state_of(scope)[_MEDIA] = media
            try:
                response = await self._answer_directly(request, media) or await self.run(request)
            except HTTPException as exc:
                response = self._http_error(exc, request, media)
        await response(scope, receive, send)

    async def _answer_directly(self, request: Request, media: str) -> Response | None:
        """A POST of a JSON object with a string `query` (and at most `operationName` and
        `variables`, well typed) that `answer_directly` answers, with the negotiated media
        type; else None, and strawberry's view serves the request (the body is read once)."""
        if request.method != "POST" or not _is_json(request.headers.get("content-type")):
            return None
        try:
            payload = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or payload.keys() - _PLAIN_KEYS:
            return None
        query, name, variables = (payload.get(k) for k in ("query", "operationName", "variables"))
        if not (
            isinstance(query, str)
            and (name is None or isinstance(name, str))
            and (variables is None or isinstance(variables, dict))
        ):
            return None
        body = await self.answer_directly(request, query, name, variables)
        if body is None:
            return None
        return Response(body, media_type=f"{media}; charset=utf-8")

    def _http_error(self, exc: HTTPException, request: Request, media: str) -> Response:
        if isinstance(exc.__cause__, InvalidOperationTypeError) and request.method == "GET":
            return self._error(405, exc.reason, media, {"allow": "POST"})
        status = exc.status_code if exc.status_code in _CODES else 400
        return self._error(status, exc.reason, media)

    @staticmethod
    def _error(
        status: int, message: str, media: str, headers: dict[str, str] | None = None
    ) -> Response:
        return error_response(
            status,
            message,
            {"code": _CODES.get(status, "BAD_REQUEST")},
            headers=headers,
            media_type=media,
        )

    async def parse_http_body(self, request: Any) -> Any:
        if request.method == "POST":
            raw = request.content_type or ""
            content_type = JSON if raw == JSON else parse_content_type(raw)[0]
            if content_type != JSON:
                raise HTTPException(415, "Send the request as application/json.")
        try:
            return await super().parse_http_body(request)
        except (AttributeError, TypeError) as exc:  # a JSON body that is not an object
            raise HTTPException(
                400, "The body must be a JSON object with `query` (batches are not served)."
            ) from exc

    async def get_sub_response(self, request: Request | Any) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = state_of(request.scope).get(_MEDIA, JSON)
        return sub_response

    async def process_result(
        self, request: Request | Any, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if result.errors:
            # A parse error leaves strawberry before any extension sees it: its code is set here.
            result.errors = [with_code(e) for e in result.errors]
        data = await super().process_result(request, result)
        if result.errors:
            data["errors"] = with_request_id(
                data.get("errors") or [], state_of(request.scope).get(REQUEST_ID)
            )
            report = state_of(request.scope).get(REPORT)
            if report is not None:
                report["errors"] = sorted(
                    {str((e.extensions or {}).get("code", "GRAPHQL_ERROR")) for e in result.errors}
                )
                report["refused"] = result.data is None
        return data

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        media = sub_response.media_type or JSON
        request_error = (
            media == GRAPHQL_RESPONSE
            and isinstance(response_data, dict)
            and _is_request_error(response_data)
        )
        if request_error and isinstance(response_data, dict):
            # The spec: a request error (parse, validation, a limit) has no `data` entry at all.
            response_data = cast(GraphQLHTTPResponse, {**response_data})
            response_data.pop("data", None)
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = f"{media}; charset=utf-8"
        if request_error and isinstance(response_data, dict) and not sub_response.status_code:
            codes = {(e.get("extensions") or {}).get("code") for e in _errors(response_data)}
            response.status_code = 403 if "FORBIDDEN" in codes else 400
        return response

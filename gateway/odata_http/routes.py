"""The `/odata/` routes: one endpoint that parses the resource path and the system query
options, checks the caller's scope, and answers in OData JSON (`$metadata` in CSDL XML).

Behind the same middleware as `/graphql` (authentication, workspaces, rate limit, body limit,
access log); answers carry `OData-Version: 4.01`. Every failure is an OData error body
(`errors.py`); nothing unexpected leaves unmasked.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from gateway.domain.auth import Scope
from gateway.http.auth import caller
from gateway.http.state import REPORT, REQUEST_ID, state_of
from gateway.odata_http import apply, csdl, options, reading, resources, writing
from gateway.odata_http.errors import (
    JSON_MEDIA,
    ODATA_VERSION,
    RequestError,
    error_response,
    translate,
)
from gateway.odata_http.json_format import dumps
from gateway.odata_http.model import MODEL
from gateway.odata_http.queries import Call
from gateway.store.protocol import Database

PREFIX = "/odata/"
_MAX_PAGE = re.compile(r"(?:^|[,;\s])odata\.maxpagesize\s*=\s*(\d{1,6})", re.IGNORECASE)
_HEADERS = {"odata-version": ODATA_VERSION}


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        dumps(body),
        status_code=status,
        headers={**_HEADERS, **(headers or {})},
        media_type=JSON_MEDIA,
    )


def _check_format(request: Request, opts: options.Options, metadata: bool) -> None:
    wanted = (opts.format or "").lower()
    if (
        wanted
        and not wanted.startswith(("json", "application/json"))
        and not (metadata and wanted in ("xml", "application/xml"))
    ):
        raise RequestError(
            406,
            "NOT_ACCEPTABLE",
            f"$format={opts.format} is not served; use json.",
            target="$format",
        )
    if metadata and wanted.startswith(("json", "application/json")):
        raise RequestError(
            406, "NOT_ACCEPTABLE", "$metadata is served as CSDL XML only.", target="$format"
        )


def _require(request: Request, scope: Scope) -> None:
    if not caller(request).has(scope):
        raise RequestError(403, "FORBIDDEN", f"This needs a token with the {scope.value} scope.")


def _service(call: Call) -> dict[str, Any]:
    return {
        "@odata.context": f"{call.base}$metadata",
        "value": [
            {"name": s.name, "kind": "EntitySet", "url": s.name} for s in MODEL.sets.values()
        ],
    }


def _call(db: Database, request: Request) -> Call:
    state = state_of(request.scope)
    prefer = _MAX_PAGE.search(request.headers.get("prefer", ""))
    root = request.scope.get("root_path", "")
    base = f"{request.url.scheme}://{request.url.netloc}{root}{PREFIX}"
    return Call(
        db,
        caller(request),
        str(state.get(REQUEST_ID, "unknown")),
        base,
        int(prefer.group(1)) if prefer else None,
    )


async def _get(request: Request, call: Call, path: str, opts: options.Options) -> Response:
    resource = resources.parse(path)
    _check_format(request, opts, resource.kind == "metadata")
    if resource.kind == "metadata":
        return Response(csdl.metadata(), headers=_HEADERS, media_type="application/xml")
    _require(request, Scope.RUNS_READ)
    if resource.kind == "service":
        return _json(_service(call))
    if resource.kind == "collection":
        if opts.apply is not None:
            return _json(await apply.run(call, resource, opts))
        body = await reading.collection(call, resource, opts, path)
        if isinstance(body, int):
            return Response(str(body), headers=_HEADERS, media_type="text/plain")
        headers = (
            {"preference-applied": f"odata.maxpagesize={call.max_page_size}"}
            if call.max_page_size
            else {}
        )
        return _json(body, headers=headers)
    if resource.kind == "action":
        raise RequestError(405, "METHOD_NOT_ALLOWED", "Actions are invoked with POST.")
    body, record = await reading.single(call, resource, opts)
    e_tag = getattr(record, "e_tag", None)
    headers = {"etag": e_tag} if e_tag else {}
    if e_tag and request.headers.get("if-none-match") in (e_tag, "*"):
        return Response(status_code=304, headers={**_HEADERS, **headers})
    if resource.kind == "property":
        return _json(reading.property_body(call, resource, body), headers=headers)
    return _json(body, headers=headers)


def odata_routes(db: Database) -> list[BaseRoute]:
    """`/odata/...` over `db`, and `/odata` leading to the service document."""

    async def endpoint(request: Request) -> Response:
        path = request.path_params.get("path", "")
        call: Call | None = None
        report = state_of(request.scope).get(REPORT)
        if isinstance(report, dict):
            report["operation"] = (
                f"odata {request.method} {path.split('(')[0].split('/')[0] or '/'}"
            )
        try:
            call = _call(db, request)
            opts = options.parse(request.scope.get("query_string", b"").decode("latin-1"))
            if request.method == "GET":
                return await _get(request, call, path, opts)
            return await writing.write(request, call, path, opts)
        except Exception as exc:
            request_id = (
                call.request_id if call else str(state_of(request.scope).get(REQUEST_ID, "unknown"))
            )
            error = translate(exc, request_id)
            if isinstance(report, dict):
                report["errors"] = [error.code]
            return error_response(error, request_id)

    async def root(request: Request) -> Response:
        return RedirectResponse(PREFIX, status_code=307)

    return [
        Route("/odata", root, methods=["GET"]),
        Route(PREFIX + "{path:path}", endpoint, methods=["GET", "POST", "PATCH", "PUT", "DELETE"]),
    ]

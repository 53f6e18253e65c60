"""`POST /ingest/{format}`: the request body streamed through the same readers and parsers as
`gateway import`, answered with the import summary and each failed record's position and message.

The body is read as it arrives (constant memory) and bounded by `GATEWAY_INGEST_MAX_BYTES`.
Query parameters: `workspace` (default: the default workspace) and `strict` (`true`: one
transaction, the first bad record fails the request and nothing is imported). Answers: 200 with the
summary when every record was imported; 422 with the same summary when any record failed (with
`strict`, nothing was imported; without, the others were); 400 for an unknown format or workspace;
413 past the size bound (the records committed before it stay, and the summary says how many); 415
for a content type the format does not read. Every error body (and a 422's summary) carries the
request id as `requestId`. It needs the `runs:write` scope (403 without it), a `workspace`
the caller may see (400 otherwise, as for a missing one), and the gateway's own format, whose
records name their workspaces, needs a caller of every workspace.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.config import Settings
from gateway.domain.auth import Scope
from gateway.domain.exceptions import ValidationError
from gateway.http.auth import require
from gateway.http.errors import REQUEST_ID_KEY, current_request_id
from gateway.ingest.formats import FORMATS, parse_chunks
from gateway.services.imports import import_records
from gateway.store.protocol import Database

DEFAULT_WORKSPACE = "ws_00000000000000000000000000"
INGEST_PREFIX = "/ingest/"
_TRUE = {"1", "true", "yes", "on"}


class _TooLarge(Exception):
    pass


def _error(status: int, code: str, message: str, **extra: Any) -> Response:
    error = {"code": code, "message": message, **_request_id()}
    return JSONResponse({"error": error, **extra}, status_code=status)


def _request_id() -> dict[str, str]:
    """The request id a client quotes (that of `X-Request-Id` and the log lines)."""
    found = current_request_id()
    return {REQUEST_ID_KEY: found} if found else {}


def ingest_routes(db: Database, settings: Settings) -> list[Route]:
    """The ingest route over `db` (its own module, so an authorisation guard can wrap it)."""
    limit = settings.ingest_max_bytes

    async def ingest(request: Request) -> Response:
        allowed = require(request, Scope.RUNS_WRITE)
        if isinstance(allowed, Response):
            return allowed
        name = request.path_params["format"]
        format = FORMATS.get(name)
        if format is None:
            return _error(
                400,
                "UNKNOWN_FORMAT",
                f"Unknown format {name!r}; the formats are {', '.join(sorted(FORMATS))}.",
            )
        if name == "gateway" and not allowed.workspaces.every:
            return _error(
                403,
                "FORBIDDEN",
                "The gateway's own format names its workspaces; importing it needs a token of "
                "every workspace.",
            )
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in format.media_types:
            return _error(
                415,
                "UNSUPPORTED_MEDIA_TYPE",
                f"The {name} format is posted as {' or '.join(format.media_types)}.",
            )
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return _error(413, "BODY_TOO_LARGE", f"The body may be at most {limit} bytes.")
        received = 0

        async def body() -> AsyncIterator[bytes]:
            nonlocal received
            async for chunk in request.stream():
                received += len(chunk)
                if received > limit:
                    raise _TooLarge
                yield chunk

        strict = request.query_params.get("strict", "").strip().lower() in _TRUE
        workspace = request.query_params.get("workspace") or allowed.default_workspace(
            DEFAULT_WORKSPACE
        )
        if not allowed.workspaces.allows(workspace):
            return _error(
                400, "UNKNOWN_WORKSPACE", f"workspace: no workspace has the id {workspace!r}."
            )
        progress: dict[str, Any] = {}
        try:
            summary = await import_records(
                db,
                parse_chunks(format, body()),
                workspace_id=workspace,
                strict=strict,
                on_batch=lambda s: progress.update(summary=s.to_json()),
            )
        except ValidationError as exc:
            return _error(400, "UNKNOWN_WORKSPACE", exc.message)
        except _TooLarge:
            return _error(
                413,
                "BODY_TOO_LARGE",
                f"The body may be at most {limit} bytes; the records before that point that "
                "were committed stay (see summary), unless the import was strict.",
                summary=progress.get("summary"),
            )
        # Any failed record is 422, as the CLI exits 1: a client that checks the status sees it.
        # Without `strict`, the other records were imported (the summary counts them).
        if summary.failed:
            return JSONResponse({**summary.to_json(), **_request_id()}, status_code=422)
        return JSONResponse(summary.to_json())

    return [Route(INGEST_PREFIX + "{format}", ingest, methods=["POST"])]

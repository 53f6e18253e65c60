"""Writes: `PATCH` of a run, process or activity, and the bound actions `start`, `cancel` and
`retry`, each through the use case the GraphQL mutation of the same name calls
(`gateway.services`), with the caller's token as actor: the same scopes, workspaces, ETags,
idempotency keys (shared with GraphQL's: a key used there replays here) and run events.

`PATCH` needs `If-Match` (428 without it; `*` matches any version; 412 with the current ETag when
stale); the answer is the updated entity (`Prefer: return=minimal` for 204) with its `ETag`.
Actions answer with the run; `cancel` takes `If-Match` when given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from gateway.domain.auth import Scope
from gateway.domain.exceptions import ValidationError
from gateway.domain.models import Trigger
from gateway.domain.process_specs import ProcessPatch
from gateway.domain.sources import TriggerType
from gateway.domain.specs import ActivityPatch, RunPatch
from gateway.domain.starts import MAX_WAIT_SECONDS, StartOptions
from gateway.domain.status import ReadinessStatus, RunStatus
from gateway.odata_http.actions import Action
from gateway.odata_http.errors import JSON_MEDIA, ODATA_VERSION, RequestError
from gateway.odata_http.json_format import dumps, entity
from gateway.odata_http.options import Options
from gateway.odata_http.queries import Call
from gateway.odata_http.resources import Resource, parse
from gateway.services import lifecycle, processes, runs
from gateway.services.actor import Actor

Convert = Callable[[str, Any], Any]


def _text(name: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError(name, "must be a string.")
    return value


def _time(name: str, value: Any) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(name, "must be an ISO 8601 date-time with an offset.") from None
    if parsed.tzinfo is None:
        raise ValidationError(name, "must be an ISO 8601 date-time with an offset.")
    return parsed


def _enum(enum_class: type[RunStatus] | type[ReadinessStatus]) -> Convert:
    def convert(name: str, value: Any) -> Any:
        if value is None:
            return None
        names = {m.name.lower(): m for m in enum_class}
        found = names.get(str(value).lower())
        if found is None:
            raise ValidationError(name, f"must be one of {', '.join(m.name for m in enum_class)}.")
        return found

    return convert


def _any(name: str, value: Any) -> Any:
    return value


_PROGRESS: dict[str, tuple[str, Convert, bool]] = {  # name: (patch field, convert, nullable)
    "status": ("status", _enum(RunStatus), False),
    "sourceStatus": ("source_status", _text, False),
    "startDateTime": ("start_date_time", _time, True),
    "endDateTime": ("end_date_time", _time, True),
}
WRITABLE: dict[str, dict[str, tuple[str, Convert, bool]]] = {
    "Run": {
        "displayName": ("display_name", _text, True),
        "parameters": ("parameters", _any, True),
        **_PROGRESS,
    },
    "Activity": dict(_PROGRESS),
    "Process": {
        "displayName": ("display_name", _text, False),
        "description": ("description", _text, True),
        "readinessStatus": ("readiness_status", _enum(ReadinessStatus), False),
        "schedule": ("schedule", _text, True),
    },
}


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in ("application/json", ""):
        raise RequestError(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json.")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise RequestError(400, "INVALID_BODY", "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise RequestError(400, "INVALID_BODY", "The body must be a JSON object.")
    return {k: v for k, v in body.items() if "@" not in k}  # annotations are not values


def _patch(type_name: str, body: dict[str, Any]) -> dict[str, Any]:
    writable = WRITABLE[type_name]
    fields: dict[str, Any] = {}
    for name, value in body.items():
        if name not in writable:
            allowed = ", ".join(writable)
            raise ValidationError(name, f"cannot be changed here; these can: {allowed}.")
        field, convert, nullable = writable[name]
        if value is None and not nullable:
            raise ValidationError(name, "cannot be null; leave it out to keep the current value.")
        fields[field] = convert(name, value)
    if not fields:
        raise RequestError(400, "INVALID_BODY", "The body changes nothing.")
    return fields


def _actor(call: Call) -> Actor:
    return Actor(
        name=call.principal.token_id,
        request_id=call.request_id,
        workspaces=call.principal.workspaces,
    )


def _require(call: Call, scope: Scope) -> None:
    if not call.principal.has(scope):
        raise RequestError(403, "FORBIDDEN", f"This needs a token with the {scope.value} scope.")


def _answer(call: Call, record: Any, set_name: str, request: Request, **headers: str) -> Response:
    base = {"odata-version": ODATA_VERSION, "etag": record.e_tag, **headers}
    if "return=minimal" in request.headers.get("prefer", "").replace(" ", "").lower():
        return Response(status_code=204, headers={**base, "preference-applied": "return=minimal"})
    body = {"@odata.context": f"{call.base}$metadata#{set_name}/$entity", **entity(record, None)}
    return Response(dumps(body), headers=base, media_type=JSON_MEDIA)


async def _update(call: Call, resource: Resource, body: dict[str, Any], if_match: str) -> Any:
    if resource.set is None or resource.key is None:
        raise RequestError(405, "METHOD_NOT_ALLOWED", "PATCH addresses one entity by key.")
    type_name = resource.set.type
    if type_name not in WRITABLE:
        raise RequestError(405, "METHOD_NOT_ALLOWED", f"{resource.set.name} cannot be changed.")
    fields = _patch(type_name, body)
    actor = _actor(call)
    if type_name == "Run":
        return await runs.update_run(call.db, resource.key, RunPatch(**fields), if_match, actor)
    if type_name == "Process":
        patch = ProcessPatch(**fields)
        return await processes.update_process(call.db, resource.key, patch, if_match, actor)
    activity, _ = await lifecycle.update_activity(
        call.db, resource.key, ActivityPatch(**fields), if_match, actor
    )
    return activity


def _parameters(action: Action, body: dict[str, Any]) -> dict[str, Any]:
    names = {p.name for p in action.parameters}
    unknown = sorted(set(body) - names)
    if unknown:
        raise ValidationError(unknown[0], f"is not a parameter of {action.name}.")
    wait = body.get("wait", 0)
    if not isinstance(wait, int) or isinstance(wait, bool) or not 0 <= wait <= MAX_WAIT_SECONDS:
        raise ValidationError("wait", f"must be between 0 and {MAX_WAIT_SECONDS} seconds.")
    for name in ("idempotencyKey", "displayName", "reason"):
        _text(name, body.get(name))
    if not isinstance(body.get("fromFailure", False), bool):
        raise ValidationError("fromFailure", "must be true or false.")
    return body


async def _invoke(
    call: Call, resource: Resource, request: Request, body: dict[str, Any]
) -> tuple[Any, bool]:
    action = resource.action
    if action is None or resource.key is None:
        raise RequestError(404, "NOT_FOUND", "No such action.")
    given = _parameters(action, body)
    key = given.get("idempotencyKey") or request.headers.get("idempotency-key")
    actor = _actor(call)
    if action.name == "start":
        _require(call, Scope.RUNS_START)
        options = StartOptions(
            display_name=given.get("displayName"),
            parameters=given.get("parameters"),
            trigger=Trigger(type=TriggerType.API),
        )
        started = await lifecycle.start_run(
            call.db, resource.key, options, actor, idempotency_key=key
        )
    elif action.name == "retry":
        _require(call, Scope.RUNS_START)
        options = StartOptions(
            parameters=given.get("parameters"), trigger=Trigger(type=TriggerType.RETRY)
        )
        started = await lifecycle.retry_run(
            call.db,
            resource.key,
            from_failure=bool(given.get("fromFailure", False)),
            options=options,
            actor=actor,
            idempotency_key=key,
        )
    else:
        _require(call, Scope.RUNS_WRITE)
        if_match = request.headers.get("if-match")
        run = await lifecycle.cancel_run(
            call.db, resource.key, given.get("reason"), if_match, actor
        )
        return run, False
    run = await lifecycle.wait_until_finished(call.db, started.run, given.get("wait", 0))
    return run, started.replayed


async def write(request: Request, call: Call, path: str, options: Options) -> Response:
    """A `PATCH` of an entity or a `POST` of a bound action."""
    resource = parse(path)
    if request.method == "PATCH" and resource.kind == "entity" and resource.navigation is None:
        _require(call, Scope.RUNS_WRITE)
        if_match = request.headers.get("if-match")
        if if_match is None:
            raise RequestError(
                428,
                "PRECONDITION_REQUIRED",
                "Send If-Match with the entity's ETag (or *) to change it.",
                target="If-Match",
            )
        record = await _update(call, resource, await _body(request), if_match)
        return _answer(call, record, resource.set.name if resource.set else "", request)
    if request.method == "POST" and resource.kind == "action":
        run, replayed = await _invoke(call, resource, request, await _body(request))
        headers = {"idempotent-replayed": "true"} if replayed else {}
        return _answer(call, run, "Runs", request, **headers)
    if request.method == "POST" and resource.kind == "collection":
        raise RequestError(
            405,
            "METHOD_NOT_ALLOWED",
            "Entities are not created here; start runs with the "
            "RunsGateway.start action of a process.",
        )
    raise RequestError(405, "METHOD_NOT_ALLOWED", f"{request.method} is not supported here.")

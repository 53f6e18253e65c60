"""A fake Azure Data Factory v2 (api-version 2018-06-01), from the REST reference:

- `POST …/factories/{f}/queryPipelineRuns` with `lastUpdatedAfter`, `lastUpdatedBefore` (both
  required) and `continuationToken`: `{"value": [PipelineRun], "continuationToken"}`, runs whose
  `lastUpdated` is in the window, `page_size` per page;
- `POST …/pipelineruns/{runId}/queryActivityruns`, the same window and paging over one run's
  activity runs;
- `POST …/pipelines/{name}/createRun[?referencePipelineRunId=&isRecovery=&startFromFailure=]` with
  the parameters as the body: `{"runId"}`; a recovery run joins its reference's `runGroupId`;
- `GET …/pipelineruns/{runId}`: one pipeline run;
- `POST …/pipelineruns/{runId}/cancel`: 200 with no body; 400 when the run is already finished.

Every call must carry `api-version=2018-06-01` and the expected bearer token; errors are ARM's
`{"error": {"code", "message"}}`.
"""

from __future__ import annotations

import base64
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.base import FakePlatform, Request, Response, bearer

API_VERSION = "2018-06-01"
FINISHED = {"Succeeded", "Failed", "Cancelled"}

ADF_TOKEN = "adf-secret-token"
"""The bearer token the fake accepts."""


def adf_time(value: datetime) -> str:
    """A time as Data Factory writes it: seven fractional digits and a Z."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def _parse(value: str) -> datetime:
    raw = value.replace("Z", "+00:00")
    head, dot, tail = raw.partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        raw = f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}"
    parsed = datetime.fromisoformat(raw)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"error": {"code": code, "message": message}})


class FakeDataFactory(FakePlatform):
    def __init__(
        self,
        *,
        subscription: str = "sub-1",
        resource_group: str = "rg-data",
        factory: str = "factory-1",
        token: str = ADF_TOKEN,
        page_size: int = 2,
    ) -> None:
        super().__init__()
        self.subscription = subscription
        self.resource_group = resource_group
        self.factory = factory
        self.token = token
        self.page_size = page_size
        self.runs: dict[str, dict[str, Any]] = {}
        self.activities: dict[str, list[dict[str, Any]]] = {}
        self._numbers = itertools.count(1)
        base = (
            f"/subscriptions/{subscription}/resourceGroups/{resource_group}"
            f"/providers/Microsoft.DataFactory/factories/{factory}"
        )
        self.base_path = base
        self.route("queryPipelineRuns", "POST", base + "/queryPipelineRuns", self._query_runs)
        self.route(
            "queryActivityruns",
            "POST",
            base + r"/pipelineruns/(?P<run>[^/]+)/queryActivityruns",
            self._query_activities,
        )
        self.route(
            "createRun", "POST", base + r"/pipelines/(?P<pipeline>[^/]+)/createRun", self._create
        )
        self.route("cancel", "POST", base + r"/pipelineruns/(?P<run>[^/]+)/cancel", self._cancel)
        self.route("getRun", "GET", base + r"/pipelineruns/(?P<run>[^/]+)", self._get)

    # -- state the tests change ---------------------------------------------------------------
    def add_run(
        self,
        pipeline: str = "CopySales",
        *,
        status: str = "Succeeded",
        updated: datetime | None = None,
        run_id: str | None = None,
        group: str | None = None,
        activities: int = 1,
    ) -> dict[str, Any]:
        """A pipeline run (and `activities` activity runs) last updated at `updated`."""
        n = next(self._numbers)
        updated = updated or datetime.now(UTC) - timedelta(minutes=30) + timedelta(seconds=n)
        start = updated - timedelta(minutes=5)
        run_id = run_id or str(uuid.UUID(int=n))
        with self.lock:
            run = {
                "runId": run_id,
                "runGroupId": group or run_id,
                "isLatest": True,
                "pipelineName": pipeline,
                "parameters": {"window": "2026-12-01"},
                "invokedBy": {"name": "Manual", "id": f"inv-{n}", "invokedByType": "Manual"},
                "runStart": adf_time(start),
                "runEnd": adf_time(updated) if status in FINISHED else None,
                "durationInMs": 300000 if status in FINISHED else None,
                "status": status,
                "message": "",
                "lastUpdated": adf_time(updated),
            }
            self.runs[run_id] = run
            self.activities[run_id] = [
                {
                    "pipelineName": pipeline,
                    "pipelineRunId": run_id,
                    "activityName": f"Step {i + 1}",
                    "activityType": "Copy",
                    "activityRunId": f"{run_id}-a{i + 1}",
                    "status": status,
                    "activityRunStart": adf_time(start),
                    "activityRunEnd": adf_time(updated) if status in FINISHED else None,
                    "durationInMs": 1000,
                    "output": {"rowsRead": 10 * n, "rowsCopied": 10 * n},
                }
                for i in range(activities)
            ]
            return run

    def change_run(self, run_id: str, *, status: str) -> None:
        """A run (and its activities) moves to `status`, updated now."""
        now = datetime.now(UTC)
        with self.lock:
            run = self.runs[run_id]
            run["status"] = status
            run["lastUpdated"] = adf_time(now)
            if status in FINISHED:
                run["runEnd"] = adf_time(now)
                run["durationInMs"] = 360000
            for activity in self.activities[run_id]:
                activity["status"] = status
                if status in FINISHED:
                    activity["activityRunEnd"] = adf_time(now)

    # -- the API ------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        if request.query.get("api-version") != API_VERSION:
            return _error(400, "InvalidApiVersionParameter", "api-version is required.")
        if bearer(request) != self.token:
            return _error(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid.",
            )
        return None

    @staticmethod
    def _window(request: Request) -> tuple[datetime, datetime, int] | Response:
        body = request.json() or {}
        try:
            after = _parse(body["lastUpdatedAfter"])
            before = _parse(body["lastUpdatedBefore"])
        except (KeyError, ValueError, TypeError):
            return _error(
                400, "InvalidRequest", "lastUpdatedAfter and lastUpdatedBefore are required."
            )
        token = body.get("continuationToken")
        offset = int(base64.b64decode(token).decode()) if token else 0
        return after, before, offset

    def _page(self, items: list[dict[str, Any]], offset: int) -> dict[str, Any]:
        page = items[offset : offset + self.page_size]
        out: dict[str, Any] = {"value": page}
        if offset + self.page_size < len(items):
            out["continuationToken"] = base64.b64encode(
                str(offset + self.page_size).encode()
            ).decode()
        return out

    def _query_runs(self, request: Request) -> Response:
        window = self._window(request)
        if isinstance(window, Response):
            return window
        after, before, offset = window
        runs = sorted(
            (r for r in self.runs.values() if after <= _parse(r["lastUpdated"]) <= before),
            key=lambda r: (_parse(r["lastUpdated"]), r["runId"]),
        )
        return Response(200, self._page([dict(r) for r in runs], offset))

    def _query_activities(self, request: Request) -> Response:
        window = self._window(request)
        if isinstance(window, Response):
            return window
        _after, _before, offset = window
        run = request.match["run"]
        if run not in self.runs:
            return _error(404, "PipelineRunNotFound", "The pipeline run was not found.")
        return Response(200, self._page([dict(a) for a in self.activities[run]], offset))

    def _create(self, request: Request) -> Response:
        pipeline = request.match["pipeline"]
        reference = request.query.get("referencePipelineRunId")
        group = None
        if reference:
            if reference not in self.runs:
                return _error(404, "PipelineRunNotFound", "The reference run was not found.")
            if request.query.get("isRecovery") != "true":
                return _error(400, "InvalidRequest", "a rerun needs isRecovery=true.")
            group = self.runs[reference]["runGroupId"]
        run = self.add_run(pipeline, status="InProgress", updated=datetime.now(UTC), group=group)
        run["parameters"] = request.json() or {}
        run["invokedBy"] = {"name": "Manual", "id": "api", "invokedByType": "Manual"}
        return Response(200, {"runId": run["runId"]})

    def _get(self, request: Request) -> Response:
        run = self.runs.get(request.match["run"])
        if run is None:
            return _error(404, "PipelineRunNotFound", "The pipeline run was not found.")
        return Response(200, dict(run))

    def _cancel(self, request: Request) -> Response:
        run_id = request.match["run"]
        if run_id not in self.runs:
            return _error(404, "PipelineRunNotFound", "The pipeline run was not found.")
        if self.runs[run_id]["status"] in FINISHED:
            return _error(400, "PipelineRunAlreadyFinished", "The pipeline run has finished.")
        self.change_run(run_id, status="Cancelled")
        return Response(200, None)

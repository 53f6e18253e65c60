"""A fake Microsoft Graph industry data API (beta), from the Graph reference:

- `GET /beta/external/industryData/runs`: `{"@odata.context", "value": [industryDataRun],
  "@odata.nextLink"}`, `page_size` runs a page, the next page an absolute URL with `$skiptoken`
  (Graph's server-driven paging);
- `GET /beta/external/industryData/runs/{id}/activities`: the run's `industryDataRunActivity`
  objects (inbound and outbound flows), paged the same way;
- `POST /beta/external/industryData/runs/start`: 202 Accepted, no body (Graph returns no run id).

Every call needs the expected bearer token; errors are Graph's `{"error": {"code", "message"}}`.
"""

from __future__ import annotations

import base64
import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.base import FakePlatform, Request, Response, bearer

PREFIX = "/beta/external/industryData"

GRAPH_TOKEN = "graph-secret-token"
"""The bearer token the fake accepts."""


def graph_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(status: int, code: str, message: str) -> Response:
    return Response(status, {"error": {"code": code, "message": message}})


class FakeIndustryData(FakePlatform):
    def __init__(self, *, token: str = GRAPH_TOKEN, page_size: int = 2) -> None:
        super().__init__()
        self.token = token
        self.page_size = page_size
        self.runs: dict[str, dict[str, Any]] = {}
        self.activities: dict[str, list[dict[str, Any]]] = {}
        self._numbers = itertools.count(1)
        self.route("runs", "GET", PREFIX + "/runs", self._list_runs)
        self.route(
            "activities", "GET", PREFIX + r"/runs/(?P<run>[^/]+)/activities", self._list_acts
        )
        self.route("start", "POST", PREFIX + "/runs/start", self._start)

    def add_run(
        self, *, status: str = "completed", started: datetime | None = None
    ) -> dict[str, Any]:
        n = next(self._numbers)
        started = started or datetime.now(UTC) - timedelta(hours=12) + timedelta(minutes=n)
        run_id = str(uuid.UUID(int=0xA000 + n))
        finished = status != "running"
        with self.lock:
            run = {
                "@odata.type": "#microsoft.graph.industryData.industryDataRun",
                "id": run_id,
                "displayName": f"Run {n}",
                "status": status,
                "startDateTime": graph_time(started),
                "endDateTime": graph_time(started + timedelta(minutes=40)) if finished else None,
                "blockingError": None,
            }
            self.runs[run_id] = run
            self.activities[run_id] = [
                {
                    "@odata.type": "#microsoft.graph.industryData.inboundFlowActivity",
                    "id": f"{run_id}-in",
                    "displayName": "SIS roster",
                    "status": "inProgress" if not finished else "completed",
                    "blockingError": None,
                    "activity": {"id": "flow-roster", "displayName": "SIS roster"},
                },
                {
                    "@odata.type": "#microsoft.graph.industryData.outboundFlowActivity",
                    "id": f"{run_id}-out",
                    "displayName": "Provision to Entra",
                    "status": "inProgress" if not finished else "completed",
                    "blockingError": None,
                    "activity": {"id": "flow-provision", "displayName": "Provision to Entra"},
                },
            ]
            return run

    def change_run(self, run_id: str, *, status: str) -> None:
        with self.lock:
            run = self.runs[run_id]
            run["status"] = status
            if status != "running":
                run["endDateTime"] = graph_time(datetime.now(UTC))
            for activity in self.activities[run_id]:
                activity["status"] = "completed" if status.startswith("completed") else "failed"

    # -- the API ------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        if bearer(request) != self.token:
            return _error(401, "InvalidAuthenticationToken", "Access token validation failure.")
        return None

    def _page(self, request: Request, items: list[dict[str, Any]], context: str) -> Response:
        token = request.query.get("$skiptoken")
        offset = int(base64.urlsafe_b64decode(token).decode()) if token else 0
        out: dict[str, Any] = {
            "@odata.context": f"{self.url}/beta/$metadata#{context}",
            "value": items[offset : offset + self.page_size],
        }
        if offset + self.page_size < len(items):
            skip = base64.urlsafe_b64encode(str(offset + self.page_size).encode()).decode()
            out["@odata.nextLink"] = f"{self.url}{request.path}?$skiptoken={skip}"
        return Response(200, out)

    def _list_runs(self, request: Request) -> Response:
        runs = sorted(self.runs.values(), key=lambda r: (r["startDateTime"], r["id"]))
        return self._page(request, [dict(r) for r in runs], "external/industryData/runs")

    def _list_acts(self, request: Request) -> Response:
        run = request.match["run"]
        if run not in self.runs:
            return _error(404, "ResourceNotFound", "The run was not found.")
        acts = [dict(a) for a in self.activities[run]]
        return self._page(request, acts, f"external/industryData/runs('{run}')/activities")

    def _start(self, request: Request) -> Response:
        self.add_run(status="running", started=datetime.now(UTC))
        return Response(202, None)

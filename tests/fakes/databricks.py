"""A fake Databricks workspace (Jobs 2.2), from the documented shapes (seed 003 and the Jobs API
reference): `runs/list` newest first with `page_token` paging and `start_time_from`, `run-now`
with `idempotency_token`, `runs/cancel`, `runs/repair`, and a bearer token check."""

from __future__ import annotations

import base64
import bisect
import itertools
import threading
from dataclasses import dataclass, field
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from tests.fakes.faults import Faults

TOKEN = "dapi-fake-token-0123456789abcdef"
BASE_START = 1_764_000_000_000  # 2025-11-24, epoch ms
MAX_LIMIT = 25


def make_run(
    run_id: int,
    *,
    job_id: int = 1,
    start: int | None = None,
    life: str = "TERMINATED",
    result: str | None = "SUCCESS",
    tasks: int = 2,
    attempt: int = 0,
    original: int | None = None,
) -> dict[str, Any]:
    start = BASE_START + run_id * 60_000 if start is None else start
    ended = life == "TERMINATED"
    state: dict[str, Any] = {"life_cycle_state": life, "state_message": ""}
    if result and ended:
        state["result_state"] = result
    return {
        "job_id": job_id,
        "run_id": run_id,
        "number_in_job": run_id,
        "original_attempt_run_id": original or run_id,
        "attempt_number": attempt,
        "creator_user_name": "someone@example.com",
        "run_name": f"job {job_id}",
        "run_type": "JOB_RUN",
        "trigger": "PERIODIC" if attempt == 0 else "RETRY",
        "state": state,
        "start_time": start,
        "end_time": start + 30_000 if ended else 0,
        "setup_duration": 0,
        "execution_duration": 0,
        "cleanup_duration": 0,
        "run_duration": 30_000 if ended else None,
        "run_page_url": f"https://example.cloud.databricks.com/#job/{job_id}/run/{run_id}",
        "tasks": [
            {
                "task_key": f"task_{i}",
                "run_id": run_id * 100 + i,
                "attempt_number": 0,
                "state": dict(state),
                "start_time": start + i * 1000,
                "end_time": start + i * 1000 + 10_000 if ended else 0,
                "notebook_task": {"notebook_path": f"/Jobs/task_{i}"},
                "depends_on": [{"task_key": f"task_{i - 1}"}] if i else [],
            }
            for i in range(tasks)
        ],
    }


@dataclass
class FakeDatabricks:
    token: str = TOKEN
    runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    tokens: dict[str, int] = field(default_factory=dict)
    repairs: list[int] = field(default_factory=list)
    cancels: list[int] = field(default_factory=list)
    refuse_run_now: bool = False
    asked: list[str] = field(default_factory=list)
    """The idempotency token of every run-now call, refused ones included."""
    _ids: Any = field(default_factory=lambda: itertools.count(10_000_000))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _order: list[dict[str, Any]] | None = None
    """The runs newest first, kept until a run changes (so a page of 100,000 runs is cheap)."""

    def _newest_first(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._order is None:
                self._order = sorted(
                    self.runs.values(), key=lambda r: (r["start_time"], r["run_id"]), reverse=True
                )
            return self._order

    def _changed(self) -> None:
        with self._lock:
            self._order = None

    def add_runs(self, count: int, *, first: int = 1, jobs: int = 3, tasks: int = 2) -> None:
        for run_id in range(first, first + count):
            self.runs[run_id] = make_run(run_id, job_id=run_id % jobs + 1, tasks=tasks)
        self._changed()

    def change(self, run_id: int, **changes: Any) -> None:
        """Change a run (a new state, say) as the platform would between two syncs."""
        run = self.runs[run_id]
        self.runs[run_id] = make_run(
            run_id,
            job_id=run["job_id"],
            start=run["start_time"],
            tasks=len(run["tasks"]),
            **changes,
        )
        self._changed()

    # --- the routes ---------------------------------------------------------------------

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def _list(self, request: Request) -> Response:
        q = request.query_params
        limit = int(q.get("limit", "20"))
        if not 0 < limit <= MAX_LIMIT:
            return _error(400, "INVALID_PARAMETER_VALUE", f"limit must be 1..{MAX_LIMIT}")
        since = int(q.get("start_time_from", "0"))
        offset = int(base64.b64decode(q["page_token"])) if q.get("page_token") else 0
        ordered = self._newest_first()
        # newest first: the runs at or after `since` are a prefix
        end = bisect.bisect_right(ordered, -since, key=lambda r: -r["start_time"])
        page = ordered[offset : min(end, offset + limit)]
        if q.get("expand_tasks") != "true":
            page = [{k: v for k, v in r.items() if k != "tasks"} for r in page]
        more = offset + limit < end
        body: dict[str, Any] = {"runs": page, "has_more": more}
        if more:
            body["next_page_token"] = base64.b64encode(str(offset + limit).encode()).decode()
        if offset:
            body["prev_page_token"] = base64.b64encode(
                str(max(0, offset - limit)).encode()
            ).decode()
        # Encoded by orjson: the stdlib's encoder cost the benchmarks' fake more CPU per page
        # than the gateway's client spends reading it, on the same two cores.
        return Response(orjson.dumps(body), media_type="application/json")

    async def _run_now(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.asked.append(str(body.get("idempotency_token")))
        if self.refuse_run_now:
            return _error(400, "INVALID_STATE", "The job is paused.")
        job_id = body.get("job_id")
        if not isinstance(job_id, int):
            return _error(400, "INVALID_PARAMETER_VALUE", "job_id is required")
        token = body.get("idempotency_token")
        with self._lock:
            if token and token in self.tokens:
                run_id = self.tokens[token]
            else:
                run_id = next(self._ids)
                self.runs[run_id] = make_run(run_id, job_id=job_id, life="PENDING", result=None)
                if token:
                    self.tokens[token] = run_id
                self._order = None
        return JSONResponse({"run_id": run_id, "number_in_job": run_id})

    async def _cancel(self, request: Request) -> JSONResponse:
        run_id = (await request.json()).get("run_id")
        if run_id not in self.runs:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Run {run_id} does not exist.")
        self.cancels.append(run_id)
        self.change(run_id, life="TERMINATED", result="CANCELED")
        return JSONResponse({})

    async def _repair(self, request: Request) -> JSONResponse:
        body = await request.json()
        run_id = body.get("run_id")
        if run_id not in self.runs:
            return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Run {run_id} does not exist.")
        self.repairs.append(run_id)
        self.change(run_id, life="RUNNING", result=None)
        return JSONResponse({"repair_id": 900 + len(self.repairs)})

    def app(self) -> ASGIApp:
        routes = [
            Route("/api/2.2/jobs/runs/list", self._list, methods=["GET"]),
            Route("/api/2.2/jobs/run-now", self._run_now, methods=["POST"]),
            Route("/api/2.2/jobs/runs/cancel", self._cancel, methods=["POST"]),
            Route("/api/2.2/jobs/runs/repair", self._repair, methods=["POST"]),
        ]
        inner = Starlette(routes=routes)

        async def guarded(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http" and not self._authorised(Request(scope)):
                response = _error(401, "UNAUTHENTICATED", "Invalid access token.")
                await response(scope, receive, send)
                return
            await inner(scope, receive, send)

        return self.faults.wrap(guarded)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error_code": code, "message": message}, status)

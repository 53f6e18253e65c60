"""Databricks Jobs 2.2 over HTTP, with a bearer token (a personal access token or an OAuth token).

- Sync: `GET /api/2.2/jobs/runs/list?expand_tasks=true&limit=&page_token=&start_time_from=`, newest
  first, `next_page_token` while `has_more`. The watermark is the epoch milliseconds of the newest
  start seen, held back to the oldest run still active (so it is read again until it ends); each
  pass reads from the watermark less the re-read window, since runs change after they start.
  Runs with more than 100 tasks list only their first 100 here (`runs/get` pages the rest).
- Start: `POST /api/2.2/jobs/run-now` with `job_id` and `idempotency_token` (Databricks starts one
  run per token, so a repeated call returns the first run).
- Cancel: `POST /api/2.2/jobs/runs/cancel`. Retry: `POST /api/2.2/jobs/runs/repair` with
  `rerun_all_failed_tasks` (the same run, repaired in place).

The Databricks SDK was considered: its paging iterator hides `page_token` (so a failed page cannot
be told from a finished listing), and its retry and auth layers duplicate `http.py`; plain HTTP
over the documented wire calls is smaller and the same for every platform.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from gateway.domain.status_maps import databricks_source_status
from gateway.platforms.base import (
    Forwarded,
    ProcessTarget,
    SyncPage,
    Target,
    parse_page,
    reread_window,
)
from gateway.platforms.databricks.mapping import SUBMIT_PROCESS, identify, parse
from gateway.platforms.errors import PlatformRefusedError, PlatformResponseError
from gateway.platforms.http import BearerAuth, PlatformHttp

LIST = "/api/2.2/jobs/runs/list"
RUN_NOW = "/api/2.2/jobs/run-now"
CANCEL = "/api/2.2/jobs/runs/cancel"
REPAIR = "/api/2.2/jobs/runs/repair"
PAGE_SIZE = 25
"""The most runs `runs/list` returns per page (Jobs 2.2)."""
_ACTIVE = frozenset({"QUEUED", "PENDING", "RUNNING", "TERMINATING", "BLOCKED", "WAITING_FOR_RETRY"})


def connect(target: Target) -> DatabricksClient:
    return DatabricksClient(target)


def _page_size(target: Target) -> int:
    try:
        return max(1, int(target.option("page-size") or PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE


def _is_active(run: dict[str, Any]) -> bool:
    state = run.get("state") or {}
    status = run.get("status") or {}
    life = state.get("life_cycle_state") if isinstance(state, dict) else None
    if life is None and isinstance(status, dict):
        life = status.get("state")
    return life in _ACTIVE


class DatabricksClient:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.http = PlatformHttp(target, auth=BearerAuth(target))
        self.page_size = _page_size(target)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def pages(self, watermark: str | None) -> AsyncIterator[SyncPage]:
        since = int(watermark) if watermark and watermark.isdigit() else None
        window_ms = int(reread_window(self.target).total_seconds() * 1000)
        params: dict[str, Any] = {"expand_tasks": "true", "limit": self.page_size}
        if since is not None:
            params["start_time_from"] = max(0, since - window_ms)
        newest = since
        oldest_active: int | None = None
        token: str | None = None
        number = 0
        while True:
            number += 1
            body = await self.http.get_json(LIST, params={**params, "page_token": token})
            runs = body.get("runs") or []
            if not isinstance(runs, list):
                raise PlatformResponseError(
                    self.target.connection, "runs/list: runs is not a list."
                )
            for run in runs:
                start = run.get("start_time") if isinstance(run, dict) else None
                if isinstance(start, int) and start > 0:
                    newest = start if newest is None else max(newest, start)
                    if _is_active(run):
                        oldest_active = (
                            start if oldest_active is None else min(oldest_active, start)
                        )
            mark = newest if oldest_active is None or newest is None else min(newest, oldest_active)
            records = parse_page(parse, runs, f"runs/list page {number}", identify)
            token = body.get("next_page_token")
            more = bool(body.get("has_more")) and bool(token)
            yield SyncPage(records, str(mark) if mark is not None else None)
            if not more:
                return

    async def start(self, process: ProcessTarget, *, idempotency_token: str) -> Forwarded:
        if process.source_id == SUBMIT_PROCESS or not process.source_id.isdigit():
            raise PlatformRefusedError(
                self.target.connection,
                "one-time runs (runs/submit) belong to no job: there is nothing to run again.",
            )
        payload: dict[str, Any] = {
            "job_id": int(process.source_id),
            "idempotency_token": idempotency_token,
        }
        if isinstance(process.parameters, dict) and process.parameters:
            payload["job_parameters"] = {str(k): str(v) for k, v in process.parameters.items()}
        body = await self.http.post_json(RUN_NOW, json=payload)
        run_id = body.get("run_id")
        if run_id is None:
            raise PlatformResponseError(self.target.connection, "run-now answered no run_id.")
        return Forwarded(str(run_id), databricks_source_status("PENDING"))

    async def cancel(self, run_source_id: str) -> None:
        await self.http.post_json(CANCEL, json={"run_id": _run_id(self.target, run_source_id)})

    async def retry(self, run_source_id: str, *, idempotency_token: str) -> Forwarded:
        run_id = _run_id(self.target, run_source_id)
        await self.http.post_json(REPAIR, json={"run_id": run_id, "rerun_all_failed_tasks": True})
        return Forwarded(str(run_id), databricks_source_status("PENDING"), in_place=True)


def _run_id(target: Target, source_id: str) -> int:
    if not source_id.isdigit():
        raise PlatformRefusedError(target.connection, f"{source_id!r} is not a Databricks run id.")
    return int(source_id)

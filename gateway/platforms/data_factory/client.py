"""Azure Data Factory v2 (Resource Manager, api-version 2018-06-01) over HTTP, with a bearer token
(an Entra access token for `https://management.azure.com/`).

Every call is under `/subscriptions/{subscription}/resourceGroups/{resource-group}/providers/
Microsoft.DataFactory/factories/{factory}` (the three options of the connection).

- Sync: `POST …/queryPipelineRuns` with `lastUpdatedAfter`/`lastUpdatedBefore`, paged by
  `continuationToken`; then, for each pipeline run read, `POST …/pipelineruns/{runId}/
  queryActivityruns` (paged the same way), whose activity runs become the run's activities.
  `lastUpdated` moves whenever a run changes, so the window is exact: the watermark is the
  `lastUpdatedBefore` of the last complete pass, and the next pass reads from it less a short
  re-read window (`REREAD_WINDOW`, for clocks and late writes; option `reread-window`). A first pass
  reads `HISTORY` back (Data Factory keeps pipeline runs 45 days).
- Start: `POST …/pipelines/{name}/createRun` with the process's parameters as the body (Data
  Factory has no idempotency parameter: the gateway's idempotency key de-duplicates before this).
- Cancel: `POST …/pipelineruns/{runId}/cancel?isRecursive=true` (child pipelines too).
- Retry: Data Factory's rerun, `createRun?referencePipelineRunId={runId}&isRecovery=true&
  startFromFailure=true`: a new run in the same run group, from the failed activity on. The
  pipeline's name and parameters come from `GET …/pipelineruns/{runId}`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from gateway.platforms.base import Forwarded, ProcessTarget, SyncPage, Target, parse_page
from gateway.platforms.data_factory.mapping import parse
from gateway.platforms.errors import PlatformResponseError, PlatformSetupError
from gateway.platforms.http import BearerAuth, PlatformHttp

API_VERSION = "2018-06-01"
HISTORY = timedelta(days=45)
"""How far back a first pass reads: Data Factory keeps pipeline runs 45 days."""
REREAD_WINDOW = timedelta(minutes=15)
"""How far before the watermark a pass reads again (clock skew, runs written late)."""
ACTIVITY_CONCURRENCY = 4
"""Activity-run queries in flight at once while a page of pipeline runs is completed."""
MAX_PAGES = 100_000
"""A listing longer than this is taken for a platform fault (a continuation token that loops)."""


def connect(target: Target) -> DataFactoryClient:
    return DataFactoryClient(target)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _reread(target: Target) -> timedelta:
    given = target.option("reread-window")
    try:
        return timedelta(minutes=max(0.0, float(given))) if given else REREAD_WINDOW
    except ValueError:
        return REREAD_WINDOW


def _since(watermark: str | None, now: datetime, window: timedelta) -> datetime:
    if watermark:
        try:
            mark = datetime.fromisoformat(watermark)
        except ValueError:
            mark = None
        if mark is not None:
            mark = mark if mark.tzinfo else mark.replace(tzinfo=UTC)
            return max(mark - window, now - HISTORY)
    return now - HISTORY


class DataFactoryClient:
    def __init__(self, target: Target) -> None:
        self.target = target
        names = {}
        for option in ("subscription", "resource-group", "factory"):
            value = target.option(option)
            if not value:
                raise PlatformSetupError(
                    target.connection,
                    f"data-factory needs the option {option} (--option {option}=...).",
                )
            names[option] = quote(value, safe="")
        self.base = (
            f"/subscriptions/{names['subscription']}/resourceGroups/{names['resource-group']}"
            f"/providers/Microsoft.DataFactory/factories/{names['factory']}"
        )
        self.http = PlatformHttp(target, auth=BearerAuth(target))
        self.params = {"api-version": API_VERSION}

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- sync -------------------------------------------------------------------------------
    async def _query(
        self, path: str, after: datetime, before: datetime, what: str
    ) -> AsyncIterator[list[Any]]:
        """The pages of a `query…` call over the window [after, before]."""
        token: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body: dict[str, Any] = {
                "lastUpdatedAfter": _iso(after),
                "lastUpdatedBefore": _iso(before),
            }
            if token:
                body["continuationToken"] = token
            answer = await self.http.post_json(path, json=body, params=self.params)
            values = answer.get("value")
            if not isinstance(values, list):
                raise PlatformResponseError(self.target.connection, f"{what}: value is not a list.")
            yield values
            token = answer.get("continuationToken") or None
            if token is None:
                return
            if token in seen:
                raise PlatformResponseError(
                    self.target.connection, f"{what}: the continuation token repeats."
                )
            seen.add(token)
        raise PlatformResponseError(self.target.connection, f"{what}: more than {MAX_PAGES} pages.")

    async def _activities(
        self, run: Mapping[str, Any], before: datetime, gate: asyncio.Semaphore
    ) -> dict[str, Any]:
        """The pipeline run with its activity runs as `activityRuns` (the mapping reads them)."""
        run_id = run.get("runId")
        if not isinstance(run_id, str) or not run_id:
            return dict(run)  # the mapping reports the missing runId
        after = before - HISTORY
        path = f"{self.base}/pipelineruns/{quote(run_id, safe='')}/queryActivityruns"
        activity_runs: list[Any] = []
        async with gate:
            async for values in self._query(path, after, before, "queryActivityruns"):
                activity_runs.extend(values)
        return {**run, "activityRuns": activity_runs}

    async def pages(self, watermark: str | None) -> AsyncIterator[SyncPage]:
        now = datetime.now(UTC)
        after = _since(watermark, now, _reread(self.target))
        gate = asyncio.Semaphore(ACTIVITY_CONCURRENCY)
        number = 0
        async for runs in self._query(
            f"{self.base}/queryPipelineRuns", after, now, "queryPipelineRuns"
        ):
            number += 1
            full = await asyncio.gather(
                *(
                    self._activities(r, now, gate) if isinstance(r, Mapping) else _same(r)
                    for r in runs
                )
            )
            records = parse_page(parse, full, f"queryPipelineRuns page {number}")
            yield SyncPage(records, _iso(now))

    # -- forwarding ---------------------------------------------------------------------------
    async def _create(
        self, pipeline: str, parameters: object, params: Mapping[str, str] | None = None
    ) -> str:
        path = f"{self.base}/pipelines/{quote(pipeline, safe='')}/createRun"
        body = parameters if isinstance(parameters, Mapping) else {}
        answer = await self.http.post_json(
            path, json=body, params={**self.params, **(params or {})}
        )
        run_id = answer.get("runId")
        if not isinstance(run_id, str) or not run_id:
            raise PlatformResponseError(self.target.connection, "createRun answered no runId.")
        return run_id

    async def start(self, process: ProcessTarget, *, idempotency_token: str) -> Forwarded:
        run_id = await self._create(process.source_id, process.parameters)
        return Forwarded(run_id, "Queued")

    async def cancel(self, run_source_id: str) -> None:
        path = f"{self.base}/pipelineruns/{quote(run_source_id, safe='')}/cancel"
        await self.http.post_json(path, params={**self.params, "isRecursive": "true"})

    async def retry(self, run_source_id: str, *, idempotency_token: str) -> Forwarded:
        run = await self.http.get_json(
            f"{self.base}/pipelineruns/{quote(run_source_id, safe='')}", params=self.params
        )
        pipeline = run.get("pipelineName")
        if not isinstance(pipeline, str) or not pipeline:
            raise PlatformResponseError(
                self.target.connection, "pipelineruns/{runId} answered no pipelineName."
            )
        new_id = await self._create(
            pipeline,
            run.get("parameters"),
            {
                "referencePipelineRunId": run_source_id,
                "isRecovery": "true",
                "startFromFailure": "true",
            },
        )
        return Forwarded(new_id, "Queued")


async def _same(value: object) -> object:
    return value

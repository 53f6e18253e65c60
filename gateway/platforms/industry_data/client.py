"""Microsoft Graph industry data (beta) over HTTP, with a bearer token (an Entra access token for
`https://graph.microsoft.com/` with `IndustryData-Run.Read.All`; `IndustryData-Run.Start` to start).

- Sync: `GET /beta/external/industryData/runs`, following `@odata.nextLink` (Graph's server-driven
  paging, an absolute URL that must stay on the connection's endpoint), and each run's
  `GET …/runs/{id}/activities` (paged the same way) as its activities.
  Graph offers no filter on a run's change time here, so a pass lists every run again and the
  gateway compares each with what it has (an equal one counts `unchanged`). What a pass saves is
  the activity listings: the watermark is the time a pass started, and a run that ended more than
  the re-read window (`REREAD_WINDOW`, option `reread-window`) before the last pass started was
  read whole, activities included, by that pass; it is taken from the list alone (a record without
  activities keeps the stored ones).
- Start: `POST /beta/external/industryData/runs/start` answers 202 with no body and no run id; the
  run it started is found by listing: the newest `running` run that started since the call (less
  `START_SKEW`). Graph allows a few on-demand runs a day.
- Cancel and retry: Graph has neither; both are refused.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from gateway.platforms.base import Forwarded, ProcessTarget, SyncPage, Target, parse_page
from gateway.platforms.errors import (
    PlatformRefusedError,
    PlatformResponseError,
)
from gateway.platforms.http import BearerAuth, PlatformHttp
from gateway.platforms.industry_data.mapping import parse
from gateway.platforms.values import parse_iso

RUNS = "/beta/external/industryData/runs"
REREAD_WINDOW = timedelta(days=1)
"""Runs that ended this long before the last pass started are listed without their activities."""
START_SKEW = timedelta(minutes=5)
"""How much earlier than the start call the started run may say it started (clocks differ)."""
MAX_PAGES = 100_000


def connect(target: Target) -> IndustryDataClient:
    return IndustryDataClient(target)


def _reread(target: Target) -> timedelta:
    given = target.option("reread-window")
    try:
        return timedelta(minutes=max(0.0, float(given))) if given else REREAD_WINDOW
    except ValueError:
        return REREAD_WINDOW


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_iso("time", value)
    except ValueError:
        return None


class IndustryDataClient:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.http = PlatformHttp(target, auth=BearerAuth(target))
        origin = urlsplit(target.endpoint)
        self._origin = (origin.scheme, origin.netloc)

    async def aclose(self) -> None:
        await self.http.aclose()

    def _next(self, link: object, what: str) -> tuple[str, dict[str, str]]:
        """A `@odata.nextLink` as a path and its query (passed apart, so none of it is lost);
        a link to another host is refused (the token would go there)."""
        if not isinstance(link, str):
            raise PlatformResponseError(
                self.target.connection, f"{what}: @odata.nextLink is not a URL."
            )
        parts = urlsplit(link)
        if (parts.scheme, parts.netloc) != self._origin:
            raise PlatformResponseError(
                self.target.connection, f"{what}: @odata.nextLink leads off the endpoint."
            )
        return parts.path, dict(parse_qsl(parts.query, keep_blank_values=True))

    async def _list(self, path: str, what: str) -> AsyncIterator[list[Any]]:
        """The pages of a Graph collection, following `@odata.nextLink`."""
        params: dict[str, str] | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            body = await self.http.get_json(path, params=params)
            values = body.get("value")
            if not isinstance(values, list):
                raise PlatformResponseError(self.target.connection, f"{what}: value is not a list.")
            yield values
            link = body.get("@odata.nextLink")
            if link is None:
                return
            if link in seen:
                raise PlatformResponseError(
                    self.target.connection, f"{what}: @odata.nextLink repeats."
                )
            seen.add(link)
            path, params = self._next(link, what)
        raise PlatformResponseError(self.target.connection, f"{what}: more than {MAX_PAGES} pages.")

    async def _with_activities(self, run: Mapping[str, Any]) -> dict[str, Any]:
        run_id = run.get("id")
        if not isinstance(run_id, str) or not run_id:
            return dict(run)  # the mapping reports the missing id
        activities: list[Any] = []
        async for values in self._list(f"{RUNS}/{quote(run_id, safe='')}/activities", "activities"):
            activities.extend(values)
        return {**run, "activities": activities}

    async def pages(self, watermark: str | None) -> AsyncIterator[SyncPage]:
        started = datetime.now(UTC)
        settled_before = None
        if watermark:
            mark = _time(watermark)
            settled_before = mark - _reread(self.target) if mark else None
        number = 0
        async for runs in self._list(RUNS, "runs"):
            number += 1
            full: list[object] = []
            for run in runs:
                if not isinstance(run, Mapping):
                    full.append(run)
                    continue
                ended = _time(run.get("endDateTime"))
                if settled_before is not None and ended is not None and ended < settled_before:
                    full.append(run)  # read whole by an earlier pass: activities as stored
                else:
                    full.append(await self._with_activities(run))
            records = parse_page(parse, full, f"runs page {number}")
            yield SyncPage(records, started.isoformat())

    # -- forwarding ---------------------------------------------------------------------------
    async def start(self, process: ProcessTarget, *, idempotency_token: str) -> Forwarded:
        called = datetime.now(UTC)
        await self.http.post_json(f"{RUNS}/start")
        newest: tuple[datetime, str] | None = None
        async for runs in self._list(RUNS, "runs"):
            for run in runs:
                if not isinstance(run, Mapping) or run.get("status") != "running":
                    continue
                began = _time(run.get("startDateTime"))
                run_id = run.get("id")
                if began is None or began < called - START_SKEW or not isinstance(run_id, str):
                    continue
                if newest is None or began > newest[0]:
                    newest = (began, run_id)
        if newest is None:
            raise PlatformResponseError(
                self.target.connection,
                "Graph accepted the start but lists no run started since; the next sync will "
                "show it.",
            )
        return Forwarded(newest[1], "running")

    async def cancel(self, run_source_id: str) -> None:
        raise PlatformRefusedError(
            self.target.connection, "Graph industry data runs cannot be cancelled."
        )

    async def retry(self, run_source_id: str, *, idempotency_token: str) -> Forwarded:
        raise PlatformRefusedError(
            self.target.connection,
            "Graph industry data runs cannot be retried; start a new run instead.",
        )

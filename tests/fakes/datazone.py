"""A fake Amazon DataZone (REST-JSON, API 2018-05-10), from the service's API reference:

- `GET /v2/domains/{domain}/data-sources/{dataSource}/runs?maxResults=&nextToken=` (ListDataSourceRuns):
  `{"items": [DataSourceRunSummary], "nextToken"}`, newest first, at most `page_size` a page;
- `POST /v2/domains/{domain}/data-sources/{dataSource}/runs` (StartDataSourceRun) with
  `{"clientToken"}`: the new run; the same client token gives the same run again;
- `GET /v2/domains/{domain}/data-source-runs/{id}` (GetDataSourceRun): one run;
- `GET /v2/domains/{domain}/data-source-runs/{id}/activities` (ListDataSourceRunActivities): the
  run's assets (`items`, `nextToken`, `page_size` a page).

Times are ISO 8601 (the service's `timestampFormat`). Every call must be signed with SigV4 by the
expected access key for service `datazone` in the expected region (the check reads the
`Authorization` header's credential scope); errors are `x-amzn-ErrorType` and `{"message"}`.
"""

from __future__ import annotations

import base64
import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.base import FakePlatform, Request, Response

ACCESS_KEY = "AKIDFAKEDATAZONE0001"
SECRET_KEY = "datazone-secret-key-do-not-leak"
RUNS = r"/v2/domains/(?P<domain>[^/]+)/data-sources/(?P<source>[^/]+)/runs"
_CREDENTIAL = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/"
    r"(?P<service>[^/]+)/aws4_request, SignedHeaders=(?P<signed>[^,]+), Signature=(?P<sig>[0-9a-f]{64})"
)


def aws_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _error(status: int, kind: str, message: str) -> Response:
    return Response(status, {"message": message}, {"x-amzn-ErrorType": kind})


class FakeDataZone(FakePlatform):
    def __init__(
        self,
        *,
        domain: str = "dzd_fake1",
        access_key: str = ACCESS_KEY,
        region: str = "eu-west-1",
        page_size: int = 2,
    ) -> None:
        super().__init__()
        self.domain = domain
        self.access_key = access_key
        self.region = region
        self.page_size = page_size
        self.runs: dict[str, list[dict[str, Any]]] = {}
        self.tokens: dict[str, str] = {}
        self.start_status = "REQUESTED"  # what StartDataSourceRun answers a new run is
        self.assets: dict[str, list[dict[str, Any]]] = {}
        self._numbers = itertools.count(1)
        self.route("ListDataSourceRuns", "GET", RUNS, self._list)
        self.route("StartDataSourceRun", "POST", RUNS, self._start)
        self.route(
            "ListDataSourceRunActivities",
            "GET",
            r"/v2/domains/(?P<domain>[^/]+)/data-source-runs/(?P<run>[^/]+)/activities",
            self._activities,
        )
        self.route(
            "GetDataSourceRun",
            "GET",
            r"/v2/domains/(?P<domain>[^/]+)/data-source-runs/(?P<run>[^/]+)",
            self._get,
        )

    def add_run(
        self, source: str = "ds-sales", *, status: str = "SUCCESS", created: datetime | None = None
    ) -> dict[str, Any]:
        n = next(self._numbers)
        created = created or datetime.now(UTC) - timedelta(hours=2) + timedelta(seconds=n)
        finished = status not in ("REQUESTED", "RUNNING")
        run: dict[str, Any] = {
            "id": f"dsr-{n:04d}",
            "dataSourceId": source,
            "type": "SCHEDULED",
            "status": status,
            "projectId": "prj-sales",
            "runStatisticsForAssets": {
                "added": n,
                "updated": 0,
                "unchanged": 5,
                "skipped": 0,
                "failed": 0,
            },
            "createdAt": aws_time(created),
            "updatedAt": aws_time(created + timedelta(minutes=3) if finished else created),
        }
        if status != "REQUESTED":
            run["startedAt"] = aws_time(created + timedelta(seconds=5))
        if finished:
            run["stoppedAt"] = aws_time(created + timedelta(minutes=3))
        with self.lock:
            self.runs.setdefault(source, []).append(run)
            self.assets[run["id"]] = [
                {
                    "database": "sales",
                    "dataSourceRunId": run["id"],
                    "technicalName": name,
                    "dataAssetStatus": "SUCCEEDED_CREATED" if finished else "UNCHANGED",
                    "projectId": "prj-sales",
                    "dataAssetId": f"asset-{name}",
                    "createdAt": run["createdAt"],
                    "updatedAt": run["updatedAt"],
                }
                for name in ("orders", "refunds", "customers")
            ]
        return run

    def change_run(self, run_id: str, *, status: str) -> None:
        now = datetime.now(UTC)
        with self.lock:
            for runs in self.runs.values():
                for run in runs:
                    if run["id"] == run_id:
                        run["status"] = status
                        run["updatedAt"] = aws_time(now)
                        run.setdefault("startedAt", aws_time(now))
                        if status not in ("REQUESTED", "RUNNING"):
                            run["stoppedAt"] = aws_time(now)
                        for asset in self.assets[run_id]:
                            asset["dataAssetStatus"] = (
                                "FAILED" if status == "FAILED" else "SUCCEEDED_UPDATED"
                            )
                            asset["updatedAt"] = aws_time(now)
                        return
        raise KeyError(run_id)

    # -- the API ------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> Response | None:
        found = _CREDENTIAL.fullmatch(request.headers.get("authorization", ""))
        if not found or "x-amz-date" not in request.headers:
            return _error(403, "AccessDeniedException", "Missing Authentication Token.")
        if found["key"] != self.access_key:
            return _error(
                403,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            )
        if found["service"] != "datazone" or found["region"] != self.region:
            return _error(
                403, "InvalidSignatureException", "Credential should be scoped correctly."
            )
        return None

    def _source(self, request: Request) -> list[dict[str, Any]] | Response:
        if request.match["domain"] != self.domain:
            return _error(404, "ResourceNotFoundException", "Domain not found.")
        source = request.match["source"]
        if source not in self.runs:
            return _error(404, "ResourceNotFoundException", "Data source not found.")
        return self.runs[source]

    def _list(self, request: Request) -> Response:
        runs = self._source(request)
        if isinstance(runs, Response):
            return runs
        ordered = sorted(runs, key=lambda r: (r["createdAt"], r["id"]), reverse=True)
        return self._page(request, ordered)

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        size = min(int(request.query.get("maxResults") or 50), self.page_size)
        token = request.query.get("nextToken")
        offset = int(base64.b64decode(token).decode()) if token else 0
        out: dict[str, Any] = {"items": [dict(i) for i in items[offset : offset + size]]}
        if offset + size < len(items):
            out["nextToken"] = base64.b64encode(str(offset + size).encode()).decode()
        return Response(200, out)

    def _activities(self, request: Request) -> Response:
        if request.match["domain"] != self.domain or request.match["run"] not in self.assets:
            return _error(404, "ResourceNotFoundException", "Data source run not found.")
        return self._page(request, self.assets[request.match["run"]])

    def _get(self, request: Request) -> Response:
        if request.match["domain"] != self.domain:
            return _error(404, "ResourceNotFoundException", "Domain not found.")
        for runs in self.runs.values():
            for run in runs:
                if run["id"] == request.match["run"]:
                    return Response(200, {"domainId": self.domain, **run})
        return _error(404, "ResourceNotFoundException", "Data source run not found.")

    def _start(self, request: Request) -> Response:
        runs = self._source(request)
        if isinstance(runs, Response):
            return runs
        token = (request.json() or {}).get("clientToken")
        if token and token in self.tokens:
            run = next(r for r in runs if r["id"] == self.tokens[token])
        else:
            run = self.add_run(
                request.match["source"], status=self.start_status, created=datetime.now(UTC)
            )
            run["type"] = "PRIORITIZED"
            if "startedAt" in run:  # started now, not seconds after its creation
                run["startedAt"] = run["createdAt"]
            if token:
                self.tokens[token] = run["id"]
        return Response(200, {"domainId": self.domain, **run})

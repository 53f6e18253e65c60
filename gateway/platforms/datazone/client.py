"""Amazon DataZone through boto3 (the optional extra `datazone`): its `ListDataSourceRuns`
paginator, SigV4 signing and the standard AWS credential chain.

- Credentials are AWS's own: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, a
  profile (`AWS_PROFILE`), or a role, as boto3 finds them. `--credential-env` means nothing here.
- `--endpoint` is boto3's `endpoint_url` (`https://datazone.<region>.amazonaws.com`); the region
  is the option `region`, else the one in the endpoint's host name, else boto3's default.
- Sync: `ListDataSourceRuns` for each data source of the option `data-source` (comma-separated) in
  the domain `domain`, paged by `nextToken` (`maxResults` 50, or the option `page-size`), and each
  run's assets (`ListDataSourceRunActivities`) as its activities. DataZone filters these runs by
  nothing but status, so every pass reads every run again and the gateway compares each with what
  it has; an equal run counts `unchanged`. What the watermark (the time the last complete pass
  started) saves is the asset listings: a finished run last updated more than the re-read window
  (`REREAD_WINDOW`, option `reread-window`) before it was read whole by that pass, and is taken
  from the list alone (a record without activities keeps the stored ones).
- Start: `StartDataSourceRun` with `clientToken` = the idempotency key (DataZone starts one run per
  token). Retry: a new `StartDataSourceRun` of the run's data source (`GetDataSourceRun` names it).
  Cancel: DataZone has none; refused.

Faults: botocore's own retries are off, and the same policy as the HTTP platforms applies
(`RetryPolicy`): throttling (429, `ThrottlingException`) waits what `Retry-After` says, 5xx and
connection faults back off; a page that fails is asked for again from its `nextToken`.
boto3 is synchronous: each call runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import boto3
import botocore.config
import botocore.exceptions
import botocore.paginate

from gateway.platforms.base import (
    Forwarded,
    ProcessTarget,
    Secret,
    SyncPage,
    Target,
    parse_page,
)
from gateway.platforms.datazone.mapping import parse
from gateway.platforms.errors import (
    PlatformAuthError,
    PlatformRefusedError,
    PlatformResponseError,
    PlatformSetupError,
    PlatformUnavailableError,
)
from gateway.platforms.http import RetryPolicy, default_policy, retry_after

PAGE_SIZE = 50
"""The most runs `ListDataSourceRuns` returns a page."""
REREAD_WINDOW = timedelta(days=1)
"""Finished runs updated this long before the last pass started are listed without their assets."""
FINISHED = frozenset({"SUCCESS", "FAILED", "PARTIALLY_SUCCEEDED"})
AUTH_CODES = frozenset(
    {
        "AccessDeniedException",
        "UnauthorizedException",
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
    }
)
THROTTLING_CODES = frozenset({"ThrottlingException", "TooManyRequestsException", "Throttling"})
_REGION = re.compile(r"^datazone(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com|api\.aws)")
T = TypeVar("T")
_TOKENS = botocore.paginate.TokenEncoder()


def connect(target: Target) -> DataZoneClient:
    return DataZoneClient(target)


def _region(target: Target) -> str | None:
    given = target.option("region")
    if given:
        return given
    host = re.sub(r"^https?://", "", target.endpoint).split("/")[0]
    found = _REGION.match(host)
    return found.group(1) if found else None


def _reread(target: Target) -> timedelta:
    given = target.option("reread-window")
    try:
        return timedelta(minutes=max(0.0, float(given))) if given else REREAD_WINDOW
    except ValueError:
        return REREAD_WINDOW


def _settled_before(watermark: str | None, window: timedelta) -> datetime | None:
    if not watermark:
        return None
    try:
        mark = datetime.fromisoformat(watermark)
    except ValueError:
        return None
    return (mark if mark.tzinfo else mark.replace(tzinfo=UTC)) - window


def _settled(run: object, before: datetime | None) -> bool:
    """True for a finished run last updated before `before`: an earlier pass read it whole."""
    if before is None or not isinstance(run, Mapping) or run.get("status") not in FINISHED:
        return False
    try:
        updated = datetime.fromisoformat(str(run.get("updatedAt")))
    except ValueError:
        return False
    return (updated if updated.tzinfo else updated.replace(tzinfo=UTC)) < before


def _jsonable(value: Any) -> Any:
    """boto3's answer back in the service's JSON shape (times as ISO 8601 text)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


class DataZoneClient:
    def __init__(self, target: Target, *, policy: RetryPolicy | None = None) -> None:
        self.target = target
        self.policy = policy or default_policy()
        self.domain = target.option("domain") or ""
        self.sources = [
            s.strip() for s in (target.option("data-source") or "").split(",") if s.strip()
        ]
        if not self.domain or not self.sources:
            raise PlatformSetupError(
                target.connection, "datazone needs the options domain and data-source."
            )
        try:
            self.page_size = min(PAGE_SIZE, max(1, int(target.option("page-size") or PAGE_SIZE)))
        except ValueError:
            self.page_size = PAGE_SIZE
        region = _region(target)
        self._session = boto3.session.Session()
        self._secrets: list[Secret] | None = None
        try:
            self.client = self._session.client(
                "datazone",
                region_name=region,
                endpoint_url=target.endpoint,
                config=botocore.config.Config(
                    retries={"total_max_attempts": 1},  # ours, with Retry-After (above)
                    connect_timeout=10,
                    read_timeout=30,
                    user_agent_extra="runs-gateway",
                ),
            )
        except (botocore.exceptions.BotoCoreError, ValueError) as exc:
            raise PlatformSetupError(
                target.connection, f"the DataZone client cannot be made: {exc}"
            ) from None
        self.calls = 0

    async def aclose(self) -> None:
        await asyncio.to_thread(self.client.close)

    def _register_secrets(self) -> list[Secret]:
        """The AWS secret key and session token boto3 signs with, as `Secret`s, so that no error
        message can show them (they are never sent, only signed with; this is a second guard)."""
        try:
            found = self._session.get_credentials()
            frozen = found.get_frozen_credentials() if found is not None else None
        except botocore.exceptions.BotoCoreError:
            return []
        if frozen is None:
            return []
        return [Secret(v) for v in (frozen.secret_key, frozen.token) if v]

    # -- calls, with the retry policy ------------------------------------------------------------
    async def _call(self, what: str, call: Callable[[], T]) -> T:
        name = self.target.connection
        if self._secrets is None:
            self._secrets = await asyncio.to_thread(self._register_secrets)
        waited = 0.0
        attempt = 0
        while True:
            wait: float | None = None
            try:
                self.calls += 1
                return await asyncio.to_thread(call)
            except botocore.exceptions.ClientError as exc:
                error = exc.response.get("Error", {})
                code = str(error.get("Code") or "")
                message = str(error.get("Message") or code or "no message")
                meta = exc.response.get("ResponseMetadata", {})
                status = int(meta.get("HTTPStatusCode") or 0)
                if code in AUTH_CODES or status in (401, 403):
                    raise PlatformAuthError(
                        name, f"AWS refused the credentials ({status} {code}: {message})."
                    ) from None
                if code in THROTTLING_CODES or status == 429:
                    fault = f"{what} was throttled ({status} {code})"
                    wait = retry_after((meta.get("HTTPHeaders") or {}).get("retry-after"))
                    if wait is not None and waited + wait > self.policy.max_retry_after:
                        raise PlatformUnavailableError(
                            name,
                            f"{fault}; Retry-After {wait:.0f} s is more than the "
                            f"{self.policy.max_retry_after:.0f} s this pass waits.",
                        ) from None
                elif status >= 500:
                    fault = f"{what} failed ({status} {code}: {message})"
                else:
                    raise PlatformRefusedError(
                        name,
                        f"{what} was refused ({status} {code}: {message}).",
                        status=status,
                        platform_code=code or None,
                    ) from None
            except botocore.exceptions.NoCredentialsError:
                raise PlatformAuthError(
                    name,
                    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or "
                    "AWS_PROFILE) for the gateway.",
                ) from None
            except botocore.exceptions.ParamValidationError as exc:
                raise PlatformRefusedError(name, f"{what}: {exc}") from None
            except (
                botocore.exceptions.ConnectionError,
                botocore.exceptions.HTTPClientError,
                botocore.exceptions.ReadTimeoutError,
            ) as exc:
                fault = f"{what} could not connect ({type(exc).__name__})"
            except botocore.exceptions.BotoCoreError as exc:
                raise PlatformResponseError(name, f"{what}: {type(exc).__name__}.") from None
            attempt += 1
            if attempt >= self.policy.attempts:
                raise PlatformUnavailableError(name, f"{fault}, {attempt} times; giving up.")
            delay = wait if wait is not None else self.policy.backoff(attempt - 1)
            waited += delay
            await asyncio.sleep(delay)

    # -- sync -------------------------------------------------------------------------------
    async def _paginate(
        self, operation: str, what: str, **arguments: str
    ) -> AsyncIterator[list[Any]]:
        """The pages of a listing through boto3's paginator. Each page is asked for by a
        paginator started from the last `nextToken` (in the paginator's own token form), so a page
        that failed is asked for again, never skipped."""
        paginator = self.client.get_paginator(operation)
        token: str | None = None
        seen: set[str] = set()

        def fetch(starting: str | None) -> Any:
            config: dict[str, Any] = {"PageSize": self.page_size}
            if starting:
                config["StartingToken"] = _TOKENS.encode({"nextToken": starting})
            pages = paginator.paginate(PaginationConfig=config, **arguments)
            return next(iter(pages), None)

        while True:
            page = await self._call(what, functools.partial(fetch, token))
            if page is None:
                return
            items = page.get("items")
            if not isinstance(items, list):
                raise PlatformResponseError(self.target.connection, f"{what}: items is not a list.")
            yield [_jsonable(item) for item in items]
            token = page.get("nextToken") or None
            if token is None:
                return
            if token in seen:
                raise PlatformResponseError(self.target.connection, f"{what}: nextToken repeats.")
            seen.add(token)

    async def _with_activities(self, run: Mapping[str, Any]) -> dict[str, Any]:
        """The run with its assets (`ListDataSourceRunActivities`) as `activities`."""
        run_id = run.get("id")
        if not isinstance(run_id, str) or not run_id:
            return dict(run)  # the mapping reports the missing id
        activities: list[Any] = []
        async for items in self._paginate(
            "list_data_source_run_activities",
            f"ListDataSourceRunActivities({run_id})",
            domainIdentifier=self.domain,
            identifier=run_id,
        ):
            activities.extend(items)
        return {**run, "activities": activities}

    async def pages(self, watermark: str | None) -> AsyncIterator[SyncPage]:
        started = datetime.now(UTC)
        settled_before = _settled_before(watermark, _reread(self.target))
        for source in self.sources:
            number = 0
            async for items in self._paginate(
                "list_data_source_runs",
                f"ListDataSourceRuns({source})",
                domainIdentifier=self.domain,
                dataSourceIdentifier=source,
            ):
                number += 1
                runs: list[object] = []
                for item in items:
                    if _settled(item, settled_before):
                        runs.append(item)  # read whole by an earlier pass: activities as stored
                    else:
                        runs.append(await self._with_activities(item))
                yield SyncPage(
                    parse_page(parse, runs, f"{source} page {number}"), started.isoformat()
                )

    # -- forwarding ---------------------------------------------------------------------------
    async def _start(self, source: str, token: str) -> Forwarded:
        answer = await self._call(
            f"StartDataSourceRun({source})",
            lambda: self.client.start_data_source_run(
                domainIdentifier=self.domain, dataSourceIdentifier=source, clientToken=token
            ),
        )
        run_id = answer.get("id")
        if not isinstance(run_id, str) or not run_id:
            raise PlatformResponseError(
                self.target.connection, "StartDataSourceRun answered no id."
            )
        status = answer.get("status")
        return Forwarded(run_id, status if isinstance(status, str) else None)

    async def start(self, process: ProcessTarget, *, idempotency_token: str) -> Forwarded:
        return await self._start(process.source_id, idempotency_token)

    async def cancel(self, run_source_id: str) -> None:
        raise PlatformRefusedError(
            self.target.connection, "DataZone has no way to cancel a data source run."
        )

    async def retry(self, run_source_id: str, *, idempotency_token: str) -> Forwarded:
        run = await self._call(
            f"GetDataSourceRun({run_source_id})",
            lambda: self.client.get_data_source_run(
                domainIdentifier=self.domain, identifier=run_source_id
            ),
        )
        source = run.get("dataSourceId")
        if not isinstance(source, str) or not source:
            raise PlatformResponseError(
                self.target.connection, "GetDataSourceRun answered no dataSourceId."
            )
        return await self._start(source, idempotency_token)

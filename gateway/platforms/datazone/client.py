"""Amazon DataZone through boto3 (the optional extra `datazone`): its `ListDataSourceRuns`
paginator, SigV4 signing and the standard AWS credential chain.

- Credentials are AWS's own: `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN`, a
  profile (`AWS_PROFILE`), or a role, as boto3 finds them. `--credential-env` means nothing here.
- `--endpoint` is boto3's `endpoint_url` (`https://datazone.<region>.amazonaws.com`); the region
  is the option `region`, else the one in the endpoint's host name, else boto3's default.
- Sync: `ListDataSourceRuns` for each data source of the option `data-source` (comma-separated) in
  the domain `domain`, paged by `nextToken` (`maxResults` 50, or the option `page-size`). DataZone
  filters these runs by nothing but status, so there is no watermark: every pass reads every run
  again and the gateway compares each with what it has; an equal run counts `unchanged`.
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
from datetime import datetime
from typing import Any, TypeVar

import boto3
import botocore.config
import botocore.exceptions
import botocore.paginate

from gateway.platforms.base import Forwarded, ProcessTarget, SyncPage, Target, parse_page
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
        try:
            self.client = boto3.session.Session().client(
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

    # -- calls, with the retry policy ------------------------------------------------------------
    async def _call(self, what: str, call: Callable[[], T]) -> T:
        name = self.target.connection
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
    async def _runs(self, source: str) -> AsyncIterator[list[Any]]:
        """The pages of `ListDataSourceRuns` of one data source, through boto3's paginator. Each
        page is asked for by a paginator started from the last `nextToken` (in the paginator's
        own token form), so a page that failed is asked for again, never skipped."""
        paginator = self.client.get_paginator("list_data_source_runs")
        token: str | None = None
        seen: set[str] = set()
        what = f"ListDataSourceRuns({source})"

        def fetch(starting: str | None) -> Any:
            config: dict[str, Any] = {"PageSize": self.page_size}
            if starting:
                config["StartingToken"] = _TOKENS.encode({"nextToken": starting})
            pages = paginator.paginate(
                domainIdentifier=self.domain, dataSourceIdentifier=source, PaginationConfig=config
            )
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

    async def pages(self, watermark: str | None) -> AsyncIterator[SyncPage]:
        for source in self.sources:
            number = 0
            async for items in self._runs(source):
                number += 1
                yield SyncPage(parse_page(parse, items, f"{source} page {number}"))

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

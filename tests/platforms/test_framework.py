"""The platform framework against the fake Databricks in process: paging, faults, secrets."""

from __future__ import annotations

import logging

import httpx2
import pytest

from gateway.domain.imports import DeferredRun, RecordError, RecordFailure
from gateway.platforms import registry
from gateway.platforms.base import ProcessTarget, Secret, Target, scrub
from gateway.platforms.databricks.client import DatabricksClient
from gateway.platforms.errors import (
    PlatformAuthError,
    PlatformRefusedError,
    PlatformSetupError,
    PlatformUnavailableError,
)
from gateway.platforms.http import PlatformHttp, RetryPolicy, retry_after
from tests.fakes.databricks import TOKEN, FakeDatabricks

FAST = RetryPolicy(attempts=4, base=0.001, cap=0.01)


def client(fake: FakeDatabricks, token: str = TOKEN, **options: str) -> DatabricksClient:
    target = Target(
        connection="prod-dbx",
        platform="databricks",
        endpoint="http://fake",
        options=options,
        credential=Secret(token),
    )
    made = DatabricksClient(target)
    made.http = PlatformHttp(
        target,
        auth=made.http._client.auth,
        policy=FAST,
        transport=httpx2.ASGITransport(app=fake.app()),
    )
    return made


async def read_all(c: DatabricksClient, watermark: str | None = None) -> tuple[list, str | None]:
    records: list = []
    mark = None
    async for page in c.pages(watermark):
        records.extend(page.records)
        mark = page.watermark or mark
    return records, mark


def test_a_secret_never_shows() -> None:
    secret = Secret("s3cr3t-value")
    assert "s3cr3t" not in repr(secret) + str(secret) + f"{secret}" + repr([secret])
    assert secret.reveal() == "s3cr3t-value"
    assert scrub("token s3cr3t-value in text") == "token *** in text"


async def test_pages_read_every_run_once() -> None:
    fake = FakeDatabricks()
    fake.add_runs(60)
    c = client(fake)
    records, mark = await read_all(c)
    await c.aclose()
    # Each run comes known by its identity and digest, mapped whole only when the store asks.
    deferred = [r for _, r in records if isinstance(r, DeferredRun)]
    assert len(deferred) == len(records) == 60
    runs = [r.parse() for r in deferred]
    assert [r.spec.source_id for r in runs] == [r.source_id for r in deferred]
    assert [r.fingerprint for r in runs] == [r.fingerprint for r in deferred]
    assert sorted(int(r.spec.source_id) for r in runs) == list(range(1, 61))
    assert fake.faults.count("GET", "/api/2.2/jobs/runs/list") == 3  # 25 + 25 + 10
    assert mark == str(fake.runs[60]["start_time"])
    assert all(len(r.spec.activities) == 2 for r in runs)


async def test_the_watermark_rereads_a_window_before_it() -> None:
    fake = FakeDatabricks()
    fake.add_runs(60)
    c = client(fake, **{"reread-window": "10"})  # ten minutes: ten runs a minute apart
    records, _ = await read_all(c, str(fake.runs[60]["start_time"]))
    await c.aclose()
    assert len(records) == 11


async def test_an_active_run_holds_the_watermark_back() -> None:
    fake = FakeDatabricks()
    fake.add_runs(30)
    fake.change(5, life="RUNNING", result=None)
    c = client(fake)
    _, mark = await read_all(c)
    await c.aclose()
    assert mark == str(fake.runs[5]["start_time"])


async def test_429_is_waited_out_and_5xx_retried() -> None:
    fake = FakeDatabricks()
    fake.add_runs(10)
    fake.faults.add("/api/2.2/jobs/runs/list", 429, retry_after="0")
    fake.faults.add("/api/2.2/jobs/runs/list", 503, times=2)
    c = client(fake)
    records, _ = await read_all(c)
    await c.aclose()
    assert len(records) == 10
    assert fake.faults.count("GET", "/api/2.2/jobs/runs/list") == 4


async def test_faults_past_the_retries_are_unavailable() -> None:
    fake = FakeDatabricks()
    fake.faults.add("/api/2.2/jobs/runs/list", 500, times=10)
    c = client(fake)
    with pytest.raises(PlatformUnavailableError, match="prod-dbx"):
        await read_all(c)
    await c.aclose()
    assert fake.faults.count("GET", "/api/2.2/jobs/runs/list") == FAST.attempts


async def test_a_wrong_credential_names_the_connection_and_hides_the_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeDatabricks()
    caplog.set_level(logging.DEBUG)
    c = client(fake, token="dapi-wrong-secret-value")
    with pytest.raises(PlatformAuthError) as caught:
        await read_all(c)
    await c.aclose()
    assert "prod-dbx" in caught.value.message and "401" in caught.value.message
    assert "dapi-wrong-secret-value" not in caught.value.message + caplog.text


def test_no_credential_is_an_auth_error_before_any_call() -> None:
    target = Target(connection="c", platform="databricks", endpoint="http://x")
    with pytest.raises(PlatformAuthError, match="no credential"):
        DatabricksClient(target)


async def test_refusals_are_typed() -> None:
    fake = FakeDatabricks()
    fake.refuse_run_now = True
    c = client(fake)
    with pytest.raises(PlatformRefusedError, match="The job is paused") as caught:
        await c.start(ProcessTarget(source_id="1"), idempotency_token="a" * 32)
    await c.aclose()
    assert caught.value.status == 400 and caught.value.platform_code == "INVALID_STATE"


async def test_a_bad_record_fails_alone() -> None:
    fake = FakeDatabricks()
    fake.add_runs(3)
    del fake.runs[2]["state"]
    c = client(fake)
    records, _ = await read_all(c)
    await c.aclose()
    # Its identity reads well, so it is refused where it is mapped: by the store, at its place.
    failures = []
    for item in records:
        assert not isinstance(item, RecordFailure)
        position, record = item
        assert isinstance(record, DeferredRun)
        try:
            record.parse()
        except RecordError as exc:
            failures.append((position, str(exc)))
    assert len(records) == 3
    assert failures == [
        ("runs/list page 1: record 2", "state: is required (or status, in the newer shape).")
    ]
    # A record whose identity does not read fails on the page, with the mapping's own message.
    fake = FakeDatabricks()
    fake.add_runs(2)
    fake.runs[1]["job_id"] = "nightly"
    c = client(fake)
    records, _ = await read_all(c)
    await c.aclose()
    assert [r for r in records if isinstance(r, RecordFailure)] == [
        RecordFailure("runs/list page 1: record 2", "job_id: must be a whole number.")
    ]


def test_retry_after_reads_seconds_and_dates() -> None:
    assert retry_after("3") == 3.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after(None) is None and retry_after("soon") is None


def test_the_registry_checks_options_and_names_missing_extras() -> None:
    assert registry.check_options("databricks", {}) is None
    assert "needs the option subscription" in (registry.check_options("data-factory", {}) or "")
    assert "no option 'colour'" in (registry.check_options("databricks", {"colour": "x"}) or "")
    assert "unknown platform" in (registry.check_options("nope", {}) or "")
    target = Target(connection="c", platform="nope", endpoint="http://x")
    with pytest.raises(PlatformSetupError):
        registry.connect(target)

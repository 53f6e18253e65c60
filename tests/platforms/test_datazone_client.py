"""The DataZone client (boto3) against the fake DataZone: the paginator's pages, SigV4 with the
AWS credentials of the environment, throttling, and StartDataSourceRun's client token."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gateway.domain.imports import ImportedRun
from gateway.platforms.base import ProcessTarget, Target, scrub
from gateway.platforms.datazone.client import DataZoneClient, _region
from gateway.platforms.errors import PlatformAuthError, PlatformRefusedError
from tests.fakes.datazone import ACCESS_KEY, SECRET_KEY, FakeDataZone

THROTTLED = {"x-amzn-ErrorType": "ThrottlingException"}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """AWS credentials in the environment only (no files, no instance metadata)."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.001")
    return monkeypatch


@pytest.fixture
def fake(aws: pytest.MonkeyPatch) -> Iterator[FakeDataZone]:
    with FakeDataZone(page_size=2).running() as running:
        assert isinstance(running, FakeDataZone)
        yield running


def client(fake: FakeDataZone, sources: str = "ds-sales") -> DataZoneClient:
    return DataZoneClient(
        Target(
            connection="dz-sales",
            platform="datazone",
            endpoint=fake.url,
            options={
                "domain": fake.domain,
                "data-source": sources,
                "region": fake.region,
                "page-size": "2",
            },
        )
    )


async def read_all(c: DataZoneClient, watermark: str | None = None) -> list[ImportedRun]:
    runs: list[ImportedRun] = []
    async for page in c.pages(watermark):
        assert page.watermark is not None
        for item in page.records:
            assert isinstance(item, tuple), item
            assert isinstance(item[1], ImportedRun)
            runs.append(item[1])
    return runs


async def test_every_run_of_every_data_source_once(fake: FakeDataZone) -> None:
    made = [fake.add_run("ds-sales")["id"] for _ in range(5)]
    made += [fake.add_run("ds-hr")["id"] for _ in range(2)]
    c = client(fake, "ds-sales, ds-hr")
    try:
        runs = await read_all(c)
    finally:
        await c.aclose()
    assert sorted(r.spec.source_id for r in runs) == sorted(made)
    assert {r.process.source_id for r in runs} == {"ds-sales", "ds-hr"}
    assert fake.calls["ListDataSourceRuns"] == 3 + 1
    listed = fake.requests_of("ListDataSourceRuns")
    assert [r.query.get("maxResults") for r in listed] == ["2"] * 4
    assert listed[1].query["nextToken"] and "nextToken" not in listed[0].query
    assert all(r.headers["authorization"].startswith("AWS4-HMAC-SHA256 ") for r in listed)
    one = next(r for r in runs if r.spec.source_id == made[0])
    assert one.spec.start_date_time is not None and one.spec.statistics.unchanged == 5
    assert {a.key for a in one.spec.activities} == {
        "asset-orders",
        "asset-refunds",
        "asset-customers",
    }
    assert fake.calls["ListDataSourceRunActivities"] == 2 * 7  # three assets: pages of two


async def test_every_run_is_read_again_but_settled_ones_without_their_assets(
    fake: FakeDataZone,
) -> None:
    fake.add_run(created=datetime.now(UTC) - timedelta(days=5))
    fake.add_run(status="RUNNING")
    c = client(fake)
    try:
        first = await read_all(c)
        mark = datetime.now(UTC).isoformat()
        assert fake.calls["ListDataSourceRunActivities"] == 4
        again = await read_all(c, mark)
    finally:
        await c.aclose()
    assert len(first) == len(again) == 2
    assert fake.calls["ListDataSourceRunActivities"] == 4 + 2  # the running run's only
    settled = next(r for r in again if r.spec.source_status == "SUCCESS")
    assert settled.spec.activities == ()


async def test_throttling_is_waited_out_and_the_page_asked_again(fake: FakeDataZone) -> None:
    for _ in range(3):
        fake.add_run()
    # The second page is throttled once: it is asked for again from the same token.
    fake.fail_next(
        "ListDataSourceRuns",
        429,
        after=1,
        retry_after=0.01,
        headers=THROTTLED,
        body={"message": "slow"},
    )
    c = client(fake)
    try:
        runs = await read_all(c)
    finally:
        await c.aclose()
    assert len(runs) == 3
    tokens = [r.query.get("nextToken") for r in fake.requests_of("ListDataSourceRuns")]
    assert len(tokens) == 3 and tokens[0] is None and tokens[1] == tokens[2] is not None


async def test_wrong_or_missing_credentials_are_auth_errors(
    fake: FakeDataZone, aws: pytest.MonkeyPatch
) -> None:
    fake.add_run()
    aws.setenv("AWS_ACCESS_KEY_ID", "AKIDWRONGWRONGWRONG1")
    c = client(fake)
    try:
        with pytest.raises(PlatformAuthError) as raised:
            await read_all(c)
    finally:
        await c.aclose()
    assert "dz-sales" in str(raised.value) and "UnrecognizedClientException" in str(raised.value)
    assert SECRET_KEY not in str(raised.value)
    assert scrub(f"key {SECRET_KEY}") == "key ***"  # the client registered AWS's secret key
    aws.delenv("AWS_ACCESS_KEY_ID")
    aws.delenv("AWS_SECRET_ACCESS_KEY")
    c = client(fake)
    try:
        with pytest.raises(PlatformAuthError, match="no AWS credentials"):
            await read_all(c)
    finally:
        await c.aclose()


async def test_start_passes_the_client_token_and_retry_starts_the_source_again(
    fake: FakeDataZone,
) -> None:
    failed = fake.add_run(status="FAILED")["id"]
    c = client(fake)
    try:
        one = await c.start(ProcessTarget(source_id="ds-sales"), idempotency_token="k" * 32)
        two = await c.start(ProcessTarget(source_id="ds-sales"), idempotency_token="k" * 32)
        again = await c.retry(failed, idempotency_token="r" * 32)
        with pytest.raises(PlatformRefusedError):
            await c.cancel(one.source_id)
    finally:
        await c.aclose()
    assert one == two and one.source_status == "REQUESTED"
    assert [r.json()["clientToken"] for r in fake.requests_of("StartDataSourceRun")] == [
        "k" * 32,
        "k" * 32,
        "r" * 32,
    ]
    assert again.source_id not in (one.source_id, failed)


def test_the_region_comes_from_the_option_or_the_endpoint() -> None:
    def target(endpoint: str, **options: str) -> Target:
        return Target(connection="c", platform="datazone", endpoint=endpoint, options=options)

    assert _region(target("https://datazone.eu-central-1.amazonaws.com")) == "eu-central-1"
    assert (
        _region(target("https://datazone.eu-central-1.amazonaws.com", region="us-east-1"))
        == "us-east-1"
    )
    assert _region(target("http://127.0.0.1:9000")) is None

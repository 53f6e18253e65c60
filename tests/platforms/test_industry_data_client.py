"""The Graph industry data client against the fake Graph: `@odata.nextLink` paging, activities,
the listings a watermark saves, faults, the credential, and the start that returns no id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gateway.domain.imports import ImportedRun
from gateway.platforms.base import ProcessTarget, Secret, Target
from gateway.platforms.errors import PlatformAuthError, PlatformRefusedError, PlatformResponseError
from gateway.platforms.industry_data.client import IndustryDataClient
from tests.fakes.base import Response
from tests.fakes.industry_data import GRAPH_TOKEN, FakeIndustryData


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIndustryData]:
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.001")
    with FakeIndustryData(page_size=2).running() as running:
        assert isinstance(running, FakeIndustryData)
        yield running


def client(fake: FakeIndustryData, token: str = GRAPH_TOKEN) -> IndustryDataClient:
    return IndustryDataClient(
        Target(
            connection="sds",
            platform="industry-data",
            endpoint=fake.url,
            credential=Secret(token),
        )
    )


async def read_all(
    c: IndustryDataClient, watermark: str | None = None
) -> tuple[list[ImportedRun], str | None]:
    runs: list[ImportedRun] = []
    mark = None
    async for page in c.pages(watermark):
        for item in page.records:
            assert isinstance(item, tuple), item
            assert isinstance(item[1], ImportedRun)
            runs.append(item[1])
        mark = page.watermark or mark
    return runs, mark


async def test_every_run_once_over_next_links(fake: FakeIndustryData) -> None:
    made = [fake.add_run()["id"] for _ in range(5)]
    c = client(fake)
    try:
        runs, mark = await read_all(c)
    finally:
        await c.aclose()
    assert sorted(r.spec.source_id for r in runs) == sorted(made)
    assert all(
        {a.key for a in r.spec.activities} == {"flow-roster", "flow-provision"} for r in runs
    )
    assert fake.calls["runs"] == 3
    assert [r.query.get("$skiptoken") is not None for r in fake.requests_of("runs")] == [
        False,
        True,
        True,
    ]
    assert mark is not None


async def test_runs_settled_before_the_last_pass_skip_their_activities(
    fake: FakeIndustryData,
) -> None:
    fake.add_run(started=datetime.now(UTC) - timedelta(days=3))
    fake.add_run(status="running", started=datetime.now(UTC) - timedelta(minutes=5))
    c = client(fake)
    try:
        _, mark = await read_all(c)
        assert fake.calls["activities"] == 2
        again, _ = await read_all(c, mark)
    finally:
        await c.aclose()
    assert len(again) == 2
    assert fake.calls["activities"] == 3  # only the running run's activities were read again
    settled = next(r for r in again if r.spec.source_status == "completed")
    assert settled.spec.activities == ()


async def test_throttling_is_waited_out(fake: FakeIndustryData) -> None:
    fake.add_run()
    fake.fail_next("runs", 429, retry_after=0.01)
    fake.fail_next("activities", 500)
    c = client(fake)
    try:
        runs, _ = await read_all(c)
    finally:
        await c.aclose()
    assert len(runs) == 1 and fake.calls["runs"] == 2 and fake.calls["activities"] == 2


async def test_a_next_link_off_the_endpoint_is_refused(fake: FakeIndustryData) -> None:
    fake.add_run()
    fake.faults["runs"].append(
        Response(200, {"value": [], "@odata.nextLink": "https://elsewhere.example/beta/x"})
    )
    c = client(fake)
    try:
        with pytest.raises(PlatformResponseError) as raised:
            await read_all(c)
    finally:
        await c.aclose()
    assert "leads off the endpoint" in str(raised.value)


async def test_a_wrong_token_is_an_auth_error_without_the_token(fake: FakeIndustryData) -> None:
    c = client(fake, token="not-the-graph-token")
    try:
        with pytest.raises(PlatformAuthError) as raised:
            await read_all(c)
    finally:
        await c.aclose()
    assert "sds" in str(raised.value) and "not-the-graph-token" not in str(raised.value)


async def test_start_finds_the_run_it_started(fake: FakeIndustryData) -> None:
    fake.add_run()
    c = client(fake)
    try:
        started = await c.start(ProcessTarget(source_id="industryDataRuns"), idempotency_token="a")
        with pytest.raises(PlatformRefusedError):
            await c.cancel(started.source_id)
        with pytest.raises(PlatformRefusedError):
            await c.retry(started.source_id, idempotency_token="b")
    finally:
        await c.aclose()
    assert fake.runs[started.source_id]["status"] == "running"
    assert fake.calls["start"] == 1

"""The Data Factory client against the fake Data Factory: the query window and its paging, activity
runs, faults, the credential, and the control calls with their query strings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from gateway.domain.imports import ImportedRun
from gateway.platforms.base import ProcessTarget, Secret, Target
from gateway.platforms.data_factory.client import DataFactoryClient
from gateway.platforms.errors import PlatformAuthError, PlatformRefusedError
from tests.fakes.data_factory import ADF_TOKEN, FakeDataFactory

OPTIONS = {"subscription": "sub-1", "resource-group": "rg-data", "factory": "factory-1"}


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDataFactory]:
    monkeypatch.setenv("GATEWAY_PLATFORM_BACKOFF", "0.001")
    with FakeDataFactory(page_size=2).running() as running:
        assert isinstance(running, FakeDataFactory)
        yield running


def client(fake: FakeDataFactory, token: str = ADF_TOKEN) -> DataFactoryClient:
    return DataFactoryClient(
        Target(
            connection="adf-prod",
            platform="data-factory",
            endpoint=fake.url,
            options=OPTIONS,
            credential=Secret(token),
        )
    )


async def read_all(
    c: DataFactoryClient, watermark: str | None = None
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


async def test_every_run_once_over_pages_with_its_activities(fake: FakeDataFactory) -> None:
    made = [fake.add_run(activities=2)["runId"] for _ in range(5)]
    c = client(fake)
    try:
        runs, mark = await read_all(c)
    finally:
        await c.aclose()
    assert sorted(r.spec.source_id for r in runs) == sorted(made)
    assert all(len(r.spec.activities) == 2 for r in runs)
    assert fake.calls["queryPipelineRuns"] == 3  # 2 + 2 + 1
    assert fake.calls["queryActivityruns"] == 5
    body = fake.requests_of("queryPipelineRuns")[1].json()
    assert body["continuationToken"]
    assert mark is not None and datetime.fromisoformat(mark) <= datetime.now(UTC)


async def test_the_watermark_narrows_the_window(fake: FakeDataFactory) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    fake.add_run(updated=old)
    recent = fake.add_run()["runId"]
    c = client(fake)
    try:
        first, _ = await read_all(c)
        assert len(first) == 2
        again, _ = await read_all(c, (datetime.now(UTC) - timedelta(hours=2)).isoformat())
    finally:
        await c.aclose()
    assert [r.spec.source_id for r in again] == [recent]
    window = fake.requests_of("queryPipelineRuns")[-1].json()
    after = datetime.fromisoformat(window["lastUpdatedAfter"])
    assert after < datetime.now(UTC) - timedelta(hours=2)  # the re-read window before the mark


async def test_throttling_and_faults_are_waited_out(fake: FakeDataFactory) -> None:
    fake.add_run()
    fake.fail_next("queryPipelineRuns", 429, retry_after=0.01)
    fake.fail_next("queryActivityruns", 503)
    c = client(fake)
    try:
        runs, _ = await read_all(c)
    finally:
        await c.aclose()
    assert len(runs) == 1
    assert fake.calls["queryPipelineRuns"] == 2
    assert fake.calls["queryActivityruns"] == 2


async def test_a_wrong_token_is_an_auth_error_without_the_token(fake: FakeDataFactory) -> None:
    fake.add_run()
    c = client(fake, token="wrong-token-value")
    try:
        with pytest.raises(PlatformAuthError) as raised:
            await read_all(c)
    finally:
        await c.aclose()
    message = str(raised.value)
    assert "adf-prod" in message and "401" in message
    assert "wrong-token-value" not in message


async def test_start_cancel_and_rerun(fake: FakeDataFactory) -> None:
    c = client(fake)
    try:
        started = await c.start(
            ProcessTarget(source_id="Copy Sales", parameters={"window": "2026-12-02"}),
            idempotency_token="a" * 32,
        )
        assert fake.runs[started.source_id]["parameters"] == {"window": "2026-12-02"}
        assert fake.runs[started.source_id]["pipelineName"] == "Copy Sales"
        await c.cancel(started.source_id)
        assert fake.runs[started.source_id]["status"] == "Cancelled"
        rerun = await c.retry(started.source_id, idempotency_token="b" * 32)
    finally:
        await c.aclose()
    assert rerun.source_id != started.source_id and not rerun.in_place
    assert fake.runs[rerun.source_id]["runGroupId"] == fake.runs[started.source_id]["runGroupId"]
    create = fake.requests_of("createRun")[-1]
    # The URL's own query (api-version with the rerun's parameters) reached the platform whole.
    assert create.query == {
        "api-version": "2018-06-01",
        "referencePipelineRunId": started.source_id,
        "isRecovery": "true",
        "startFromFailure": "true",
    }
    assert fake.requests_of("cancel")[0].query["isRecursive"] == "true"
    assert (fake.calls["createRun"], fake.calls["cancel"], fake.calls["getRun"]) == (2, 1, 1)


async def test_a_refusal_is_typed(fake: FakeDataFactory) -> None:
    run = fake.add_run(status="Succeeded")["runId"]
    c = client(fake)
    try:
        with pytest.raises(PlatformRefusedError) as raised:
            await c.cancel(run)
    finally:
        await c.aclose()
    assert "The pipeline run has finished" in str(raised.value)
    assert raised.value.status == 400

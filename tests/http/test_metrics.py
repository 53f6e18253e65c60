"""`GET /metrics`: Prometheus text with requests by operation and outcome, latency histograms,
store time, open subscriptions and subscriber drops, and sync lag per connection; under
`serve --workers N` every scrape sees every worker's requests (multiprocess mode)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx2
from prometheus_client.parser import text_string_to_metric_families

from gateway.config import Settings
from gateway.metrics import observe_sync
from tests.conftest import GraphQLClient
from tests.live.server import Subscriber, serve_here
from tests.servers import serve_process

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(text: str) -> Samples:
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def _scrape(gql: GraphQLClient) -> Samples:
    response = gql.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return _samples(response.text)


def test_requests_are_counted_by_operation_and_outcome_with_latency(
    gql: GraphQLClient,
) -> None:
    before = _scrape(gql)
    for _ in range(3):
        gql.data("query RecentRuns { runs(first: 2) { nodes { id } } }")
    bad = gql('query BadFilter { runs(filter: "status eq") { totalCount } }')
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_FILTER"
    gql.http.get("/healthz")
    after = _scrape(gql)

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    ok = {"route": "/graphql", "operation": "RecentRuns"}
    assert delta("gateway_requests_total", outcome="ok", **ok) == 3
    assert delta("gateway_request_duration_seconds_count", **ok) == 3
    assert delta("gateway_request_duration_seconds_bucket", le="+Inf", **ok) == 3
    refused = {"route": "/graphql", "operation": "BadFilter", "outcome": "refused"}
    assert delta("gateway_requests_total", **refused) == 1
    health = {"route": "/healthz", "operation": "", "outcome": "ok"}
    assert delta("gateway_requests_total", **health) == 1
    assert delta("gateway_store_statement_duration_seconds_count", connection="reader") >= 3


def test_client_chosen_names_cannot_grow_the_labels(gql: GraphQLClient) -> None:
    gql.http.get("/no/such/path/12345")
    gql.http.post(
        "/graphql",
        json={"query": "query Q { runs(first: 1) { totalCount } }", "operationName": "Q"},
    )
    text = gql.http.get("/metrics").text
    assert "/no/such/path" not in text
    assert 'route="other"' in text


def test_sync_lag_is_exposed_per_connection(gql: GraphQLClient) -> None:
    observe_sync("nightly-databricks", succeeded=True, lag_seconds=42.5, finished_at=1_800_000_000)
    observe_sync("nightly-databricks", succeeded=False)
    samples = _scrape(gql)
    labels = {"connection": "nightly-databricks"}
    assert _value(samples, "gateway_sync_lag_seconds", **labels) == 42.5
    assert _value(samples, "gateway_sync_last_success_timestamp_seconds", **labels) == 1.8e9
    assert _value(samples, "gateway_syncs_total", outcome="ok", **labels) >= 1
    assert _value(samples, "gateway_syncs_total", outcome="failed", **labels) >= 1


async def test_open_subscriptions_and_drops_are_gauged(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    settings = Settings(
        database=str(new_location("live.db")), create=True, scheduler=False, live_queue=2
    )
    async with (
        serve_here(settings) as (url, _app, _server),
        httpx2.AsyncClient(base_url=url) as http,
    ):

        async def open_now() -> float:
            text = (await http.get("/metrics")).text
            return _value(_samples(text), "gateway_subscriptions_open")

        base = await open_now()
        async with Subscriber.open(url) as one, Subscriber.open(url) as two:
            await one.subscribe("a")
            await two.subscribe("b")
            for _ in range(50):
                if await open_now() == base + 2:
                    break
                await asyncio.sleep(0.05)
            assert await open_now() == base + 2
        for _ in range(50):
            if await open_now() == base:
                break
            await asyncio.sleep(0.05)
        assert await open_now() == base


def test_every_worker_answers_a_scrape_with_the_whole_servers_counts(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    with serve_process(new_location("w.db"), tmp_path / "server.log", workers="2") as (url, _):
        # Each request on its own connection: the parent deals them to the workers in turn.
        for _ in range(6):
            response = httpx2.post(
                f"{url}/graphql",
                json={"query": "query Counted { runs(first: 1) { totalCount } }"},
                headers={"connection": "close"},
            )
            assert response.status_code == 200
        counts = set()
        for _ in range(4):  # scrapes dealt to both workers
            text = httpx2.get(f"{url}/metrics", headers={"connection": "close"}).text
            counts.add(
                _value(
                    _samples(text),
                    "gateway_requests_total",
                    route="/graphql",
                    operation="Counted",
                    outcome="ok",
                )
            )
        assert counts == {6.0}

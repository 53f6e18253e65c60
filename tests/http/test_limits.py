"""Every limit answers its own typed error, naming the limit: body size, rate, aliases, tokens,
depth, cost (reported in `extensions.cost`), and the time of one SQL statement."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest

from gateway.api.common.limits import MAX_ALIASES, MAX_COST, MAX_TOKENS
from gateway.domain.exceptions import QueryTimeoutError
from gateway.http.rate_limit import Buckets
from gateway.store import paging
from gateway.store.engines import database_for
from tests.conftest import GraphQLClient

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def _limit(body: dict[str, object]) -> dict[str, object]:
    errors = body["errors"]
    assert isinstance(errors, list)
    extensions: dict[str, object] = errors[0]["extensions"]
    return extensions


def test_a_body_over_the_limit_is_413(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    client = client_factory(demo_path, max_body_bytes=1000)
    padded = orjson.dumps({"query": "{ __typename }", "variables": {"x": "y" * 2000}})
    response = client.http.post(
        "/graphql", content=padded, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert _limit(response.json()) == {
        "code": "LIMIT_EXCEEDED",
        "limit": "requestBodyBytes",
        "max": 1000,
    }

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
        yield padded[:600]
        yield padded[600:]

    streamed = client.http.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    fine = client.http.post("/graphql", json={"query": "{ __typename }"})
    assert fine.status_code == 200


def test_past_the_rate_limit_is_429_with_retry_after(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    client = client_factory(demo_path, rate_limit=3)
    statuses = [client.http.post("/graphql", json={"query": "{ __typename }"}) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    refused = statuses[-1]
    assert int(refused.headers["retry-after"]) >= 1
    assert _limit(refused.json()) == {
        "code": "RATE_LIMITED",
        "limit": "requestsPerMinute",
        "max": 3,
    }


def test_the_bucket_refills_over_time() -> None:
    now = [0.0]
    buckets = Buckets(60, clock=lambda: now[0])  # one a second
    assert all(buckets.take("t") == 0 for _ in range(60))
    assert buckets.take("t") == pytest.approx(1.0)
    assert buckets.take("other") == 0  # per caller
    now[0] += 1.0
    assert buckets.take("t") == 0


def test_too_many_aliases(gql: GraphQLClient) -> None:
    query = "{ " + " ".join(f"a{i}: __typename" for i in range(MAX_ALIASES + 1)) + " }"
    assert _limit(gql(query)) == {
        "code": "LIMIT_EXCEEDED",
        "limit": "queryAliases",
        "max": MAX_ALIASES,
    }
    assert "errors" not in gql("{ " + " ".join(f"a{i}: __typename" for i in range(5)) + " }")


def test_too_many_tokens(gql: GraphQLClient) -> None:
    query = "{ " + "__typename " * (MAX_TOKENS + 1) + "}"
    body = gql(query)
    assert _limit(body) == {"code": "LIMIT_EXCEEDED", "limit": "queryTokens", "max": MAX_TOKENS}


def test_the_cost_is_reported_and_bounded(gql: GraphQLClient) -> None:
    body = gql("{ runs(first: 10) { nodes { id status } } }")
    assert body["extensions"]["cost"] == {"requested": 1 + 1 + 10 * 2, "maximum": MAX_COST}
    # page sizes given as variables count with their real value
    query = "query ($n: Int) { runs(first: $n) { nodes { id activities { nodes { id } } } } }"
    assert gql(query, {"n": 2})["extensions"]["cost"]["requested"] == 1 + 1 + 2 * (3 + 50 * 1)
    refused = gql(query.replace("activities {", "activities(first: 500) {"), {"n": 500})
    assert _limit(refused) == {"code": "LIMIT_EXCEEDED", "limit": "queryCost", "max": MAX_COST}
    assert refused["data"] is None


async def test_a_statement_past_its_time_limit_is_stopped(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    async with database_for(new_location("t.db"), readers=1, statement_timeout_ms=50) as db:
        async with db.read() as conn:
            with pytest.raises(QueryTimeoutError) as caught:
                await conn.fetchall(ENDLESS)
            assert caught.value.limit_ms == 50
            assert (await conn.fetchone("SELECT 1"))[0] == 1  # the connection still works
        with pytest.raises(QueryTimeoutError):
            async with db.transaction() as tx:
                await tx.fetchall(ENDLESS)
        async with db.transaction() as tx:  # the writer was rolled back and works
            await tx.execute("SELECT 1")


def test_a_query_past_the_time_limit_gets_a_typed_error(
    demo_path: Path,
    client_factory: Callable[..., GraphQLClient],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def endless(conn: object, *args: object, **kwargs: object) -> int:
        await conn.fetchall(ENDLESS)  # type: ignore[attr-defined]
        return 0

    monkeypatch.setattr(paging, "count", endless)  # under both the fast path and the executor
    client = client_factory(demo_path, statement_timeout_ms=50)
    with caplog.at_level(logging.ERROR):
        body = client("{ runs { totalCount } }")
    assert body["errors"][0]["extensions"] == {
        "code": "QUERY_TIMEOUT",
        "limit": "statementTimeMs",
        "max": 50,
    }
    assert "WITH RECURSIVE" not in str(body)

"""The fast lane: a plain POST the fast path covers is answered without strawberry's view, with
exactly the response the view gives (status, content type, body), for every kind of caller and
`Accept`; anything else still goes through the view."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.config import Settings
from gateway.domain.auth import Scope
from gateway.http.graphql_view import GatewayGraphQL
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, make_token

PAGE = "{ runs(first: 3) { totalCount nodes { id status startDateTime durations { totalMs } } } }"
NAMED = (
    "query A { runs(first: 1) { nodes { id } } } "
    "query B($n: Int) { processes(first: $n) { nodes { id displayName } } }"
)
ACCEPT_BOTH = {"accept": "application/graphql-response+json"}
# (name, body, headers, what the lane did: answered, declined, or was not asked)
REQUESTS: list[tuple[str, dict[str, Any], dict[str, str], list[bool]]] = [
    ("page", {"query": PAGE}, {}, [True]),
    ("graphql-response+json", {"query": PAGE}, ACCEPT_BOTH, [True]),
    ("charset", {"query": PAGE}, {"content-type": "application/json; charset=utf-8"}, [True]),
    ("operation", {"query": NAMED, "operationName": "B", "variables": {"n": 2}}, {}, [True]),
    ("nulls", {"query": PAGE, "variables": None, "operationName": None}, {}, [True]),
    # The view answers these, the same either way.
    ("invalid", {"query": "{ runs { nope } }"}, {}, [False]),
    ("invalid, 400", {"query": "{ runs { nope } }"}, ACCEPT_BOTH, [False]),
    ("bad variables", {"query": NAMED, "operationName": "B", "variables": {"n": "x"}}, {}, [False]),
    ("mutation", {"query": 'mutation { deleteRun(id: "x") { __typename } }'}, {}, [False]),
    ("extra key", {"query": PAGE, "extensions": {}}, {}, []),
    ("query not a string", {"query": 1}, {}, []),
    ("not acceptable", {"query": PAGE}, {"accept": "text/plain"}, []),
]


@pytest.fixture
def clients(demo_path: Path) -> Iterator[Callable[[], TestClient]]:
    opened: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(create_app(Settings(database=str(demo_path), scheduler=False)))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


SAME_ID = {"x-request-id": "lane-differential"}
"""Both ways get the same request id, which every error carries: the bodies compare byte for byte."""


def _post(client: TestClient, payload: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(
        "/graphql",
        content=orjson.dumps(payload),
        headers={"content-type": "application/json", **SAME_ID, **headers},
    )


async def _declined(self: GatewayGraphQL, *args: Any) -> bytes | None:
    """The lane declining everything: strawberry's view serves every request."""
    return None


@pytest.mark.parametrize("name", [r[0] for r in REQUESTS])
def test_the_lane_answers_exactly_as_the_view(
    name: str, clients: Callable[[], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    payload, headers, expected = next((p, h, e) for n, p, h, e in REQUESTS if n == name)
    client = clients()
    taken: list[bool] = []
    original = GatewayGraphQL.answer_directly

    async def spy(self: GatewayGraphQL, *args: Any) -> bytes | None:
        body = await original(self, *args)
        taken.append(body is not None)
        return body

    monkeypatch.setattr(GatewayGraphQL, "answer_directly", spy)
    fast = _post(client, payload, headers)
    monkeypatch.setattr(GatewayGraphQL, "answer_directly", _declined)
    slow = _post(client, payload, headers)
    assert (fast.status_code, fast.headers["content-type"], fast.content) == (
        slow.status_code,
        slow.headers["content-type"],
        slow.content,
    )
    assert taken == expected


def test_a_caller_who_may_not_read_goes_to_the_view(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    """With authentication on, a token without runs:read gets the executor's FORBIDDEN error,
    not the fast path's answer."""
    client = client_factory(demo_path, auth="token")
    token = make_token(demo_path, {Scope.RUNS_WRITE}, [CONTOSO])
    response = client.http.post(
        "/graphql",
        json={"query": PAGE},
        headers={"authorization": f"Bearer {token}"},
    )
    body = response.json()
    assert body.get("data") is None or body["data"].get("runs") is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"

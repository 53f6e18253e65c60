"""Whatever a client sends, the server answers without a 5xx and with a well-formed response:
a burst of malformed requests, then bounded property-based fuzzing of bodies, queries and
variables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import GraphQLClient

DEEP = "{ runs { nodes { " + "process { runs { nodes { " * 30 + "id" + " } } }" * 30 + " } } }"
WIDE = "{ " + " ".join(f"a{i}: runs(first: 500) {{ totalCount }}" for i in range(200)) + " }"
VARIABLES = "query ($n: Int, $f: String, $w: RunWhere) { runs(first: $n, filter: $f, where: $w) { totalCount } }"

BURST: list[tuple[bytes, str, str]] = [
    (b"{not json", "application/json", "POST"),
    (b"[]", "application/json", "POST"),
    (b"[1, 2]", "application/json", "POST"),
    (b"null", "application/json", "POST"),
    (b'"query"', "application/json", "POST"),
    (b'{"query": null}', "application/json", "POST"),
    (b'{"query": ["{ runs { totalCount } }"]}', "application/json", "POST"),
    (b'{"query": "{ runs { totalCount } }", "operationName": 5}', "application/json", "POST"),
    (b'{"query": "{ runs { totalCount } }", "extensions": []}', "application/json", "POST"),
    (b"\xff\xfe\x00\x00", "application/json", "POST"),
    (b"\xef\xbb\xbf{}", "application/json", "POST"),
    (b"query { runs { totalCount } }", "application/graphql", "POST"),
    (b"query=%7B__typename%7D", "application/x-www-form-urlencoded", "POST"),
    (b"--x\r\n\r\n--x--", "multipart/form-data; boundary=x", "POST"),
    (b"{}", "", "POST"),
    (b"{}", "application/json; charset=utf-16", "POST"),
    (b'{"query": "' + b"{" * 100_000 + b'"}', "application/json", "POST"),
    (b'{"query": "' + b"a" * 900_000 + b'"}', "application/json", "POST"),
    (b"x" * 3_000_000, "application/json", "POST"),
    (orjson.dumps({"query": DEEP}), "application/json", "POST"),
    (orjson.dumps({"query": WIDE}), "application/json", "POST"),
    (b'{"query": "%s", "variables": {"n": 1000000000000000000000000000000}}' % VARIABLES.encode(), "application/json", "POST"),
    (orjson.dumps({"query": VARIABLES, "variables": {"n": -5}}), "application/json", "POST"),
    (orjson.dumps({"query": VARIABLES, "variables": {"n": "5"}}), "application/json", "POST"),
    (orjson.dumps({"query": VARIABLES, "variables": {"f": "(" * 5000}}), "application/json", "POST"),
    (orjson.dumps({"query": VARIABLES, "variables": {"w": {"status": {"in": ["NOPE"]}}}}), "application/json", "POST"),
    (orjson.dumps({"query": VARIABLES, "variables": {"w": [[[[]]]]}}), "application/json", "POST"),
    (orjson.dumps({"query": '{ node(id: "' + "x" * 10_000 + '") { id } }'}), "application/json", "POST"),
    (orjson.dumps({"query": '{ runs(after: "' + "A" * 5000 + '") { totalCount } }'}), "application/json", "POST"),
    (orjson.dumps({"query": "subscription { __typename }"}), "application/json", "POST"),
    (orjson.dumps({"query": "{ __typename @skip(if: true) @skip(if: false) }"}), "application/json", "POST"),
    (orjson.dumps({"query": "fragment A on Query { ...A } { ...A }"}), "application/json", "POST"),
    (b"", "application/json", "GET"),
]  # fmt: skip


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_a_burst_of_malformed_requests_gets_no_5xx(gql: GraphQLClient, accept: str) -> None:
    for content, content_type, method in BURST:
        headers = {"Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type
        response = gql.http.request(method, "/graphql", content=content, headers=headers)
        assert response.status_code < 500, (content[:80], response.text[:300])
        assert "Traceback" not in response.text and "sqlite" not in response.text.lower()
        if response.headers.get("content-type", "").startswith(("application/json", accept)):
            body = response.json()
            assert "errors" in body or "data" in body
    assert gql.http.post("/graphql", json={"query": "{ __typename }"}).status_code == 200


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_words = st.sampled_from(
    [
        "{", "}", "(", ")", ":", "runs", "nodes", "id", "status", "first:", "last:", "after:",
        "filter:", '"status eq \'FAILED\'"', "process", "activities", "totalCount", "node",
        "query", "mutation", "$n", "Int", "...", "on", "Run", "__typename", "__schema", "@skip",
        "500", "-1", '"x"', "null", "fragment", "F", "deleteRun", "updateRun", "input:",
    ]
)  # fmt: skip
_queries = st.lists(_words, max_size=40).map(" ".join) | st.text(max_size=200)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    query=_queries,
    variables=_json,
    operation=st.none() | st.text(max_size=10),
    accept=st.sampled_from(["application/json", "application/graphql-response+json", "*/*"]),
)
def test_fuzzed_requests_get_no_5xx(
    demo_path: Path,
    client_factory: Callable[..., GraphQLClient],
    query: str,
    variables: Any,
    operation: str | None,
    accept: str,
) -> None:
    client = _client(demo_path, client_factory)
    body = {"query": query, "variables": variables, "operationName": operation}
    response = client.http.post("/graphql", json=body, headers={"Accept": accept})
    assert response.status_code < 500, response.text[:300]
    parsed = response.json()
    assert "errors" in parsed or "data" in parsed
    for error in parsed.get("errors") or ():
        assert "Traceback" not in error["message"]


_clients: dict[Path, GraphQLClient] = {}


def _client(path: Path, factory: Callable[..., GraphQLClient]) -> GraphQLClient:
    # one app per test, not per example: the demo copy and start-up are the slow part
    if path not in _clients:
        _clients.clear()
        _clients[path] = factory(path, rate_limit=0)
    return _clients[path]

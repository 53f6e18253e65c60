"""HTTP behaviour: argument errors with codes, masked failures, GET, GraphiQL, health, no 5xx."""

from __future__ import annotations

import logging

import pytest

from gateway.store import paging
from tests.conftest import GraphQLClient


@pytest.mark.parametrize(
    ("arguments", "code", "argument"),
    [
        ("first: 100000", "PAGE_SIZE_EXCEEDED", "first"),
        ("first: -1", "INVALID_PAGE_SIZE", "first"),
        ("last: 501", "PAGE_SIZE_EXCEEDED", "last"),
        ("first: 1, last: 1", "INVALID_PAGINATION", "last"),
        ('after: "not-a-cursor"', "INVALID_CURSOR", "after"),
        ('before: "WyJvdGhlciIsMSwiYSJd"', "INVALID_CURSOR", "before"),
    ],
)
def test_bad_paging_arguments_get_a_coded_error(
    gql: GraphQLClient, arguments: str, code: str, argument: str
) -> None:
    body = gql(f"{{ runs({arguments}) {{ nodes {{ id }} }} }}")
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": code,
        "argument": argument,
        "classification": "BAD_USER_INPUT",
    }
    assert error["path"] == ["runs"]


def test_nested_paging_arguments_are_checked_too(gql: GraphQLClient) -> None:
    body = gql("{ runs(first: 2) { nodes { activities(first: 501) { totalCount } } } }")
    assert {e["extensions"]["code"] for e in body["errors"]} == {"PAGE_SIZE_EXCEEDED"}


def test_a_cursor_of_one_list_is_refused_by_another(gql: GraphQLClient) -> None:
    cursor = gql.data("{ processes(first: 1) { pageInfo { endCursor } } }")["processes"][
        "pageInfo"
    ]["endCursor"]
    body = gql("query ($c: String) { runs(after: $c) { nodes { id } } }", {"c": cursor})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


def test_unexpected_errors_are_masked_with_a_request_id(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail at /srv/gateway.db: SELECT * FROM runs")

    monkeypatch.setattr(paging, "fetch_page", broken)  # under both the executor and the fast path
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        response = gql.http.post(
            "/graphql",
            json={"query": "{ runs { nodes { id } } }"},
            headers={"X-Request-Id": "req-123"},
        )
    assert response.status_code == 200
    (error,) = response.json()["errors"]  # its requestId checked against the header, taken out
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert response.headers["x-request-id"] == "req-123" and "req-123" in error["message"]
    assert "secret" not in response.text and "SELECT" not in response.text
    assert "/srv" not in response.text and "Traceback" not in response.text
    assert "secret detail" in caplog.text  # the log has it


def test_get_requests_run_queries(gql: GraphQLClient) -> None:
    response = gql.http.get("/graphql", params={"query": "{ runs(first: 2) { totalCount } }"})
    assert response.status_code == 200
    assert response.json()["data"]["runs"]["totalCount"] > 0


def test_mutations_are_refused_over_get(gql: GraphQLClient) -> None:
    response = gql.http.get(
        "/graphql",
        params={"query": 'mutation { deleteRun(id: "run_x") { __typename } }'},
    )
    assert 400 <= response.status_code < 500


def test_browsers_get_the_offline_graphiql_page(gql: GraphQLClient) -> None:
    response = gql.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "https://" not in response.text and "http://" not in response.text


def test_health_and_readiness(gql: GraphQLClient) -> None:
    assert gql.http.get("/healthz").json() == {"status": "ok"}
    ready = gql.http.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"query": 5}', "application/json"),
        (b'{"query": "{ runs { nodes { id } }"}', "application/json"),
        (b'{"query": "{ nope }"}', "application/json"),
        (b'{"query": "{ runs { totalCount } }", "variables": "x"}', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        (b"query", "text/plain"),
        (b"", "application/json"),
    ],
)
def test_malformed_requests_never_get_a_5xx(
    gql: GraphQLClient, content: bytes, content_type: str
) -> None:
    response = gql.http.post("/graphql", content=content, headers={"Content-Type": content_type})
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text


def test_deep_and_odd_documents_never_get_a_5xx(gql: GraphQLClient) -> None:
    deep = "{ runs { nodes { " + "process { runs { nodes { " * 10 + "id" + " } } }" * 10 + " } } }"
    for query in (
        deep,
        "{ __schema { types { name } } }",
        "query A { runs { totalCount } } query B { runs { totalCount } }",
    ):
        response = gql.http.post("/graphql", json={"query": query})
        assert response.status_code < 500


def test_too_deep_a_document_is_refused_before_it_runs(gql: GraphQLClient) -> None:
    deep = "{ runs(first: 1) { nodes { " + "process { runs(first: 1) { nodes { " * 4 + "id"
    deep += " } } }" * 4 + " } } }"
    before = gql.statements
    body = gql(deep)
    assert body["errors"][0]["extensions"] == {
        "code": "LIMIT_EXCEEDED",
        "limit": "queryDepth",
        "max": 12,
    }
    assert gql.statements == before  # refused at validation: no SQL ran


def test_too_costly_a_document_is_refused_before_it_runs(gql: GraphQLClient) -> None:
    costly = (
        "query ($n: Int) { runs(first: 500) { nodes { activities(first: $n) { nodes { id } } } } }"
    )
    before = gql.statements
    body = gql(costly, {"n": 300})
    assert body["errors"][0]["extensions"]["limit"] == "queryCost"
    assert gql.statements == before  # refused before execution: no SQL ran
    fine = "{ runs(first: 100) { nodes { activities(first: 50) { nodes { id } } } } }"
    assert "errors" not in gql(fine)


def test_graphiqls_introspection_query_is_within_the_limits(gql: GraphQLClient) -> None:
    from graphql import get_introspection_query

    data = gql.data(get_introspection_query(descriptions=True))
    assert data["__schema"]["queryType"]["name"] == "Query"

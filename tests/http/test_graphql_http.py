"""GraphQL over HTTP: media types, status codes by the specification's rules, methods."""

from __future__ import annotations

import pytest

from gateway.http.graphql_view import negotiate
from tests.conftest import GraphQLClient

GRAPHQL_RESPONSE = "application/graphql-response+json"
OK = "{ runs(first: 1) { totalCount } }"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("application/json", "application/json"),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}; charset=utf-8, application/json; charset=utf-8", GRAPHQL_RESPONSE),
        (f"application/json, {GRAPHQL_RESPONSE};q=0.5", "application/json"),
        ("application/*", "application/json"),
        ("text/plain", None),
        (f"{GRAPHQL_RESPONSE};q=0", None),
    ],
)
def test_negotiation(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept) == expected


def _post(gql: GraphQLClient, query: str, accept: str, variables: object = None) -> object:
    return gql.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Accept": accept}
    )


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
def test_a_successful_query_is_200_in_both_media_types(gql: GraphQLClient, accept: str) -> None:
    response = gql.http.post("/graphql", json={"query": OK}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert response.json()["data"]["runs"]["totalCount"] > 0


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ runs { nodes { id } }", None),  # parse error
        ("{ nope }", None),  # validation error
        ("query ($n: Int!) { runs(first: $n) { totalCount } }", {"n": "x"}),  # variable coercion
        ("query ($n: Int!) { runs(first: $n) { totalCount } }", None),  # missing variable
    ],
)
def test_request_errors_are_400_with_graphql_response_json_and_200_with_json(
    gql: GraphQLClient, query: str, variables: object
) -> None:
    modern = gql.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert "data" not in modern.json()
    assert modern.json()["errors"]
    legacy = gql.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Accept": "application/json"},
    )
    assert legacy.status_code == 200
    assert legacy.json()["errors"]


def test_a_field_error_with_data_is_200(gql: GraphQLClient) -> None:
    response = gql.http.post(
        "/graphql",
        json={
            "query": '{ runs(first: 1) { totalCount } bad: runs(filter: "x eq") { totalCount } }'
        },
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    # `runs` is non-null, so the error nulls `data`; a field error still answers 2xx.
    assert response.status_code == 200
    assert response.json()["errors"][0]["path"] == ["bad"]


def test_mutations_over_get_are_405_with_allow(gql: GraphQLClient) -> None:
    response = gql.http.get(
        "/graphql",
        params={"query": 'mutation { deleteRun(id: "run_x") { __typename } }'},
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
def test_other_request_media_types_are_415(gql: GraphQLClient, content_type: str) -> None:
    response = gql.http.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers={"Content-Type": content_type}
    )
    assert response.status_code == 415
    assert response.json()["errors"][0]["extensions"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_an_unacceptable_accept_is_406(gql: GraphQLClient) -> None:
    response = gql.http.post("/graphql", json={"query": OK}, headers={"Accept": "text/plain"})
    assert response.status_code == 406


def test_other_methods_are_405(gql: GraphQLClient) -> None:
    assert gql.http.put("/graphql", json={"query": OK}).status_code == 405
    assert gql.http.delete("/graphql").status_code == 405


def test_a_get_query_accepts_variables_and_an_operation_name(gql: GraphQLClient) -> None:
    response = gql.http.get(
        "/graphql",
        params={
            "query": "query A($n: Int) { runs(first: $n) { nodes { id } } } query B { __typename }",
            "variables": '{"n": 2}',
            "operationName": "A",
        },
        headers={"Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 200
    assert len(response.json()["data"]["runs"]["nodes"]) == 2


def test_a_malformed_json_body_is_400(gql: GraphQLClient) -> None:
    response = gql.http.post(
        "/graphql",
        content=b"{not json",
        headers={"Content-Type": "application/json", "Accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"

"""Inputs that would reach SQLite as they are get typed errors instead of internal ones: a NUL in
`search` (FTS5 reads it as the end of the query), cursors holding integers wider than SQLite's 64
bits; and every syntax error of a document has its code."""

from __future__ import annotations

import base64
import json

import orjson
import pytest

from tests.conftest import GraphQLClient


def _only_error(body: dict[str, object]) -> dict[str, object]:
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    error: dict[str, object] = errors[0]
    return error


def _cursor(*values: object) -> str:
    """A cursor as ours are made, holding any JSON numbers (orjson refuses ones past 64 bits)."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize("text", ["a\u0000b", "\u0000", 'failed "a\u0000"'])
def test_a_nul_in_search_is_invalid_search(gql: GraphQLClient, text: str) -> None:
    error = _only_error(gql("query ($s: String) { runs(search: $s) { totalCount } }", {"s": text}))
    extensions = error["extensions"]
    assert isinstance(extensions, dict)
    assert extensions["code"] == "INVALID_SEARCH"
    assert extensions["position"] == text.index("\u0000")


def test_a_nul_in_a_filter_string_is_invalid_filter(gql: GraphQLClient) -> None:
    body = gql("{ runs(filter: \"displayName eq 'a\\u0000b'\") { totalCount } }")
    extensions = _only_error(body)["extensions"]
    assert isinstance(extensions, dict) and extensions["code"] == "INVALID_FILTER"


def test_a_nul_in_odata_search_is_a_400(gql: GraphQLClient) -> None:
    response = gql.http.get("/odata/Runs", params={"$search": "a\u0000b"})
    assert response.status_code == 400
    assert "INTERNAL" not in response.text


@pytest.mark.parametrize("seq", [2**63, 2**64 - 1, 2**70, -(2**63) - 1])
def test_a_change_cursor_past_64_bits_is_invalid_cursor(gql: GraphQLClient, seq: int) -> None:
    after = _cursor("RunChange:seq", seq, "run_x")
    error = _only_error(
        gql("query ($a: String) { runChanges(after: $a) { cursor } }", {"a": after})
    )
    assert error["extensions"] == {
        "code": "INVALID_CURSOR",
        "argument": "after",
        "classification": "BAD_USER_INPUT",
    }


def test_a_change_cursor_at_the_largest_64_bit_value_is_served(gql: GraphQLClient) -> None:
    after = _cursor("RunChange:seq", 2**63 - 1, "run_x")
    page = gql.data(
        "query ($a: String) { runChanges(after: $a) { changes { __typename } } }", {"a": after}
    )
    assert page["runChanges"]["changes"] == []


def test_a_list_cursor_past_64_bits_is_invalid_cursor(gql: GraphQLClient) -> None:
    first = gql.data("{ runs(first: 1) { edges { cursor } } }")["runs"]["edges"][0]["cursor"]
    padded = first + "=" * (-len(first) % 4)
    ordering, *_, run_id = orjson.loads(base64.urlsafe_b64decode(padded))
    forged = _cursor(ordering, 2**63, run_id)
    error = _only_error(gql("query ($a: String) { runs(after: $a) { totalCount } }", {"a": forged}))
    extensions = error["extensions"]
    assert isinstance(extensions, dict) and extensions["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize(
    "document",
    [
        "{ runs(first: 1",
        "query { runs { nodes { id } } } }",
        '{ runs(filter: "unterminated) { totalCount } }',
        "{ " + "runs { " * 300 + "id" + " }" * 300 + " }",  # "nested too deeply"
    ],
)
@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
def test_every_syntax_error_has_a_code(gql: GraphQLClient, document: str, accept: str) -> None:
    response = gql.http.post("/graphql", json={"query": document}, headers={"Accept": accept})
    error = _only_error(response.json())
    assert isinstance(error["message"], str) and error["message"].startswith("Syntax Error")
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}

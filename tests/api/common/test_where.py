"""The typed `where` means exactly what the same `filter` text means."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import GraphQLClient

PAIRS: list[tuple[str, dict[str, Any]]] = [
    ("status eq 'FAILED'", {"status": {"eq": "FAILED"}}),
    ("status in ('FAILED', 'TIMED_OUT')", {"status": {"in": ["FAILED", "TIMED_OUT"]}}),
    ("not (status in ('SUCCEEDED'))", {"status": {"notIn": ["SUCCEEDED"]}}),
    (
        "statistics/errors gt 0 and durations/totalMs le 600000",
        {"statistics": {"errors": {"gt": 0}}, "durations": {"totalMs": {"le": 600000}}},
    ),
    ("startDateTime ge 2026-10-25T00:00:00Z", {"startDateTime": {"ge": "2026-10-25T00:00:00Z"}}),
    ("endDateTime eq null", {"endDateTime": {"isNull": True}}),
    ("blockingError/category eq 'THROTTLED'", {"blockingError": {"category": {"eq": "THROTTLED"}}}),
    (
        "process/displayName eq 'Nightly SIS import'",
        {"process": {"displayName": {"eq": "Nightly SIS import"}}},
    ),
    ("contains(displayName, 'feature')", {"displayName": {"contains": "feature"}}),
    (
        "source eq 'DATABRICKS' and jobId eq 1042",
        {"source": {"eq": "DATABRICKS"}, "jobId": {"eq": 1042}},
    ),
    ("isActive eq true", {"isActive": True}),
    (
        "status eq 'FAILED' or status eq 'CANCELLED'",
        {"or": [{"status": {"eq": "FAILED"}}, {"status": {"eq": "CANCELLED"}}]},
    ),
    ("not (source eq 'GATEWAY')", {"not": {"source": {"eq": "GATEWAY"}}}),
    (
        "activities/any(a: a/status eq 'FAILED' and a/statistics/processed gt 100)",
        {
            "activities": {
                "any": {"status": {"eq": "FAILED"}, "statistics": {"processed": {"gt": 100}}}
            }
        },
    ),
    (
        "activities/all(a: a/status eq 'SUCCEEDED')",
        {"activities": {"all": {"status": {"eq": "SUCCEEDED"}}}},
    ),
]

QUERY = """
query ($f: String, $w: RunWhere) {
  byFilter: runs(filter: $f, first: 500) { totalCount nodes { id } }
  byWhere: runs(where: $w, first: 500) { totalCount nodes { id } }
}
"""


@pytest.mark.parametrize(("text", "where"), PAIRS, ids=[t for t, _ in PAIRS])
def test_where_equals_filter(gql: GraphQLClient, text: str, where: dict[str, Any]) -> None:
    data = gql.data(QUERY, {"f": text, "w": where})
    assert data["byWhere"] == data["byFilter"]
    assert data["byWhere"]["totalCount"] > 0 or text.startswith(("source", "blocking"))


def test_where_and_filter_are_anded(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ both: runs(filter: \"source eq 'DATABRICKS'\", where: {status: {eq: FAILED}}) "
        "{ nodes { source status } } }"
    )
    assert data["both"]["nodes"]
    assert {(n["source"], n["status"]) for n in data["both"]["nodes"]} == {("DATABRICKS", "FAILED")}


def test_where_on_nested_lists(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ processes(where: {source: {eq: DATABRICKS}, runs: {any: {status: {eq: FAILED}}}}) { "
        "nodes { source runs(where: {status: {eq: FAILED}}, first: 3) { nodes { status "
        "activities(where: {status: {in: [FAILED, SKIPPED]}}) { nodes { status } } } } } } }"
    )
    processes = data["processes"]["nodes"]
    assert processes and {p["source"] for p in processes} == {"DATABRICKS"}
    for process in processes:
        for run in process["runs"]["nodes"]:
            assert run["status"] == "FAILED"
            assert {a["status"] for a in run["activities"]["nodes"]} <= {"FAILED", "SKIPPED"}


def test_an_empty_where_matches_everything_and_an_empty_or_nothing(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ all: runs(where: {}) { totalCount } none: runs(where: {or: []}) { totalCount } "
        "plain: runs { totalCount } }"
    )
    assert data["all"]["totalCount"] == data["plain"]["totalCount"] > 0
    assert data["none"]["totalCount"] == 0

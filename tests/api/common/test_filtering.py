"""OData-style querying over HTTP: the API's documented filters, orderings, search, counts, and
errors that point at the faulty character."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.conftest import GraphQLClient

FIELDS = """
  id status displayName createdDateTime startDateTime source
  durations { totalMs } statistics { errors }
  blockingError { category }
  process { displayName }
  activities(first: 50) { nodes { status } }
  ... on DatabricksRun { jobId }
"""


def _all(gql: GraphQLClient) -> list[dict[str, Any]]:
    return gql.data(f"{{ runs(first: 500) {{ nodes {{ {FIELDS} }} }} }}")["runs"]["nodes"]


def _filtered(gql: GraphQLClient, expression: str, **extra: Any) -> dict[str, Any]:
    query = (
        "query ($f: String, $o: String, $s: String) { runs(filter: $f, orderBy: $o, search: $s, "
        "first: 500) { totalCount nodes { id } } }"
    )
    return gql.data(query, {"f": expression, **extra})["runs"]


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


JOB_ID = 1042
EXAMPLES = [
    (
        "status eq 'FAILED' and startDateTime ge 2026-10-20T00:00:00Z",
        lambda r: (
            r["status"] == "FAILED"
            and r["startDateTime"] is not None
            and _ts(r["startDateTime"]) >= _ts("2026-10-20T00:00:00Z")
        ),
    ),
    ("statistics/errors gt 0", lambda r: r["statistics"]["errors"] > 0),
    (
        "blockingError/category in ('QUOTA', 'THROTTLED')",
        lambda r: (r["blockingError"] or {}).get("category") in ("QUOTA", "THROTTLED"),
    ),
    (
        "process/displayName eq 'Nightly SIS import'",
        lambda r: r["process"]["displayName"] == "Nightly SIS import",
    ),
    (
        "activities/any(a: a/status eq 'FAILED')",
        lambda r: any(a["status"] == "FAILED" for a in r["activities"]["nodes"]),
    ),
    (
        "durations/totalMs gt 600000",
        lambda r: (r["durations"]["totalMs"] or 0) > 600000,
    ),
    ("contains(displayName, 'feature')", lambda r: "feature" in (r["displayName"] or "")),
    (
        f"source eq 'DATABRICKS' and jobId eq {JOB_ID}",
        lambda r: r["source"] == "DATABRICKS" and r.get("jobId") == JOB_ID,
    ),
    ("status eq 'failed'", lambda r: r["status"] == "FAILED"),  # enum names ignore case
    ("status eq RunStatus'TIMED_OUT'", lambda r: r["status"] == "TIMED_OUT"),
    (
        "not (status in ('SUCCEEDED', 'FAILED')) or startDateTime eq null",
        lambda r: r["status"] not in ("SUCCEEDED", "FAILED") or r["startDateTime"] is None,
    ),
    (
        "isActive",
        lambda r: (
            r["status"]
            in {"PENDING", "QUEUED", "STARTING", "RUNNING", "WAITING", "CANCELLING", "FINALIZING"}
        ),
    ),
]


@pytest.mark.parametrize(("expression", "predicate"), EXAMPLES, ids=[e for e, _ in EXAMPLES])
def test_documented_filters_return_exactly_the_matching_runs(
    gql: GraphQLClient, expression: str, predicate: Any
) -> None:
    everything = _all(gql)
    assert len(everything) < 500, "the fixture must fit one page"
    expected = {r["id"] for r in everything if predicate(r)}
    result = _filtered(gql, expression)
    assert {n["id"] for n in result["nodes"]} == expected
    assert result["totalCount"] == len(expected)
    assert expected or expression.startswith(("source", "statistics", "blocking")), expression


@pytest.mark.parametrize(
    "order",
    ["startDateTime desc", "durations/totalMs desc, displayName", "status, createdDateTime"],
)
def test_any_ordering_pages_through_every_run_once(gql: GraphQLClient, order: str) -> None:
    total = gql.data("{ runs { totalCount } }")["runs"]["totalCount"]
    seen: list[str] = []
    cursor = None
    query = (
        "query ($o: String, $c: String) { runs(orderBy: $o, first: 37, after: $c) "
        "{ pageInfo { hasNextPage endCursor } nodes { id } } }"
    )
    while True:
        page = gql.data(query, {"o": order, "c": cursor})["runs"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == total
    one_page = gql.data(
        "query ($o: String) { runs(orderBy: $o, first: 500) { nodes { id } } }", {"o": order}
    )["runs"]["nodes"]
    assert [n["id"] for n in one_page] == seen


def test_start_date_time_desc_puts_nulls_last(gql: GraphQLClient) -> None:
    nodes = gql.data(
        '{ runs(orderBy: "startDateTime desc", first: 500) { nodes { startDateTime } } }'
    )["runs"]["nodes"]
    values = [n["startDateTime"] for n in nodes]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert values[len(present) :] == [None] * (len(values) - len(present))


def test_search_finds_runs_by_name_and_process(gql: GraphQLClient) -> None:
    found = _filtered(gql, "", s='"feature build"')
    everything = _all(gql)
    expected = {
        r["id"]
        for r in everything
        if "feature build" in (r["displayName"] or "").lower()
        or "feature build" in r["process"]["displayName"].lower()
    }
    assert expected and {n["id"] for n in found["nodes"]} == expected
    none = _filtered(gql, "", s="feature NOT build")
    assert all(n["id"] not in expected for n in none["nodes"])


def test_nested_activities_can_be_filtered(gql: GraphQLClient) -> None:
    nodes = gql.data(
        "{ runs(filter: \"activities/any(a: a/status eq 'FAILED')\", first: 20) { nodes { "
        "activities(filter: \"status eq 'FAILED'\") { totalCount nodes { status } } } } }"
    )["runs"]["nodes"]
    assert nodes
    for node in nodes:
        assert node["activities"]["totalCount"] >= 1
        assert {a["status"] for a in node["activities"]["nodes"]} == {"FAILED"}


@pytest.mark.parametrize(
    ("expression", "code", "position"),
    [
        ("status eq", "INVALID_FILTER", 9),
        ("staus eq 'FAILED'", "UNKNOWN_FIELD", 0),
        ("status eq 42", "TYPE_MISMATCH", None),
        ("startDateTime gt 'yesterday'", "TYPE_MISMATCH", None),
        ("status eq 'FAILED' and", "INVALID_FILTER", None),
    ],
)
def test_bad_filters_get_a_code_and_a_position(
    gql: GraphQLClient, expression: str, code: str, position: int | None
) -> None:
    body = gql("query ($f: String) { runs(filter: $f) { nodes { id } } }", {"f": expression})
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    if position is not None:
        assert error["extensions"]["position"] == position
        assert "^" in error["message"]  # the caret under the fault


def test_unknown_fields_suggest_the_nearest_names(gql: GraphQLClient) -> None:
    body = gql("{ runs(filter: \"staus eq 'FAILED'\") { nodes { id } } }")
    assert "status" in body["errors"][0]["extensions"]["expected"]
    body = gql('{ runs(orderBy: "startTime desc") { nodes { id } } }')
    assert body["errors"][0]["extensions"]["code"] == "UNKNOWN_FIELD"


@pytest.mark.parametrize(
    "value",
    [
        "x' or 1 eq 1 or displayName eq 'y",
        "'; DROP TABLE runs; --",
        "/* comment */",
        "\x00",
        "runs\u202e",
        "%_\\",
    ],
)
def test_injection_attempts_are_plain_values(gql: GraphQLClient, value: str) -> None:
    literal = value.replace("'", "''")
    body = gql(
        "query ($f: String) { runs(filter: $f) { totalCount } }",
        {"f": f"displayName eq '{literal}' or contains(displayName, '{literal}')"},
    )
    assert body.get("data") is None or body["data"]["runs"]["totalCount"] == 0
    assert gql.data("{ runs { totalCount } }")["runs"]["totalCount"] > 0  # nothing was dropped


def test_a_huge_filter_is_refused_before_any_sql(gql: GraphQLClient) -> None:
    expression = " or ".join(f"displayName eq 'r{i}'" for i in range(10_000))
    before = gql.statements
    body = gql("query ($f: String) { runs(filter: $f) { totalCount } }", {"f": expression})
    assert body["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert gql.statements == before


def test_processes_can_be_filtered_and_searched(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ a: processes(filter: \"source eq 'DATABRICKS'\") { totalCount nodes { source } } "
        'b: processes(search: "sessionization") { nodes { displayName } } '
        "c: processes { nodes { runs(filter: \"status eq 'FAILED'\", first: 2) { nodes { status } } } } }"
    )
    assert data["a"]["totalCount"] == 2 and {n["source"] for n in data["a"]["nodes"]} == {
        "DATABRICKS"
    }
    assert [n["displayName"] for n in data["b"]["nodes"]] == ["Hourly sessionization"]
    statuses = {r["status"] for p in data["c"]["nodes"] for r in p["runs"]["nodes"]}
    assert statuses == {"FAILED"}


def test_capabilities_describe_the_query_language(gql: GraphQLClient) -> None:
    data = gql.data(
        "{ capabilities { entities { entity searchable lambdaCollections fields { path type "
        "indexed sortable enumValues } } operators functions limits { name value } } }"
    )["capabilities"]
    runs = next(e for e in data["entities"] if e["entity"] == "Run")
    fields = {f["path"]: f for f in runs["fields"]}
    assert fields["status"]["indexed"] and "FAILED" in fields["status"]["enumValues"]
    assert fields["startDateTime"]["type"] == "DateTimeOffset"
    assert runs["searchable"] and runs["lambdaCollections"] == ["activities"]
    assert {"contains", "matchesPattern", "year", "now"} <= set(data["functions"])
    assert {"eq", "in", "any", "all"} <= set(data["operators"])
    limits = {item["name"]: item["value"] for item in data["limits"]}
    assert limits["MAX_PAGE_SIZE"] == 500 and limits["MAX_FILTER_LENGTH"] == 4096
    # Every field it lists really filters and sorts.
    for path, field in fields.items():
        if field["sortable"]:
            body = gql(
                "query ($o: String) { runs(orderBy: $o, first: 1) { nodes { id } } }", {"o": path}
            )
            assert "errors" not in body, (path, body)

"""`/odata/` reads through HTTP: the service document, lists with every query option, paging
walks, counts beside GraphQL's `totalCount`, single entities with ETags, type casts, errors with
positions, workspace isolation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gateway.domain.auth import Scope
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, FABRIKAM, make_token

JSON = "application/json"


class OData:
    """Sends OData requests over HTTP to the app."""

    def __init__(self, gql: GraphQLClient, token: str | None = None) -> None:
        self.http = gql.http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, url: str, status: int = 200, **headers: str) -> Any:
        response = self.http.get(url, headers={**self.headers, **headers})
        assert response.status_code == status, response.text
        assert response.headers["odata-version"] == "4.01"
        return response

    def json(self, url: str, status: int = 200, **headers: str) -> Any:
        return self.get(url, status, **headers).json()


@pytest.fixture
def odata(gql: GraphQLClient) -> OData:
    return OData(gql)


def q(text: str) -> str:
    return quote(text, safe="")


def test_the_service_document_lists_the_entity_sets(odata: OData) -> None:
    body = odata.json("/odata/")
    assert body["@odata.context"].endswith("/odata/$metadata")
    assert [s["name"] for s in body["value"]] == ["Runs", "Processes", "Activities", "Workspaces"]
    assert all(s["kind"] == "EntitySet" and s["url"] == s["name"] for s in body["value"])


def test_a_list_is_newest_first_with_types_and_etags(odata: OData) -> None:
    body = odata.json("/odata/Runs?$top=20")
    assert body["@odata.context"].endswith("/odata/$metadata#Runs")
    runs = body["value"]
    assert len(runs) == 20
    keys = [(r["createdDateTime"], r["id"]) for r in runs]
    assert keys == sorted(keys, reverse=True)
    assert all(r["@odata.type"].startswith("#RunsGateway.") for r in runs)
    assert all(r["@odata.etag"].startswith('W/"') for r in runs)
    assert "@odata.nextLink" not in body  # $top was met


def test_filter_and_count_equal_graphql_total_count(odata: OData, gql: GraphQLClient) -> None:
    for text in [
        "status eq 'FAILED'",
        "statistics/errors gt 0 and source eq 'DATABRICKS'",
        "activities/any(a: a/status eq 'FAILED')",
        "process/displayName ne 'x' and startDateTime ge 2026-01-01T00:00:00Z",
    ]:
        total = gql.data("query ($f: String) { runs(filter: $f) { totalCount } }", {"f": text})[
            "runs"
        ]["totalCount"]
        assert total > 0, text
        body = odata.json(f"/odata/Runs?$filter={q(text)}&$count=true&$top=1")
        assert body["@odata.count"] == total
        assert int(odata.get(f"/odata/Runs/$count?$filter={q(text)}").text) == total


def _walk(odata: OData, url: str) -> list[str]:
    seen: list[str] = []
    pages = 0
    while url:
        body = odata.json(url.removeprefix("http://testserver"))
        seen += [r["id"] for r in body["value"]]
        url = body.get("@odata.nextLink", "")
        pages += 1
        assert pages < 100
    return seen


def test_paging_walks_every_run_once(odata: OData, gql: GraphQLClient) -> None:
    total = gql.data("{ runs { totalCount } }")["runs"]["totalCount"]
    seen = _walk(odata, "/odata/Runs?$select=id")  # pages of the default size
    assert len(seen) == len(set(seen)) == total
    assert _walk(odata, "/odata/Runs?$select=id&$orderby=status,id desc") != seen
    assert sorted(_walk(odata, "/odata/Runs?$select=id&$orderby=status,id desc")) == sorted(seen)


def test_a_page_size_preference_and_top_across_pages(odata: OData) -> None:
    response = odata.get("/odata/Runs?$select=id&$top=25", Prefer="odata.maxpagesize=10")
    body = response.json()
    assert response.headers["preference-applied"] == "odata.maxpagesize=10"
    assert len(body["value"]) == 10 and "%24top=15" not in body["@odata.nextLink"]
    assert "$top=15" in body["@odata.nextLink"]
    ids = _walk(odata, body["@odata.nextLink"])
    assert len(ids) == 15 and not set(ids) & {r["id"] for r in body["value"]}


def test_paging_is_stable_under_inserts(odata: OData, gql: GraphQLClient) -> None:
    first = odata.json("/odata/Runs?$select=id&$top=200", Prefer="odata.maxpagesize=50")
    process = gql.data("{ processes(first: 1) { nodes { id } } }")["processes"]["nodes"][0]["id"]
    for i in range(5):  # newer runs land before the first page, never inside the walk
        created = gql.data(
            "mutation ($p: ID!, $k: String) { startRun(input: {processId: $p, idempotencyKey: $k})"
            " { __typename ... on StartRunPayload { run { id } } } }",
            {"p": process, "k": f"insert-{i}"},
        )
        assert created["startRun"]["__typename"] == "StartRunPayload"
    rest = _walk(odata, first["@odata.nextLink"])
    ids = [r["id"] for r in first["value"]] + rest
    assert len(ids) == len(set(ids)) == 200


def test_skip_and_top(odata: OData) -> None:
    everything = [r["id"] for r in odata.json("/odata/Runs?$select=id&$top=120")["value"]]
    page = odata.json("/odata/Runs?$select=id&$skip=7&$top=100")["value"]
    assert [r["id"] for r in page] == everything[7:107]
    assert odata.json("/odata/Runs?$skip=100000&$top=1", status=400)["error"]["code"] == (
        "LIMIT_EXCEEDED"
    )


def test_orderby_search_and_select(odata: OData) -> None:
    body = odata.json("/odata/Runs?$orderby=durations/totalMs desc&$top=10&$select=id,durations")
    totals = [r["durations"]["totalMs"] for r in body["value"]]
    assert totals == sorted(totals, reverse=True)
    assert set(body["value"][0]) == {"@odata.type", "@odata.etag", "id", "durations"}
    assert body["@odata.context"].endswith("#Runs(id,durations)")
    found = odata.json("/odata/Processes?$search=nightly&$select=displayName")["value"]
    assert found and all("nightly" in p["displayName"].lower() for p in found)


def test_type_cast_segments(odata: OData, gql: GraphQLClient) -> None:
    body = odata.json("/odata/Runs/RunsGateway.DatabricksRun?$select=id,jobId&$count=true&$top=5")
    assert body["@odata.context"].endswith("#Runs/RunsGateway.DatabricksRun(id,jobId)")
    assert {r["@odata.type"] for r in body["value"]} == {"#RunsGateway.DatabricksRun"}
    total = gql.data("{ runs(filter: \"source eq 'DATABRICKS'\") { totalCount } }")["runs"]
    assert body["@odata.count"] == total["totalCount"]
    assert (
        int(odata.get("/odata/Runs/RunsGateway.DatabricksRun/$count").text) == total["totalCount"]
    )
    error = odata.json("/odata/Runs/RunsGateway.Process", status=400)["error"]
    assert error["code"] == "INVALID_CAST"


def test_a_single_entity_by_key_with_its_etag(odata: OData) -> None:
    run = odata.json("/odata/Runs?$top=1")["value"][0]
    for url in [f"/odata/Runs('{run['id']}')", f"/odata/Runs(id='{run['id']}')"]:
        response = odata.get(url)
        body = response.json()
        assert body["id"] == run["id"]
        assert response.headers["etag"] == body["@odata.etag"] == run["@odata.etag"]
        assert body["@odata.context"].endswith("#Runs/$entity")
    odata.get(f"/odata/Runs('{run['id']}')", 304, **{"If-None-Match": run["@odata.etag"]})
    status = odata.json(f"/odata/Runs('{run['id']}')/status")
    assert status["value"] == run["status"]
    process = odata.json(f"/odata/Runs('{run['id']}')/process")
    assert process["id"].startswith("proc_")
    error = odata.json("/odata/Runs('run_nope')", status=404)["error"]
    assert error["code"] == "NOT_FOUND"


def test_expand_with_nested_options(odata: OData, gql: GraphQLClient) -> None:
    url = (
        "/odata/Runs?$top=30&$select=id&$expand=process($select=displayName),"
        "activities($select=id,status;$orderby=sequence desc;$top=1;$count=true)"
    )
    body = odata.json(url)
    assert body["@odata.context"].endswith("#Runs(id,process(displayName),activities(id,status))")
    expected = gql.data(
        '{ runs(first: 30) { nodes { id process { displayName } activities(orderBy: "sequence '
        'desc", first: 1) { totalCount nodes { id status } } } } }'
    )["runs"]["nodes"]
    assert len(body["value"]) == len(expected)
    for run, want in zip(body["value"], expected, strict=True):
        assert run["id"] == want["id"]
        assert run["process"]["displayName"] == want["process"]["displayName"]
        assert run["activities@odata.count"] == want["activities"]["totalCount"]
        assert [a["id"] for a in run["activities"]] == [
            a["id"] for a in want["activities"]["nodes"]
        ]
        assert "activities@odata.nextLink" not in run  # $top=1 was met


def test_an_expanded_list_pages_with_its_own_next_link(odata: OData, gql: GraphQLClient) -> None:
    runs = odata.json(
        "/odata/Runs?$top=50&$select=id&$expand=activities($select=id;$count=true)",
        Prefer="odata.maxpagesize=50",
    )["value"]
    run = next(r for r in runs if r["activities@odata.count"] > 2)
    one = odata.json(
        f"/odata/Runs?$filter={q('id eq ' + repr(run['id']))}&$expand=activities($select=id)",
        Prefer="odata.maxpagesize=1",
    )["value"][0]
    assert len(one["activities"]) == 1
    rest = _walk(odata, one["activities@odata.nextLink"])
    walked = [a["id"] for a in one["activities"]] + rest
    assert walked == [a["id"] for a in run["activities"]]


def test_navigation_collections(odata: OData, gql: GraphQLClient) -> None:
    process = gql.data("{ processes(first: 1) { nodes { id runs { totalCount } } } }")["processes"][
        "nodes"
    ][0]
    body = odata.json(f"/odata/Processes('{process['id']}')/runs?$count=true&$select=id&$top=3")
    assert body["@odata.count"] == process["runs"]["totalCount"]
    count = odata.get(f"/odata/Processes('{process['id']}')/runs/$count").text
    assert int(count) == process["runs"]["totalCount"]


def test_apply_groupby_aggregate_equals_run_statistics(odata: OData, gql: GraphQLClient) -> None:
    body = odata.json(
        "/odata/Runs?$apply=groupby((source,status),aggregate($count as runs,"
        "durations/totalMs with max as longest,statistics/errors with sum as errors))"
    )
    report = gql.data(
        "{ runStatistics(groupBy: [SOURCE, STATUS]) { groups { key { source status } aggregate "
        "{ count duration { max } } } } }"
    )["runStatistics"]["groups"]
    want = {(g["key"]["source"], g["key"]["status"]): g["aggregate"] for g in report}
    got = {(r["source"], r["status"]): r for r in body["value"]}
    assert got.keys() == want.keys()
    for key, row in got.items():
        assert row["runs"] == want[key]["count"]
        assert row["longest"] == want[key]["duration"]["max"]
    totals = odata.json(
        f"/odata/Runs?$apply={q('filter(status eq ' + chr(39) + 'FAILED' + chr(39) + ')/aggregate($count as n)')}"
    )["value"]
    assert totals == [
        {
            "n": int(
                odata.get(
                    f"/odata/Runs/$count?$filter={q(chr(39).join(['status eq ', 'FAILED', '']))}"
                ).text
            )
        }
    ]


@pytest.mark.parametrize(
    ("url", "status", "code", "target"),
    [
        ("/odata/Runs?$filter=" + q("status eq"), 400, "INVALID_FILTER", "$filter"),
        ("/odata/Runs?$filter=" + q("nosuch eq 1"), 400, "UNKNOWN_FIELD", "$filter"),
        ("/odata/Runs?$orderby=" + q("nosuch desc"), 400, "UNKNOWN_FIELD", "$orderby"),
        ("/odata/Runs?$select=nosuch", 400, "UNKNOWN_FIELD", "$select"),
        ("/odata/Runs?$expand=nosuch", 400, "UNKNOWN_FIELD", "$expand"),
        ("/odata/Runs?$top=-1", 400, "INVALID_QUERY_OPTION", "$top"),
        ("/odata/Runs?$skiptoken=nonsense", 400, "INVALID_CURSOR", "$skiptoken"),
        ("/odata/Runs?$top=1&$top=2", 400, "INVALID_QUERY_OPTION", "$top"),
        ("/odata/Runs?$apply=" + q("groupby((nosuch))"), 400, "INVALID_QUERY_OPTION", "$apply"),
        ("/odata/Nothing", 404, "NOT_FOUND", None),
        ("/odata/$batch", 501, "NOT_IMPLEMENTED", None),
    ],
)
def test_errors_are_odata_error_bodies(
    odata: OData, url: str, status: int, code: str, target: str | None
) -> None:
    error = odata.json(url, status=status)["error"]
    assert error["code"] == code
    assert error.get("target") == target
    assert isinstance(error["message"], str) and isinstance(error["details"], list)
    text = str(error)
    assert "Traceback" not in text and "SELECT" not in text and "/work" not in text


def test_a_filter_error_carries_its_position(odata: OData) -> None:
    error = odata.json("/odata/Runs?$filter=" + q("status eq 'FAILED' and nosuch eq 1"), 400)[
        "error"
    ]
    assert error["innererror"]["position"] == 23
    assert error["details"][0]["position"] == 23
    assert error["message"].endswith("^")


def test_workspaces_isolate_every_read(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    token = make_token(demo_path, {Scope.RUNS_READ}, [CONTOSO])
    odata = OData(client_factory(demo_path, auth="token"), token)
    runs = _walk(odata, "/odata/Runs?$select=id&$expand=workspace($select=id)")
    assert runs
    every = odata.json("/odata/Runs?$top=500&$select=id&$expand=workspace($select=id)")["value"]
    assert {r["workspace"]["id"] for r in every} == {CONTOSO}
    assert [w["id"] for w in odata.json("/odata/Workspaces")["value"]] == [CONTOSO]
    other = make_token(demo_path, {Scope.RUNS_READ}, [FABRIKAM])
    theirs = OData(odata_client(odata), other).json("/odata/Runs?$top=1")["value"][0]["id"]
    assert odata.json(f"/odata/Runs('{theirs}')", status=404)["error"]["code"] == "NOT_FOUND"
    assert int(odata.get("/odata/Runs/$count").text) == len(runs)
    refused = odata.http.get("/odata/Runs")
    assert refused.status_code == 401


def odata_client(odata: OData) -> GraphQLClient:
    return GraphQLClient(odata.http)


def test_narrow_rows_and_whole_records_write_the_same(odata: OData) -> None:
    # Catalog-only properties are read as narrow rows; `parameters` needs whole records.
    narrow = odata.json(
        "/odata/Runs?$top=60&$select=id,status,jobId,durations,isActive,startDateTime"
        "&$expand=activities($select=id,status,endDateTime;$count=true),"
        "process($select=id,displayName,kind)"
    )["value"]
    whole = odata.json(
        "/odata/Runs?$top=60&$select=id,status,jobId,durations,isActive,startDateTime,parameters"
        "&$expand=activities($select=id,status,endDateTime,platformAttributes;$count=true),"
        "process($select=id,displayName,kind,activityDefinitions)"
    )["value"]
    for run in whole:
        run.pop("parameters")
        run["process"].pop("activityDefinitions")
        for activity in run["activities"]:
            activity.pop("platformAttributes")
    assert narrow == whole
    assert all(r["process"]["displayName"] for r in narrow)
    assert any("jobId" in r for r in narrow) and not all("jobId" in r for r in narrow)


@pytest.mark.parametrize(
    ("url", "statements"),
    [
        ("/odata/Runs?$top={n}&$select=id&$expand=process($select=displayName)", 2),  # narrow
        ("/odata/Runs?$top={n}&$expand=process", 2),  # whole records
        ("/odata/Runs?$top={n}&$select=id&$expand=process($select=id),activities($select=id)", 3),
        ("/odata/Activities?$top={n}&$select=id&$expand=run($select=id;$expand=process)", 3),
        # a process has many runs: its pages take the store's windowed second statement
        ("/odata/Processes?$top={n}&$expand=runs($top=2;$select=id;$expand=process)", 4),
    ],
)
def test_an_expansion_costs_one_statement_per_level(
    odata: OData, gql: GraphQLClient, url: str, statements: int
) -> None:
    odata.json(url.format(n=1))  # a new connection's first statement (PostgreSQL's setup)
    for n in (3, 7) if url.startswith("/odata/Processes") else (5, 40):  # the demo has 7
        before = gql.statements
        body = odata.json(url.format(n=n))
        assert len(body["value"]) == n
        assert gql.statements - before == statements, n

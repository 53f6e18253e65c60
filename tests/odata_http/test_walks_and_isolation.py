"""`/odata/` beside `/graphql` over HTTP: walks through `@odata.nextLink` (whole records and
narrow rows, filtered, sorted on a key that repeats, after `$skip`) give exactly GraphQL's list
in GraphQL's order, counts equal its `totalCount`, another workspace's entities are not found
on any path, and the README's OData URLs answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gateway.domain.auth import Scope
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, FABRIKAM, make_token

ROOT = Path(__file__).resolve().parent.parent.parent
LIST = (
    "query ($f: String, $o: String, $s: String, $a: String) { runs(filter: $f, orderBy: $o, "
    "search: $s, first: 100, after: $a) { totalCount pageInfo { hasNextPage endCursor } "
    "nodes { id } } }"
)


def _graphql_ids(gql: GraphQLClient, **arguments: str) -> tuple[list[str], int]:
    """Every run's id of a GraphQL list, in its order, and its totalCount."""
    ids: list[str] = []
    after: str | None = None
    while True:
        runs = gql.data(LIST, {**arguments, "a": after})["runs"]
        ids += [n["id"] for n in runs["nodes"]]
        if not runs["pageInfo"]["hasNextPage"]:
            return ids, runs["totalCount"]
        after = runs["pageInfo"]["endCursor"]


def _walk(gql: GraphQLClient, url: str, page: int, headers: dict[str, str] | None = None) -> Any:
    """Every id through the nextLinks from `url`, the pages, and the first page's body."""
    ids: list[str] = []
    pages: list[int] = []
    first = None
    while url:
        response = gql.http.get(
            url.removeprefix("http://testserver"),
            headers={"Prefer": f"odata.maxpagesize={page}", **(headers or {})},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        first = first or body
        ids += [r["id"] for r in body["value"]]
        pages.append(len(body["value"]))
        url = body.get("@odata.nextLink", "")
        assert len(pages) < 200
    return ids, pages, first


@pytest.mark.parametrize(
    ("options", "arguments"),
    [
        ("", {}),  # whole records
        ("$select=id,status", {}),  # narrow rows
        (  # a filter, and a sort key many runs share (the id breaks the ties)
            "$select=id&$filter={f}&$orderby={o}",
            {"f": "status eq 'SUCCEEDED' or status eq 'FAILED'", "o": "source, status desc"},
        ),
        (  # whole records (a single-valued expansion) with a search
            "$expand=process($select=displayName)&$search={s}&$orderby={o}",
            {"s": "nightly OR hourly", "o": "durations/totalMs desc"},
        ),
    ],
)
def test_a_walk_is_graphqls_list_in_its_order(
    gql: GraphQLClient, options: str, arguments: dict[str, str]
) -> None:
    want, total = _graphql_ids(gql, **arguments)
    assert total == len(want) > 40
    query = options.format(**{k: quote(v, safe="") for k, v in arguments.items()})
    ids, pages, first = _walk(gql, f"/odata/Runs?$count=true&{query}", 37)
    assert ids == want  # no gap, no duplicate, the same order
    assert first["@odata.count"] == total
    assert pages[:-1] == [37] * (len(pages) - 1)


def test_skip_then_next_links(gql: GraphQLClient) -> None:
    want, _ = _graphql_ids(gql, o="startDateTime")
    for select in ("&$select=id", ""):
        ids, pages, _ = _walk(
            gql, f"/odata/Runs?$orderby=startDateTime&$skip=13&$top=90{select}", 20
        )
        assert ids == want[13:103]
        assert pages == [20, 20, 20, 20, 10]


def test_search_counts_equal_graphqls(gql: GraphQLClient) -> None:
    for search in ("nightly", "sales OR hourly", "sales NOT copy"):
        _, total = _graphql_ids(gql, s=search)
        assert total > 0, search
        url = f"/odata/Runs?$search={quote(search)}&$count=true&$top=0"
        assert gql.http.get(url).json()["@odata.count"] == total, search
        counted = gql.http.get(f"/odata/Runs/$count?$search={quote(search)}").text
        assert int(counted) == total, search


def _get(gql: GraphQLClient, url: str, token: str, status: int = 200) -> Any:
    response = gql.http.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == status, (url, response.text)
    return response


def test_no_path_reaches_another_workspace(
    demo_path: Path, client_factory: Callable[..., GraphQLClient]
) -> None:
    gql = client_factory(demo_path, auth="token")
    ours = make_token(demo_path, {Scope.RUNS_READ, Scope.RUNS_START}, [CONTOSO])
    theirs = make_token(demo_path, {Scope.RUNS_READ}, [FABRIKAM])
    their_run = _get(gql, "/odata/Runs?$top=1&$select=id", theirs).json()["value"][0]["id"]
    their_process = _get(gql, "/odata/Processes?$top=1&$select=id", theirs).json()["value"][0]
    their_activity = _get(gql, "/odata/Activities?$top=1&$select=id", theirs).json()["value"][0]
    for path in [
        f"Runs('{their_run}')",
        f"Runs('{their_run}')/status",
        f"Runs('{their_run}')/process",
        f"Runs('{their_run}')/activities",
        f"Runs('{their_run}')/activities/$count",
        f"Processes('{their_process['id']}')",
        f"Processes('{their_process['id']}')/runs",
        f"Processes('{their_process['id']}')/runs/$count",
        f"Activities('{their_activity['id']}')",
        f"Activities('{their_activity['id']}')/run",
    ]:
        body = _get(gql, f"/odata/{path}", ours, 404).json()
        assert body["error"]["code"] == "NOT_FOUND", path
    started = gql.http.post(
        f"/odata/Processes('{their_process['id']}')/RunsGateway.start",
        headers={"Authorization": f"Bearer {ours}"},
    )
    assert started.status_code == 404  # nothing started there
    assert _get(gql, f"/odata/Runs('{their_run}')", theirs).json()["id"] == their_run
    counted = int(_get(gql, "/odata/Runs/$count", ours).text)
    applied = _get(gql, "/odata/Runs?$apply=aggregate($count as n)", ours).json()["value"]
    grouped = _get(
        gql, "/odata/Runs?$apply=groupby((workspace/id),aggregate($count as n))", ours
    ).json()["value"]
    assert applied == [{"n": counted}] and counted > 0
    assert grouped == [{"workspace": {"id": CONTOSO}, "n": counted}]
    activities = _get(
        gql, "/odata/Activities?$top=500&$select=id&$expand=workspace($select=id)", ours
    ).json()["value"]
    assert activities and {a["workspace"]["id"] for a in activities} == {CONTOSO}


def test_the_readme_odata_urls_answer(gql: GraphQLClient) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## OData") : text.index("\n## ", text.index("## OData") + 1)]
    urls = re.findall(r"^http://127\.0\.0\.1:8000(/odata/\S+)$", section, re.MULTILINE)
    assert len(urls) == 2  # one for a browser, one for a spreadsheet's feed
    browser, feed = urls
    failed = gql.http.get(browser, headers={"Accept": "text/html,*/*"})  # as a browser asks
    assert failed.status_code == 200 and failed.headers["content-type"].startswith(
        "application/json"
    )
    runs = failed.json()["value"]
    assert runs and {r["status"] for r in runs} == {"FAILED"} and len(runs) <= 20
    starts = [r["startDateTime"] for r in runs]
    assert starts == sorted(starts, reverse=True)
    ids, _, _ = _walk(gql, feed, 1000)  # a spreadsheet follows every nextLink
    assert ids == _graphql_ids(gql)[0]
    applied = re.findall(r"`(/odata/Runs\?\$apply=[^`]+)`", section)
    assert applied
    for url in applied:
        response = gql.http.get(url.replace(" ", "%20"))
        assert response.status_code == 200, response.text
        assert response.json()["value"]

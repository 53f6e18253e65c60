"""`gateway workspace create | list`, and the `workspaces` connection in GraphQL: pages in
creation order, a count, cursors, and only the workspaces a token may see."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.domain.auth import Scope
from tests.conftest import GraphQLClient
from tests.security import TokenClient, make_token

PAGE = """query ($first: Int, $after: String) { workspaces(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { id displayName source sourceId } } }"""


def _create(
    database: Path, capsys: pytest.CaptureFixture[str], *arguments: str
) -> tuple[int, str, str]:
    status = main(["workspace", "create", *arguments, "--database", str(database)])
    out, err = capsys.readouterr()
    return status, out.strip(), err


def test_create_list_and_page_through_graphql(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    client_factory: Callable[..., GraphQLClient],
) -> None:
    database = new_location("g.db")
    status, lakehouse, err = _create(
        database, capsys, "Contoso lakehouse", "--source", "databricks", "--source-id", "adb-1"
    )
    assert status == 0 and lakehouse.startswith("ws_") and "Contoso lakehouse" in err
    status, sis, _ = _create(database, capsys, "School SIS", "--source", "industry-data")
    assert status == 0
    assert main(["workspace", "list", "--database", str(database)]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row[:4] for row in listed] == [
        ["ws_00000000000000000000000000", "Default workspace", "-", "-"],
        [lakehouse, "Contoso lakehouse", "DATABRICKS", "adb-1"],
        [sis, "School SIS", "INDUSTRY_DATA", "-"],
    ]

    gql = client_factory(database)
    seen, after = [], None
    while True:
        page = gql.data(PAGE, {"first": 2, "after": after})["workspaces"]
        assert page["totalCount"] == 3
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert [w["id"] for w in seen] == [row[0] for row in listed]
    assert seen[1] == {
        "id": lakehouse, "displayName": "Contoso lakehouse", "source": "DATABRICKS",
        "sourceId": "adb-1",
    }  # fmt: skip
    last = gql.data("{ workspaces(last: 1) { nodes { id } pageInfo { hasPreviousPage } } }")
    assert last["workspaces"] == {"nodes": [{"id": sis}], "pageInfo": {"hasPreviousPage": True}}
    bad = gql('{ workspaces(after: "nope") { totalCount } }')
    assert bad["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"

    # A token of the new workspace sees that one only.
    token = make_token(database, {Scope.RUNS_READ}, [lakehouse])
    confined = TokenClient(client_factory(database, auth="token"), token)
    answer = confined(PAGE, {"first": 10})
    assert [w["id"] for w in answer["data"]["workspaces"]["nodes"]] == [lakehouse]
    assert answer["data"]["workspaces"]["totalCount"] == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["Default workspace"], "name: the workspace ws_00000000000000000000000000 is named"),
        (["  "], "name: give a name of 1 to 200 characters."),
        (["X", "--source-id", "adb-1"], "source-id: a platform id needs its platform"),
    ],
)
def test_bad_workspaces_are_refused_and_nothing_changes(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    database = new_location("g.db")
    status, out, err = _create(database, capsys, *arguments)
    assert status == 2 and out == "" and message in err
    assert main(["workspace", "list", "--database", str(database)]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # the default workspace only


def test_a_duplicate_platform_id_is_refused(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = new_location("g.db")
    assert _create(database, capsys, "A", "--source", "datazone", "--source-id", "dzd-1")[0] == 0
    status, _, err = _create(database, capsys, "B", "--source", "datazone", "--source-id", "dzd-1")
    assert status == 2 and "is DATAZONE 'dzd-1'" in err

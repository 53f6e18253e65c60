"""Pages of `runs(search:)` over GraphQL over HTTP when the search matches many runs: on SQLite
the list's order is walked in chunks and tested against the full-text index
(`gateway/store/searched.py`) instead of reading and sorting every match. The pages are the same
rows, in the same order, with no gap or repeat, as the plan that reads every match; the bound
that picks the walk (`RARE` matches) is made small here so the demo's 300 runs cross it, and
the chunks small (8 rows) so that a page takes several. Both engines (PostgreSQL reads the same pages
its own way: the test pins the answers)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.store import searched
from tests.conftest import ON_POSTGRES, GraphQLClient

PAGE = (
    "query ($s: String, $f: String, $o: String, $after: String) {"
    " runs(search: $s, filter: $f, orderBy: $o, first: 7, after: $after) {"
    " nodes { id } pageInfo { hasNextPage endCursor } } }"
)
SEARCHES = [
    "succeeded",
    "failed OR succeeded",
    "sales NOT copy",
    "2026",
    '"feature build" OR succeeded',
]
LISTS: list[tuple[str | None, str | None]] = [
    (None, None),
    (None, "createdDateTime asc"),
    ("source ne 'DATABRICKS'", None),
    (None, "startDateTime desc"),
    (None, "durations/totalMs desc"),
    (None, "displayName asc"),  # a sort of every row: not walked
    ("source ne 'GATEWAY'", "endDateTime asc"),
]


def _every_page(
    gql: GraphQLClient, search: str, filter: str | None, order: str | None
) -> tuple[list[list[str]], list[int]]:
    pages: list[list[str]] = []
    statements: list[int] = []
    after = None
    while True:
        before = gql.statements
        variables: dict[str, Any] = {"s": search, "f": filter, "o": order, "after": after}
        runs = gql.data(PAGE, variables)["runs"]
        statements.append(gql.statements - before)
        pages.append([n["id"] for n in runs["nodes"]])
        if not runs["pageInfo"]["hasNextPage"]:
            return pages, statements
        after = runs["pageInfo"]["endCursor"]


@pytest.mark.parametrize("by_match", [0, 1_000_000])  # every chunk read from its matches, none
@pytest.mark.parametrize("search", SEARCHES)
def test_pages_of_a_frequent_search_are_those_of_reading_every_match(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, search: str, by_match: int
) -> None:
    expected = {lst: _every_page(gql, search, *lst)[0] for lst in LISTS}
    monkeypatch.setattr(searched, "BY_MATCH", by_match)
    monkeypatch.setattr(searched, "RARE", 3)
    monkeypatch.setattr(searched, "FIRST_CHUNK", 1)
    monkeypatch.setattr(searched, "MAX_CHUNK", 8)  # a page of 7 (and one more) takes chunks
    walked = 0
    for lst in LISTS:
        pages, statements = _every_page(gql, search, *lst)
        assert pages == expected[lst], (search, lst)
        ids = [i for p in pages for i in p]
        assert len(ids) == len(set(ids)) and ids, (search, lst)  # no repeat, not empty
        walked += len(statements) > 1 and min(statements) >= 3
    # On SQLite the lists served in order by an index were walked: every page took the count
    # of matches, then per chunk its rowids' range and its matching rows (3 statements at
    # least); a sort of every row was not: the count, then the page statement as before (2;
    # its plan, read once, on the first page only).
    assert walked == (0 if ON_POSTGRES else len(LISTS) - 1), search


def test_a_rare_search_reads_its_matches_as_before(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(searched, "RARE", 10_000)
    pages, statements = _every_page(gql, "succeeded", None, None)
    assert pages and max(statements) <= 2

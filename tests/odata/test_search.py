"""$search: parsing and the FTS5 query, run against a real FTS5 table."""

from __future__ import annotations

import pytest

from gateway.odata import ErrorCode, ODataError, compile_search, fts5_query

from .dataset import RUN, connect, select_ids


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("nightly", [1, 2]),
        ("nightly load", [1, 2]),
        ("nightly AND failed", [2]),
        ("nightly NOT failed", [1]),
        ("failed OR cancelled", [2, 5, 9]),
        ('"nightly load"', [1, 2]),
        ("(nightly OR padded) AND succeeded", [1, 8]),
        ('"a*b" OR "x"" OR y"', [7]),
        ("NEAR(a b) OR title:x OR a*", [7]),  # all literal: "a*" is the word a
    ],
)
def test_search(text: str, rows: list[int]) -> None:
    db = connect()
    compiled = compile_search(text, RUN)
    assert select_ids(db, compiled.sql, compiled.params) == rows


def test_terms_are_fts5_strings() -> None:
    assert fts5_query('a "b c" OR NOT_x') == '(("a" AND "b c") OR "NOT_x")'


@pytest.mark.parametrize(
    ("text", "position"), [("NOT failed", 0), ("a OR NOT b", 5), ("(a", 2), ("", 0), ('""', 0)]
)
def test_invalid_search(text: str, position: int) -> None:
    with pytest.raises(ODataError) as info:
        compile_search(text, RUN)
    assert info.value.code is ErrorCode.INVALID_SEARCH
    assert info.value.position == position

"""Limits, hostile input and the one-exception rule."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.odata import (
    ErrorCode,
    ODataError,
    ast,
    compile_expr,
    compile_filter,
    compile_orderby,
    compile_search,
)
from gateway.odata.limits import MAX_FILTER_LENGTH, MAX_IN_LIST, MAX_ORDERBY_KEYS

from .dataset import RUN, connect, select_ids


def _code(text: str) -> ErrorCode:
    with pytest.raises(ODataError) as info:
        compile_filter(text, RUN)
    return info.value.code


def test_ten_thousand_ors_refused_by_length_before_parsing() -> None:
    text = " or ".join(f"statistics/errors eq {i}" for i in range(10_000))
    with pytest.raises(ODataError) as info:
        compile_filter(text, RUN)
    assert info.value.code is ErrorCode.LIMIT_EXCEEDED
    assert str(MAX_FILTER_LENGTH) in info.value.message


def test_long_or_within_length_refused_by_node_count() -> None:
    text = " or ".join("x eq 1" for _ in range(MAX_FILTER_LENGTH // 10))
    assert len(text) <= MAX_FILTER_LENGTH
    assert _code(text) is ErrorCode.LIMIT_EXCEEDED


def test_ten_thousand_ors_built_in_code_refused() -> None:
    expr = ast.or_(*[ast.eq("statistics/errors", i) for i in range(10_000)])
    with pytest.raises(ODataError) as info:
        compile_expr(expr, RUN)
    assert info.value.code is ErrorCode.LIMIT_EXCEEDED


@pytest.mark.parametrize(
    "text",
    [
        "(" * 1000 + "true" + ")" * 1000,
        "not " * 1000 + "true",
        "- " * 1000 + "ratio eq 1",
        "1 eq " * 500 + "1",
        "ratio add " * 300 + "1 gt 0",
    ],
)
def test_deep_nesting_is_a_limit_not_a_recursion_error(text: str) -> None:
    assert _code(text) is ErrorCode.LIMIT_EXCEEDED


def test_deep_tree_built_in_code() -> None:
    expr: ast.Expr = ast.eq("statistics/errors", 1)
    for _ in range(5000):
        expr = ast.not_(expr)
    with pytest.raises(ODataError) as info:
        compile_expr(expr, RUN)
    assert info.value.code is ErrorCode.LIMIT_EXCEEDED


def test_in_list_and_lambda_limits() -> None:
    values = ", ".join(str(i) for i in range(MAX_IN_LIST + 1))
    assert _code(f"statistics/errors in ({values})") is ErrorCode.LIMIT_EXCEEDED
    nested = "activities/any(a: activities/any(b: activities/any(c: activities/any(d: true))))"
    assert _code(nested) is ErrorCode.LIMIT_EXCEEDED
    keys = ", ".join(
        [
            "displayName",
            "status",
            "ratio",
            "guid",
            "startDateTime",
            "endDateTime",
            "sourceStatus",
            "durations/queue",
            "durations/totalMs",
        ]
    )
    assert MAX_ORDERBY_KEYS < 9
    with pytest.raises(ODataError) as info:
        compile_orderby(keys, RUN)
    assert info.value.code is ErrorCode.LIMIT_EXCEEDED


HOSTILE = [
    "displayName eq ''' OR 1=1 --'",
    "displayName eq 'a'; DROP TABLE runs; --'",
    "displayName eq 'x' -- comment",
    "displayName eq 'x' /* c */",
    'displayName eq "x"',
    "r.id eq 1",
    "displayName eq 'x')) OR ((1",
    "contains(displayName, '%'' OR ''1''=''1')",
    "startswith(displayName, '\\'' )",
    "displayName eq 'ﾟ∀ﾟ\u202e'",
    "displayName eq 'a\x00b'",
    "displayName\x00 eq 'a'",
    "displayName eq 'a'\x00",
    "(SELECT 1) eq 1",
    "id eq 1 UNION SELECT secret FROM runs",
    "$it eq 1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_a_value_or_a_clean_error(text: str) -> None:
    db = connect()
    try:
        compiled = compile_filter(text, RUN)
    except ODataError as exc:
        assert exc.code in set(ErrorCode)
        return
    assert select_ids(db, compiled.sql, compiled.params) == []
    assert db.execute("SELECT count(*) FROM runs").fetchone() == (10,)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_compiles_or_raises_odata_error(text: str) -> None:
    for compile_ in (compile_filter, compile_orderby, compile_search):
        with contextlib.suppress(ODataError):
            compile_(text, RUN)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "status",
                "eq",
                "'x'",
                "(",
                ")",
                "and",
                "or",
                "not",
                "1",
                "-",
                "add",
                "/",
                "any",
                "a:",
                "activities",
                "contains",
                ",",
                "null",
                "in",
                "2024-01-01",
                "duration'P1D'",
                "a/status",
            ]
        ),
        max_size=25,
    )
)
def test_token_soup_compiles_or_raises_odata_error(tokens: list[str]) -> None:
    db = connect()
    try:
        compiled = compile_filter(" ".join(tokens), RUN)
    except ODataError:
        return
    select_ids(db, compiled.sql, compiled.params)


def test_cache_returns_the_same_object() -> None:
    assert compile_filter("status eq 'FAILED'", RUN) is compile_filter("status eq 'FAILED'", RUN)


def test_error_message_has_caret_and_suggestions() -> None:
    with pytest.raises(ODataError) as info:
        compile_filter("statsu eq 'FAILED'", RUN)
    assert info.value.code is ErrorCode.UNKNOWN_FIELD
    assert "status" in info.value.expected
    assert str(info.value).endswith("statsu eq 'FAILED'\n^")


def test_indexed_filters_use_the_index() -> None:
    db = connect()
    for text, index in [
        ("startDateTime gt 2024-01-01T00:00:00Z", "runs_start"),
        ("status eq 'FAILED'", "runs_status"),
    ]:
        compiled = compile_filter(text, RUN)
        plan = db.execute(
            f"EXPLAIN QUERY PLAN SELECT r.id FROM runs AS r WHERE {compiled.sql}", compiled.params
        ).fetchall()
        assert any(index in row[-1] for row in plan), plan

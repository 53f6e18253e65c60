"""The PostgreSQL dialect: every vector, random filters, orderings with keyset paging and $search,
run on PostgreSQL against the same reference; and SQLite's SQL unchanged, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from gateway.odata import (
    Dialect,
    ODataError,
    ast,
    compile_expr,
    compile_filter,
    compile_search,
    json_path,
    keyset_predicate,
    numbered,
    order_by,
    parse_filter,
    percentile_disc,
    tsquery,
)

from .dataset import RUN, RUNS
from .pg_dataset import PgData, pgdata
from .reference import matching_ids
from .test_differential import FILTERS, ORDERINGS, SETTINGS, reference_order
from .test_search import test_search as _sqlite_search
from .test_vectors import VECTORS

__all__ = ["pgdata"]  # the fixture, imported for its use here
PG = Dialect.POSTGRESQL
SNAPSHOT = json.loads((Path(__file__).parent / "sqlite_sql.json").read_text(encoding="utf-8"))
SEARCHES = _sqlite_search.pytestmark[0].args[1]  # the cases of the SQLite search test


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: c["filter"])
def test_sqlite_sql_is_unchanged(case: dict[str, Any]) -> None:
    compiled = compile_filter(case["filter"], RUN)
    assert [compiled.sql, list(compiled.params)] == SNAPSHOT[case["filter"]]


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: c["filter"])
def test_valid(pgdata: PgData, case: dict[str, Any]) -> None:
    compiled = compile_filter(case["filter"], RUN, PG)
    assert "?" not in numbered(compiled.sql).replace("'?'", "")
    assert pgdata.select_ids(compiled.sql, compiled.params) == case["rows"]


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["filter"])
def test_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(ODataError) as info:
        compile_filter(case["filter"], RUN, PG)
    assert (info.value.code.value, info.value.position) == (case["error"], case["position"])


@SETTINGS
@given(expr=FILTERS)
def test_filters_agree_with_reference(pgdata: PgData, expr: ast.Expr) -> None:
    compiled = compile_expr(expr, RUN, PG)
    assert pgdata.select_ids(compiled.sql, compiled.params) == matching_ids(expr, RUNS)


def _page(
    pgdata: PgData, order: Any, where: str, params: tuple[Any, ...], reverse: bool, size: int
) -> list[tuple[Any, ...]]:
    cols = ", ".join(order.select_for(PG))
    sql = (
        f"SELECT {cols} FROM runs AS r WHERE {where} ORDER BY {order.sql(reverse, PG)} LIMIT {size}"
    )
    return pgdata.fetch(sql, params)


@SETTINGS
@given(keys=ORDERINGS, size=__import__("hypothesis").strategies.integers(1, 4))
def test_orderby_and_keyset_paging(pgdata: PgData, keys: list[tuple[str, bool]], size: int) -> None:
    order = order_by(RUN, keys)
    expected = reference_order(keys)
    assert [r[-1] for r in _page(pgdata, order, "TRUE", (), False, 100)] == expected
    for reverse in (False, True):
        seen: list[int] = []
        page = _page(pgdata, order, "TRUE", (), reverse, size)
        while page:
            seen += [r[-1] for r in page]
            seek = keyset_predicate(order, page[-1], before=reverse, dialect=PG)
            page = _page(pgdata, order, seek.sql, seek.params, reverse, size)
        assert seen == (expected[::-1] if reverse else expected)


@pytest.mark.parametrize(("text", "rows"), SEARCHES)
def test_search(pgdata: PgData, text: str, rows: list[int]) -> None:
    compiled = compile_search(text, RUN, PG)
    assert pgdata.select_ids(compiled.sql, compiled.params) == rows


def test_search_terms_are_quoted_lexemes() -> None:
    assert tsquery('a "b c" OR NOT_x') == "(('a' & ('b' <-> 'c')) | 'NOT_x')"
    assert tsquery("it's NOT a\\b") == "(('it''s') & !('a\\\\b'))"


@pytest.mark.parametrize(("text", "position"), [("NOT failed", 0), ("a OR NOT b", 5)])
def test_invalid_search_is_refused_as_on_sqlite(text: str, position: int) -> None:
    with pytest.raises(ODataError) as info:
        compile_search(text, RUN, PG)
    assert info.value.position == position


def test_lowercase_contains_is_ilike(pgdata: PgData) -> None:
    compiled = compile_filter("contains(tolower(displayName), 'load')", RUN, PG)
    assert "ILIKE" in compiled.sql and "lower(" not in compiled.sql
    assert pgdata.select_ids(compiled.sql, compiled.params) == matching_ids(
        parse_filter("contains(tolower(displayName), 'load')"), RUNS
    )


def test_numbered_skips_quoted_text() -> None:
    assert numbered("a = ? AND b = '?' AND \"c?\" = ?") == "a = $1 AND b = '?' AND \"c?\" = $2"


def test_json_path_and_percentile(pgdata: PgData) -> None:
    doc = '{"error": {"code": "E42"}}'
    pg_sql = json_path("$1::text", ("error", "code"), PG)
    assert pgdata.fetch(f"SELECT {pg_sql}", (doc,)) == [("E42",)]
    assert json_path("c", ("error", "code"), Dialect.SQLITE) == "json_extract(c, '$.error.code')"
    with pytest.raises(ValueError):
        json_path("c", ("a'b",), PG)
    p90 = percentile_disc("r.total_ms", 90)
    values = sorted(r["total_ms"] for r in RUNS if r["total_ms"] is not None)
    rank = (90 * len(values) + 99) // 100
    assert pgdata.fetch(f"SELECT {p90} FROM runs r") == [(values[rank - 1],)]

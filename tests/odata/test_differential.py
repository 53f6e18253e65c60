"""Differential tests: random filters and orderings, SQLite against the reference evaluator."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.odata import ast, compile_expr, keyset_predicate, order_by
from gateway.odata.ast import Kind

from .dataset import RUN, RUNS, connect, select_ids, us
from .reference import RUN_FIELDS, matching_ids

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

STRINGS = st.sampled_from(
    [
        "",
        "load",
        "LOAD",
        "Nightly",
        "n",
        "%",
        "_",
        "\\",
        "'",
        "*",
        "?",
        "[d]",
        "a*b",
        "é",
        "É",
        "名前",
        "done_ok",
        "  ",
        "padded",
        "Failed",
        "ucc",
        "x' OR '1'='1",
        "-- ",
        "/*",
        ";",
    ]
)
INTS = st.integers(-3, 13)
FLOATS = st.sampled_from([-1.5, 0.0, 0.25, 0.5, 1.0, 2.5, 3.0])
TIMES = st.sampled_from(
    [r["start_us"] for r in RUNS if r["start_us"] is not None]
    + [us("2024-01-01T00:00:00+00:00"), us("2024-01-01T11:00:00+01:00"), 0]
)
DURATIONS = st.sampled_from([0, 1, 5_000_000, 90_000_000, 3_600_000_000, 86_400_000_000])
STATUSES = st.sampled_from(["FAILED", "failed", "Succeeded", "RUNNING", "pending"])
OPS = st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le"])
NULL = ast.Literal(None, Kind.NULL)


def m(path: str) -> ast.Member:
    return ast.member(path)


def lit(kind: Kind, values: st.SearchStrategy[Any]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(values.map(lambda v: ast.Literal(v, kind)), st.just(NULL))


def comparison() -> st.SearchStrategy[ast.Expr]:
    def cmp(op: str, left: ast.Expr, right: ast.Expr) -> ast.Expr:
        return ast.Binary(op, left, right)

    string_fields = st.sampled_from([m("displayName"), m("sourceStatus")])
    string_exprs = st.one_of(
        string_fields,
        string_fields.map(lambda f: ast.Call("tolower", (f,))),
        string_fields.map(lambda f: ast.Call("toupper", (f,))),
        string_fields.map(lambda f: ast.Call("trim", (f,))),
        st.tuples(string_fields, st.integers(0, 4)).map(
            lambda t: ast.Call("substring", (t[0], ast.Literal(t[1], Kind.INT)))
        ),
    )
    int_fields = st.sampled_from(
        [m("statistics/errors"), m("durations/totalMs"), m("activityCount")]
    )
    int_exprs = st.one_of(
        int_fields,
        st.tuples(
            int_fields, st.sampled_from(["add", "sub", "mul", "div", "mod"]), st.integers(1, 7)
        ).map(lambda t: ast.Binary(t[1], t[0], ast.Literal(t[2], Kind.INT))),
        string_fields.map(lambda f: ast.Call("length", (f,))),
        st.tuples(string_fields, STRINGS).map(
            lambda t: ast.Call("indexof", (t[0], ast.Literal(t[1], Kind.STRING)))
        ),
        st.tuples(
            st.sampled_from(["year", "month", "day", "hour", "minute", "second"]),
            st.sampled_from([m("startDateTime"), m("endDateTime")]),
        ).map(lambda t: ast.Call(t[0], (t[1],))),
    )
    float_exprs = st.one_of(
        st.just(m("ratio")),
        st.sampled_from(["round", "floor", "ceiling"]).map(lambda f: ast.Call(f, (m("ratio"),))),
        FLOATS.map(lambda v: ast.Binary("mul", m("ratio"), ast.Literal(v, Kind.FLOAT))),
    )
    time_exprs = st.one_of(
        st.sampled_from([m("startDateTime"), m("endDateTime")]),
        DURATIONS.map(
            lambda d: ast.Binary("add", m("startDateTime"), ast.Literal(d, Kind.DURATION))
        ),
    )
    duration_exprs = st.one_of(
        st.just(m("durations/queue")),
        st.just(ast.Binary("sub", m("endDateTime"), m("startDateTime"))),
    )
    return st.one_of(
        st.builds(
            cmp,
            OPS.filter(lambda o: o in ("eq", "ne")),
            st.just(m("status")),
            lit(Kind.STRING, STATUSES),
        ),
        st.builds(cmp, OPS, string_exprs, lit(Kind.STRING, STRINGS)),
        st.builds(cmp, OPS, string_exprs, string_exprs),
        st.builds(cmp, OPS, int_exprs, lit(Kind.INT, INTS)),
        st.builds(cmp, OPS, int_exprs, int_exprs),
        st.builds(cmp, OPS, float_exprs, lit(Kind.FLOAT, FLOATS)),
        st.builds(cmp, OPS, time_exprs, lit(Kind.DATETIME, TIMES)),
        st.builds(cmp, OPS, time_exprs, time_exprs),
        st.builds(cmp, OPS, duration_exprs, lit(Kind.DURATION, DURATIONS)),
        st.builds(cmp, OPS, st.just(m("isLatestAttempt")), lit(Kind.BOOL, st.booleans())),
        st.builds(
            lambda f, field, s: ast.Call(f, (m(field), ast.Literal(s, Kind.STRING))),
            st.sampled_from(["contains", "startswith", "endswith"]),
            st.sampled_from(["displayName", "sourceStatus"]),
            STRINGS,
        ),
        st.builds(
            lambda f, a, b: ast.Call(f, (m(a), m(b))),
            st.sampled_from(["contains", "startswith", "endswith"]),
            st.sampled_from(["displayName", "sourceStatus"]),
            st.sampled_from(["displayName", "sourceStatus"]),
        ),
        st.builds(
            lambda vs: ast.In(m("statistics/errors"), tuple(vs)),
            st.lists(lit(Kind.INT, INTS), min_size=1, max_size=4),
        ),
        st.just(m("isLatestAttempt")),
    )


def activity_predicate() -> st.SearchStrategy[ast.Expr]:
    leaf = st.one_of(
        st.builds(
            lambda op, v: ast.Binary(op, m("a/status"), ast.Literal(v, Kind.STRING)),
            st.sampled_from(["eq", "ne"]),
            STATUSES,
        ),
        st.builds(
            lambda op, v: ast.Binary(op, m("a/statistics/errors"), v), OPS, lit(Kind.INT, INTS)
        ),
        st.builds(
            lambda v: ast.Call("contains", (m("a/name"), ast.Literal(v, Kind.STRING))),
            st.sampled_from(["copy", "o", "C"]),
        ),
        st.builds(lambda op: ast.Binary(op, m("a/statistics/errors"), m("statistics/errors")), OPS),
    )
    return st.recursive(
        leaf,
        lambda kids: st.one_of(
            st.builds(lambda a, b: ast.BoolOp("and", (a, b)), kids, kids),
            st.builds(lambda a, b: ast.BoolOp("or", (a, b)), kids, kids),
            kids.map(ast.not_),
        ),
        max_leaves=3,
    )


def lambdas() -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.just(ast.Lambda(("activities",), "any")),
        st.builds(
            lambda k, p: ast.Lambda(("activities",), k, "a", p),
            st.sampled_from(["any", "all"]),
            activity_predicate(),
        ),
    )


FILTERS = st.recursive(
    st.one_of(comparison(), lambdas()),
    lambda kids: st.one_of(
        st.builds(lambda a, b: ast.BoolOp("and", (a, b)), kids, kids),
        st.builds(lambda a, b: ast.BoolOp("or", (a, b)), kids, kids),
        kids.map(ast.not_),
        st.builds(lambda a, b: ast.Binary("eq", a, b), kids, kids),
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    return connect()


@SETTINGS
@given(expr=FILTERS)
def test_filters_agree_with_reference(db: sqlite3.Connection, expr: ast.Expr) -> None:
    compiled = compile_expr(expr, RUN)
    assert select_ids(db, compiled.sql, compiled.params) == matching_ids(expr, RUNS)


SORTABLE = sorted(set(RUN_FIELDS) - {"id"})
ORDERINGS = st.lists(
    st.tuples(st.sampled_from(SORTABLE), st.booleans()),
    min_size=0,
    max_size=3,
    unique_by=lambda t: t[0],
)


def reference_order(keys: list[tuple[str, bool]]) -> list[int]:
    """OData: nulls first ascending, last descending; the id breaks ties, in the direction of
    the last key."""
    rows = sorted(RUNS, key=lambda r: r["id"], reverse=bool(keys) and keys[-1][1])
    for path, desc in reversed(keys):
        col = RUN_FIELDS[path]
        rows.sort(
            key=lambda r, c=col: (r[c] is not None, r[c] if r[c] is not None else 0), reverse=desc
        )
    return [r["id"] for r in rows]


def _page(
    db: sqlite3.Connection,
    order: Any,
    where: str,
    params: tuple[Any, ...],
    reverse: bool,
    size: int,
) -> list[tuple[Any, ...]]:
    cols = ", ".join(order.select_sql)
    sql = f"SELECT {cols} FROM runs AS r WHERE {where} ORDER BY {order.sql(reverse)} LIMIT {size}"
    return list(db.execute(sql, params))


@SETTINGS
@given(keys=ORDERINGS, size=st.integers(1, 4))
def test_orderby_and_keyset_paging(
    db: sqlite3.Connection, keys: list[tuple[str, bool]], size: int
) -> None:
    order = order_by(RUN, keys)
    expected = reference_order(keys)
    rows = _page(db, order, "1", (), False, 100)
    assert [r[-1] for r in rows] == expected

    seen: list[int] = []
    page = _page(db, order, "1", (), False, size)
    while page:
        seen += [r[-1] for r in page]
        after = keyset_predicate(order, page[-1])
        page = _page(db, order, after.sql, after.params, False, size)
    assert seen == expected

    back: list[int] = []
    page = _page(db, order, "1", (), True, size)
    while page:
        back += [r[-1] for r in page]
        before = keyset_predicate(order, page[-1], before=True)
        page = _page(db, order, before.sql, before.params, True, size)
    assert back == expected[::-1]

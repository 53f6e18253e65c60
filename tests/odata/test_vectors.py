"""Table-driven $filter vectors (vectors.json), each run through SQLite and the reference."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from gateway.odata import ODataError, compile_filter, parse_filter

from .dataset import RUN, RUNS, connect, select_ids
from .reference import matching_ids

VECTORS = json.loads((Path(__file__).parent / "vectors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def db() -> sqlite3.Connection:
    return connect()


@pytest.mark.parametrize("case", VECTORS["valid"], ids=lambda c: c["filter"])
def test_valid(db: sqlite3.Connection, case: dict[str, Any]) -> None:
    compiled = compile_filter(case["filter"], RUN)
    assert "'" not in compiled.sql.replace("'unixepoch'", "").replace("'now'", "").replace(
        "'%Y'", ""
    ).replace("'%m'", "").replace("'%d'", "")
    assert select_ids(db, compiled.sql, compiled.params) == case["rows"]
    assert matching_ids(parse_filter(case["filter"]), RUNS) == case["rows"]


@pytest.mark.parametrize("case", VECTORS["invalid"], ids=lambda c: c["filter"])
def test_invalid(case: dict[str, Any]) -> None:
    with pytest.raises(ODataError) as info:
        compile_filter(case["filter"], RUN)
    assert (info.value.code.value, info.value.position) == (case["error"], case["position"])
    if info.value.position is not None:
        assert "^" in str(info.value)

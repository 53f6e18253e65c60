"""What a newcomer meets first: the demo data spans months, so the README's date filters (relative
to now) pick a part of it; a value written without quotes gets a hint to quote it."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.conftest import GraphQLClient

README = Path(__file__).resolve().parent.parent / "README.md"
RECENT = "startDateTime ge now() sub duration'P7D'"


def test_the_demo_spans_months_and_a_recent_window_is_only_part_of_it(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    client_factory: Callable[..., GraphQLClient],
) -> None:
    database = new_location("demo.db")
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "demo", "--database", str(database), "--runs", "400"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    gql = client_factory(database)
    found = gql.data(
        f"""{{ all: runs {{ totalCount }}
              recent: runs(filter: "{RECENT}") {{ totalCount }}
              oldest: runs(orderBy: "createdDateTime asc", first: 1) {{ nodes {{ createdDateTime }} }} }}"""
    )
    total, recent = found["all"]["totalCount"], found["recent"]["totalCount"]
    assert 0 < recent < total / 4
    (oldest,) = found["oldest"]["nodes"]
    age = datetime.now(UTC) - datetime.fromisoformat(oldest["createdDateTime"])
    assert age > timedelta(days=90)


def test_the_readmes_filters_compare_times_relative_to_now() -> None:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    fixed = [
        match.group(0)
        for block in blocks
        for match in re.finditer(r"DateTime (?:ge|gt|le|lt) \d{4}-\d{2}-\d{2}", block)
    ]
    assert fixed == []  # a fixed date matches every demo run, or none, depending on the day


def test_an_unquoted_enum_value_gets_a_hint_to_quote_it(gql: GraphQLClient) -> None:
    body = gql('{ runs(filter: "status eq FAILED") { totalCount } }')
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "UNKNOWN_FIELD"
    assert "quote it: 'FAILED'" in error["message"]
    lower = gql('{ runs(filter: "blockingError/category eq quota") { totalCount } }')
    assert "quote it: 'QUOTA'" in lower["errors"][0]["message"]
    typo = gql("{ runs(filter: \"statsu eq 'FAILED'\") { totalCount } }")
    assert "did you mean" in typo["errors"][0]["message"]

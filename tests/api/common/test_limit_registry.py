"""One table of limits: `capabilities.limits` reports it (one camelCase name per meaning, old
names deprecated), errors name only its limits, and what it reports is what is enforced."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import GraphQLClient

from gateway.api.common.limit_registry import BY_NAME, CONFIGURED, LIMITS

CAMEL = re.compile(r"^[a-z][a-zA-Z]*$")
LIMITS_QUERY = "{ capabilities { limits { name value description deprecationReason } } }"


def test_capabilities_report_the_table_and_the_old_names_deprecated(gql: GraphQLClient) -> None:
    reported = {item["name"]: item for item in gql.data(LIMITS_QUERY)["capabilities"]["limits"]}
    for limit in LIMITS:
        item = reported[limit.name]
        assert (item["value"], item["deprecationReason"]) == (limit.value, None)
        assert CAMEL.match(limit.name), limit.name
        if limit.old_name is not None:
            old = reported[limit.old_name]
            assert old["value"] == limit.value
            assert f"`{limit.name}`" in old["deprecationReason"]
    current = [n for n, item in reported.items() if item["deprecationReason"] is None]
    assert sorted(current) == sorted(BY_NAME)  # one entry per name, nothing beside the table
    assert reported["MAX_DEPTH"]["value"] == reported["filterDepth"]["value"]
    assert reported["filterDepth"]["value"] != reported["queryDepth"]["value"]  # two meanings


def _named_limits() -> set[str]:
    """Every limit name the code puts in an error: `"limit": "..."` and `limit_error(..., "...")`."""
    found: set[str] = set()
    for path in Path("gateway").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "limit"
                        and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)
                    ):
                        found.add(value.value)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "limit_error"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                found.add(str(node.args[1].value))
    return found


def test_errors_name_only_limits_of_the_table() -> None:
    named = _named_limits()
    assert {"queryTokens", "queryDepth", "requestBodyBytes"} <= named  # the finder finds them
    assert named <= set(BY_NAME) | CONFIGURED


def test_the_reported_page_size_is_the_enforced_one(gql: GraphQLClient) -> None:
    size = BY_NAME["pageSize"].value
    assert len(gql.data(f"{{ runs(first: {size}) {{ nodes {{ id }} }} }}")["runs"]["nodes"]) > 0
    refused = gql(f"{{ runs(first: {size + 1}) {{ nodes {{ id }} }} }}")
    assert refused["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"


def test_the_reported_filter_length_is_the_enforced_one(gql: GraphQLClient) -> None:
    length = BY_NAME["filterLength"].value
    query = "query ($f: String) { runs(filter: $f, first: 1) { nodes { id } } }"
    accepted = "status eq 'FAILED'" + " " * (length - len("status eq 'FAILED'"))
    assert "errors" not in gql(query, {"f": accepted})
    refused = gql(query, {"f": accepted + " "})
    assert refused["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"

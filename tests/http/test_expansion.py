"""No small document can stall the server: fragments that fan out (each spreading the next ten
times) are refused by the expansion pre-pass with a limit error, whatever their depth; a large
document is validated off the event loop, so health checks answer meanwhile; the server still
stops on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from gateway.api.common.limits import MAX_FIELDS, MAX_FRAGMENT_SPREADS
from tests.conftest import GraphQLClient
from tests.servers import serve_process


def fan_out(levels: int, fan: int = 10) -> str:
    """`levels` fragments, each spreading the next `fan` times; `__typename` at the bottom."""
    parts = ["query FanOut { ...F0 }"]
    for level in range(levels):
        last = level == levels - 1
        body = "__typename" if last else " ".join(f"...F{level + 1}" for _ in range(fan))
        parts.append(f"fragment F{level} on Query {{ {body} }}")
    return "\n".join(parts)


def _extensions(body: dict[str, object]) -> dict[str, object]:
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1, errors
    extensions: dict[str, object] = errors[0]["extensions"]
    return extensions


@pytest.mark.parametrize("levels", [2, 3])
def test_a_small_fan_out_is_answered(gql: GraphQLClient, levels: int) -> None:
    assert gql.data(fan_out(levels)) == {"__typename": "Query"}


@pytest.mark.parametrize("levels", [4, 7, 10, 40])
def test_a_fan_out_past_the_spread_limit_is_refused(gql: GraphQLClient, levels: int) -> None:
    body = gql(fan_out(levels))
    assert "data" not in body or body["data"] is None
    assert _extensions(body) == {
        "code": "LIMIT_EXCEEDED",
        "limit": "queryFragmentSpreads",
        "max": MAX_FRAGMENT_SPREADS,
    }


def test_fields_past_the_limit_once_expanded_are_refused(gql: GraphQLClient) -> None:
    many = " ".join(f"f{i}: __typename" for i in range(25))
    spreads = " ".join(["...Many"] * (MAX_FIELDS // 25 + 1))  # well under the spread limit
    body = gql(f"query Wide {{ {spreads} }} fragment Many on Query {{ {many} }}")
    assert _extensions(body) == {
        "code": "LIMIT_EXCEEDED",
        "limit": "queryFields",
        "max": MAX_FIELDS,
    }


def test_a_fragment_cycle_is_a_validation_error(gql: GraphQLClient) -> None:
    body = gql("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }")
    assert _extensions(body)["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_long_chain_of_fragments_is_counted_without_recursion(gql: GraphQLClient) -> None:
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} }}" for i in range(400))
    body = gql(f"query {{ ...F0 }} {chain} fragment F400 on Query {{ __typename }}")
    assert "errors" not in body or all(
        e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in body["errors"]
    )


# Same-named fields that graphql-core's overlap rule compares pairwise, up to its own budget:
# seconds of work, which must not stop the event loop.
HEAVY = "query Heavy { " + "runs { nodes { id } } " * 600 + "}"


def _migrated(new_location: Callable[[str], Path], tmp_path: Path) -> Path:
    path = new_location("served.db")
    subprocess.run(
        [sys.executable, "-m", "gateway", "migrate", "--database", str(path)],
        check=True,
        capture_output=True,
    )
    return path


def test_a_real_server_answers_health_checks_while_refusing_fan_outs(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    with (
        serve_process(_migrated(new_location, tmp_path), tmp_path / "server.log") as (url, server),
        ThreadPoolExecutor(4) as pool,
    ):
        refused = [
            pool.submit(httpx2.post, f"{url}/graphql", json={"query": fan_out(n)}, timeout=60)
            for n in (7, 10)
        ]
        heavy = pool.submit(httpx2.post, f"{url}/graphql", json={"query": HEAVY}, timeout=120)
        health = httpx2.get(f"{url}/healthz", timeout=60)
        assert health.status_code == 200
        assert not heavy.done(), "validating the large document held the event loop"
        for answer in refused:
            assert _extensions(answer.result().json())["limit"] == "queryFragmentSpreads"
        assert heavy.result().status_code == 200
        assert _extensions(heavy.result().json())["code"] == "LIMIT_EXCEEDED"
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert server.returncode is not None


def test_the_expansion_limits_are_listed_in_capabilities(gql: GraphQLClient) -> None:
    limits = gql.data("{ capabilities { limits { name value } } }")["capabilities"]["limits"]
    named = {limit["name"]: limit["value"] for limit in limits}
    assert named["queryFragmentSpreads"] == MAX_FRAGMENT_SPREADS
    assert named["queryFields"] == MAX_FIELDS

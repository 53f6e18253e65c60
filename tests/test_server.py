"""One test runs the real server (`gateway serve --demo`, uvicorn) on a free port on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx2

from tests.servers import serve_process


def test_gateway_serve_demo_answers_graphql(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    with serve_process(new_location("served.db"), tmp_path / "server.log", "--demo") as (url, _):
        response = httpx2.post(
            f"{url}/graphql",
            json={"query": "{ runs(first: 100) { totalCount nodes { __typename } } }"},
            timeout=10,
        )
        data = response.json()["data"]["runs"]
        assert data["totalCount"] >= 3000
        assert len({n["__typename"] for n in data["nodes"]}) == 5
        page = httpx2.get(f"{url}/graphql", headers={"Accept": "text/html"}, timeout=5)
        assert page.status_code == 200 and "graphiql" in page.text.lower()

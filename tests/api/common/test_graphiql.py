"""The offline GraphiQL page: no external URL, every asset served locally, licences kept."""

from __future__ import annotations

import base64
import hashlib
import re
import warnings
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
import strawberry
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.http.ides import get_graphql_ide_html

from gateway.api.common.graphiql import STATIC_DIR, graphiql_page, graphiql_routes

# Starlette 1.x warns (an error under filterwarnings=error) when its TestClient runs on httpx
# rather than its httpx2 fork, which the project does not depend on.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

HTML = {"Accept": "text/html"}


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"


class GraphQLWithOfflineIDE(GraphQL[None, None]):
    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(graphiql_page())


def make_app() -> Starlette:
    view = GraphQLWithOfflineIDE(strawberry.Schema(query=Query))
    return Starlette(
        routes=[
            Route("/graphql", view),
            WebSocketRoute("/graphql", view),
            *graphiql_routes(),
        ]
    )


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(make_app()) as test_client:
        yield test_client


class _Assets(HTMLParser):
    """Collects (url, integrity) of every <script src> and <link href> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        url = attributes.get("src") if tag == "script" else attributes.get("href")
        if tag in ("script", "link") and url and not url.startswith("data:"):
            self.found.append((url, attributes.get("integrity")))


def assets_of(page: str) -> list[tuple[str, str | None]]:
    parser = _Assets()
    parser.feed(page)
    return parser.found


def sha384(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode()


def test_the_page_references_no_external_url(client: TestClient) -> None:
    response = client.get("/graphql", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "GraphiQL" in response.text
    assert "http://" not in response.text
    assert "https://" not in response.text
    assert "//" not in "".join(url for url, _ in assets_of(response.text))


def test_every_script_and_stylesheet_is_served_locally(client: TestClient) -> None:
    page = client.get("/graphql", headers=HTML).text
    assets = assets_of(page)
    # react, react-dom, js-cookie, graphiql js + css, explorer plugin js + css
    assert len(assets) == 7

    for url, integrity in assets:
        assert url.startswith("/graphiql-static/")
        response = client.get(url)
        assert response.status_code == 200, url
        kind = response.headers["content-type"]
        assert "javascript" in kind or kind.startswith("text/css"), (url, kind)
        assert integrity == sha384(response.content), url
        assert "immutable" in response.headers["cache-control"]


def test_the_vendored_files_are_the_ones_strawberry_pins(client: TestClient) -> None:
    ours = {integrity for _, integrity in assets_of(client.get("/graphql", headers=HTML).text)}
    pinned = set(re.findall(r'integrity="([^"]+)"', get_graphql_ide_html("graphiql")))

    assert ours == pinned


def test_each_vendored_package_keeps_its_licence(client: TestClient) -> None:
    listing = (STATIC_DIR / "VERSIONS.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split() for line in listing if line.strip() and not line.startswith("#")]
    packages = {spec.rpartition("@")[0] for spec, _, _, _ in rows}
    licensed = {
        spec.rpartition("@")[0] for spec, _, file, _ in rows if file.endswith("LICENSE.txt")
    }

    assert {"react", "react-dom", "js-cookie", "graphiql", "@graphiql/plugin-explorer"} <= packages
    assert packages == licensed
    for _, _, file, integrity in rows:
        assert sha384((STATIC_DIR / file).read_bytes()) == integrity, file
        if file.endswith("LICENSE.txt"):
            response = client.get(f"/graphiql-static/{file}")
            assert response.status_code == 200
            assert "MIT License" in response.text
            assert "Permission is hereby granted, free of charge" in response.text


def test_queries_and_subscriptions_go_to_the_given_path() -> None:
    page = graphiql_page(graphql_path="/api/graphql", static_prefix="/assets/graphiql/")

    assert 'const fetchURL = new URL("/api/graphql", window.location.href).href;' in page
    assert "const subscriptionUrl = httpUrlToWebSockeUrl(fetchURL);" in page
    assert "subscriptionUrl," in page
    assert "GraphiQLPluginExplorer.explorerPlugin()" in page
    assert all(url.startswith("/assets/graphiql/") for url, _ in assets_of(page))


def test_the_path_cannot_break_out_of_the_script() -> None:
    page = graphiql_page(graphql_path='/x</script><script>alert("hi")</script>')

    assert "</script><script>alert" not in page
    assert r'new URL("/x\u003c/script\u003e\u003cscript\u003ealert(\"hi\")' in page


@pytest.mark.parametrize("arguments", [{"graphql_path": "graphql"}, {"static_prefix": "static"}])
def test_relative_paths_are_refused(arguments: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="must be an absolute path"):
        graphiql_page(**arguments)


def test_a_query_runs_through_the_minimal_app(client: TestClient) -> None:
    response = client.post("/graphql", json={"query": "{ hello }"})

    assert response.json() == {"data": {"hello": "world"}}

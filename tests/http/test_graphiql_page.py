"""The way into GraphiQL: `GET /` leads a browser there, and the page, titled after the project,
opens on the project's example query, which runs."""

from __future__ import annotations

import json
import re

from gateway.api.common.graphiql import EXAMPLE
from tests.conftest import GraphQLClient

HTML = {"accept": "text/html"}


def test_get_root_leads_to_graphiql(gql: GraphQLClient) -> None:
    root = gql.http.get("/", headers=HTML, follow_redirects=False)
    assert root.status_code == 302 and root.headers["location"] == "/graphql"
    page = gql.http.get("/", headers=HTML)
    assert page.status_code == 200 and page.url.path == "/graphql"
    assert "text/html" in page.headers["content-type"]


def test_graphiql_opens_on_the_example_query_with_the_projects_title(gql: GraphQLClient) -> None:
    page = gql.http.get("/graphql", headers=HTML).text
    assert re.search(r"<title>runs-gateway[^<]*</title>", page)
    assert "Strawberry GraphiQL" not in page and "Welcome to GraphiQL" not in page
    found = re.search(r"const EXAMPLE_QUERY = (\".*?\");\n", page)
    assert found is not None
    example = json.loads(found.group(1))
    assert example == EXAMPLE.read_text(encoding="utf-8")
    data = gql.data(example)  # its variables have defaults: it runs as it opens
    assert data["runs"]["totalCount"] > 0 and data["runs"]["nodes"]

"""The GraphiQL page, working on machines without internet.

strawberry's own GraphiQL page loads react, react-dom, js-cookie, graphiql and the explorer plugin
from a public CDN, so wherever the gateway runs without internet access the page stays blank. This
module serves strawberry's page with every CDN reference rewritten to copies the gateway serves
itself: ``scripts/refresh_graphiql.sh`` vendors them (byte-identical to what strawberry pins, with
their MIT licences) into ``static/graphiql/`` and lists them in ``static/graphiql/VERSIONS.txt``.

The page is titled after the project and opens on its example query (``example.graphql``).
``graphiql_page()`` renders the page (for the GraphQL view's ``render_graphql_ide``) and
``graphiql_routes()`` returns the route that serves the files.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import os
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from strawberry.http.ides import get_graphql_ide_html

__all__ = ["STATIC_DIR", "graphiql_page", "graphiql_routes"]

STATIC_DIR: Path = Path(__file__).parent / "static" / "graphiql"
"""The vendored GraphiQL files; written by scripts/refresh_graphiql.sh, listed in VERSIONS.txt."""

_REFRESH_HINT = "run scripts/refresh_graphiql.sh after upgrading strawberry-graphql"

# A <script ...> or <link ...> start tag; attribute values in strawberry's page hold no ">"
# except inside the data: URI of its favicon, which is not a CDN reference.
_TAG = re.compile(r"<(?:script|link)\b[^>]*>")
_CDN_ATTR = re.compile(r'\b(src|href)="(https?://[^"]+)"')
_CROSSORIGIN = re.compile(r'\s+crossorigin(?:="[^"]*")?(?=[\s/>])')
_INTEGRITY = re.compile(r'\s+integrity="[^"]*"')
_ANY_URL = re.compile(r"https?://")
_TEMPLATE_VARIABLE = re.compile(r"\{\{\s*\w+\s*\}\}")

TITLE = "runs-gateway · GraphiQL"
EXAMPLE: Path = Path(__file__).parent / "example.graphql"
"""The query the page opens on (when the address names none): a test runs it."""
# strawberry's page: its title, and its welcome text as a JavaScript template literal.
_TITLE = re.compile(r"<title>[^<]*</title>")
_EXAMPLE_QUERY = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)

# strawberry's page posts to, and derives its WebSocket URL from, the URL it was loaded from.
_FETCH_URL = 'const fetchURL = window.location.href.split("?")[0];'
# The favicon is an inline SVG; its xmlns is a namespace name, never fetched. Percent-encoding it
# (the data: URI is percent-decoded by the browser) keeps the page free of any http:// text.
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_SVG_NAMESPACE_ENCODED = "http%3A%2F%2Fwww.w3.org%2F2000%2Fsvg"

# Asset URLs carry ?v=<hash>, so a new vendored file gets a new URL and may be cached for good.
_IMMUTABLE = "public, max-age=31536000, immutable"


class _Asset(NamedTuple):
    file: str
    integrity: str

    @property
    def version(self) -> str:
        """A short hex tag of the file's sha384, used as the cache-busting query."""
        digest = base64.b64decode(self.integrity.removeprefix("sha384-"))
        return digest.hex()[:12]


@functools.cache
def _assets() -> dict[str, _Asset]:
    """VERSIONS.txt as ``{"package@version/path-in-package": asset}``."""
    assets: dict[str, _Asset] = {}
    listing = STATIC_DIR / "VERSIONS.txt"
    try:
        text = listing.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise RuntimeError(f"{listing} is missing; {_REFRESH_HINT}") from exc
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spec, source, file, integrity = line.split()
        assets[f"{spec}/{source}"] = _Asset(file, integrity)
    return assets


def _localise_tag(tag: str, static_prefix: str) -> str:
    """Point one CDN ``<script>``/``<link>`` tag at the vendored copy of its file."""
    found = _CDN_ATTR.search(tag)
    if found is None:
        return tag
    attribute, url = found.groups()
    key = urlsplit(url).path.lstrip("/")  # e.g. "react@18.2.0/umd/react.production.min.js"
    asset = _assets().get(key)
    if asset is None:
        raise RuntimeError(f"GraphiQL page loads {url}, which is not vendored; {_REFRESH_HINT}")
    local = html.escape(f"{static_prefix}/{asset.file}?v={asset.version}", quote=True)
    # Same-origin subresource integrity still guards against a half-refreshed static folder.
    tag = _INTEGRITY.sub("", _CROSSORIGIN.sub("", tag))
    local_attributes = f'{attribute}="{local}"\n      integrity="{asset.integrity}"'
    return tag.replace(found.group(0), local_attributes)


def _script_string(text: str) -> str:
    """`text` as a JavaScript string literal that stays inside a <script> element: json.dumps
    quotes it; escaping <, > and & keeps `</script>` and entities out."""
    quoted = json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e")
    return quoted.replace("&", "\\u0026")


@functools.cache
def _render(graphql_path: str, static_prefix: str) -> str:
    page = get_graphql_ide_html("graphiql")
    page = _TAG.sub(lambda tag: _localise_tag(tag.group(0), static_prefix), page)
    page = page.replace(_SVG_NAMESPACE, _SVG_NAMESPACE_ENCODED)

    if not (_TITLE.search(page) and _EXAMPLE_QUERY.search(page)):
        raise RuntimeError(
            f"strawberry's GraphiQL page changed its title or example; {_REFRESH_HINT}"
        )
    page = _TITLE.sub(f"<title>{html.escape(TITLE)}</title>", page, count=1)
    example = _script_string(EXAMPLE.read_text(encoding="utf-8"))
    page = _EXAMPLE_QUERY.sub(lambda _: f"const EXAMPLE_QUERY = {example};", page, count=1)

    if _FETCH_URL not in page:
        raise RuntimeError(f"strawberry's GraphiQL page no longer sets fetchURL; {_REFRESH_HINT}")
    path_js = _script_string(graphql_path)
    page = page.replace(
        _FETCH_URL, f"const fetchURL = new URL({path_js}, window.location.href).href;"
    )

    leftover = _ANY_URL.search(page) or _TEMPLATE_VARIABLE.search(page)
    if leftover is not None:
        context = page[max(0, leftover.start() - 40) : leftover.end() + 40]
        raise RuntimeError(f"GraphiQL page still has {context!r}; {_REFRESH_HINT}")
    return page


def graphiql_page(graphql_path: str = "/graphql", static_prefix: str = "/graphiql-static") -> str:
    """strawberry's GraphiQL page, loading its scripts and styles from ``static_prefix``.

    The page sends queries over HTTP to ``graphql_path`` (relative to the page's own origin) and
    subscriptions over a WebSocket to the same path (``ws://`` or ``wss://`` to match the page),
    which GraphiQL's bundled graphql-ws client speaks as ``graphql-transport-ws``. The explorer
    plugin is enabled. ``static_prefix`` must be where ``graphiql_routes()`` is mounted.
    """
    for name, value in (("graphql_path", graphql_path), ("static_prefix", static_prefix)):
        if not value.startswith("/"):
            raise ValueError(f"{name} must be an absolute path starting with '/', got {value!r}")
    return _render(graphql_path, static_prefix.rstrip("/"))


class _VendoredFiles(StaticFiles):
    """StaticFiles that lets browsers keep versioned (``?v=``) assets for good."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        query: bytes = scope.get("query_string", b"")
        response.headers["Cache-Control"] = _IMMUTABLE if b"v=" in query else "no-cache"
        return response


def graphiql_routes(
    static_prefix: str = "/graphiql-static", *, name: str = "graphiql-static"
) -> list[BaseRoute]:
    """The route serving the vendored GraphiQL files (and their licences) at ``static_prefix``."""
    if not static_prefix.startswith("/"):
        raise ValueError(f"static_prefix must start with '/', got {static_prefix!r}")
    return [Mount(static_prefix, app=_VendoredFiles(directory=STATIC_DIR), name=name)]

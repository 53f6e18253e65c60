"""Bearer tokens: stored hashed, refused when missing, wrong, revoked or expired; public paths;
the server refuses to start open on a non-loopback address."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from gateway import cli
from gateway.config import Settings, SettingsError
from gateway.domain.auth import Scope, hash_token, split_token
from gateway.domain.clock import utc_now
from gateway.services import tokens
from gateway.store.engines import database_for
from tests.conftest import GraphQLClient
from tests.security import CONTOSO, TokenClient, make_token, rows

QUERY = "{ runs(first: 1) { totalCount } }"


@pytest.fixture
def secured(demo_path: Path, client_factory: Callable[..., GraphQLClient]) -> GraphQLClient:
    return client_factory(demo_path, auth="token")


def test_tokens_are_stored_hashed(demo_path: Path) -> None:
    text = make_token(demo_path, {Scope.RUNS_READ}, [CONTOSO])
    token_id = split_token(text)
    assert token_id is not None and text.startswith(f"rgw_{token_id}_")
    ((stored_id, salt, digest),) = rows(demo_path, "SELECT id, salt, hash FROM api_tokens")
    assert stored_id == token_id
    stored = str(rows(demo_path, "SELECT * FROM api_tokens"))
    secret = text.removeprefix(f"rgw_{token_id}_")  # may hold `_` itself (URL-safe base64)
    assert text not in stored and secret not in stored
    assert isinstance(digest, bytes) and len(digest) == 32 and len(salt) == 16
    assert hash_token(text, salt) == digest  # the salted SHA-256 of the token


def test_a_request_without_a_token_is_refused(secured: GraphQLClient) -> None:
    response = secured.http.post("/graphql", json={"query": QUERY})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="runs-gateway"'
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize(
    "token",
    [
        "nonsense",
        "rgw_tok_01M817P304FR41AV3N28CBA577_" + "A" * 43,  # well-formed, unknown
    ],
)
def test_an_unknown_token_is_refused(secured: GraphQLClient, token: str) -> None:
    response = secured.http.post(
        "/graphql", json={"query": QUERY}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["www-authenticate"]


def test_a_tampered_token_is_refused(demo_path: Path, secured: GraphQLClient) -> None:
    text = make_token(demo_path, {Scope.RUNS_READ}, None)
    assert TokenClient(secured, text)(QUERY)["data"]["runs"]["totalCount"] > 0
    tampered = text[:-1] + ("A" if text[-1] != "A" else "B")
    TokenClient(secured, tampered)(QUERY, status=401)


def test_a_revoked_token_is_refused(demo_path: Path, secured: GraphQLClient) -> None:
    text = make_token(demo_path, {Scope.RUNS_READ}, None)
    client = TokenClient(secured, text)
    client(QUERY, status=200)

    async def revoke() -> None:
        async with database_for(demo_path, readers=1) as db:
            await tokens.revoke(db, str(split_token(text)))

    asyncio.run(revoke())
    client(QUERY, status=401)


def test_an_expired_token_is_refused(demo_path: Path, secured: GraphQLClient) -> None:
    text = make_token(demo_path, {Scope.RUNS_READ}, None, expires=utc_now() + timedelta(hours=1))
    TokenClient(secured, text)(QUERY, status=200)
    rows(demo_path, "UPDATE api_tokens SET expires_at = 1")
    TokenClient(secured, text)(QUERY, status=401)


def test_health_readiness_and_the_graphiql_page_are_public(secured: GraphQLClient) -> None:
    assert secured.http.get("/healthz").status_code == 200
    assert secured.http.get("/readyz").status_code == 200
    page = secured.http.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    # ...but a query over GET is not
    assert secured.http.get("/graphql", params={"query": QUERY}).status_code == 401


def test_auth_is_off_by_default_only_on_loopback() -> None:
    assert Settings.load(environ={}).auth_mode == "off"
    assert Settings.load({"host": "::1"}, environ={}).auth_mode == "off"
    assert Settings.load({"host": "0.0.0.0"}, environ={}).auth_mode == "token"  # noqa: S104
    with pytest.raises(SettingsError, match="not a loopback"):
        Settings.load({"host": "0.0.0.0"}, environ={"GATEWAY_AUTH": "off"})  # noqa: S104
    open_on_purpose = Settings.load(
        {"host": "0.0.0.0"},  # noqa: S104
        environ={"GATEWAY_AUTH": "off", "GATEWAY_ALLOW_OPEN": "true"},
    )
    assert open_on_purpose.auth_mode == "off"


def test_serve_refuses_to_start_open_on_a_public_address(
    new_location: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("GATEWAY_AUTH", "off")
    code = cli.main(["serve", "--host", "0.0.0.0", "--database", str(new_location("g.db"))])  # noqa: S104
    assert code == 2
    assert "not a loopback address" in capsys.readouterr().err


def test_the_token_command_prints_the_token_once(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(new_location("g.db"))
    assert cli.main(["migrate", "--database", database]) == 0
    code = cli.main(
        [
            "token", "create", "--database", database, "--scope", "runs:read,runs:write",
            "--workspace", "all", "--name", "ci", "--expires", "30d",
        ]
    )  # fmt: skip
    assert code == 0
    out = capsys.readouterr()
    token = out.out.strip()
    token_id = split_token(token)
    assert token_id is not None
    assert cli.main(["token", "list", "--database", database]) == 0
    listing = capsys.readouterr().out
    assert token_id in listing and "runs:read,runs:write" in listing and token not in listing
    assert cli.main(["token", "revoke", "--database", database, token_id]) == 0
    assert cli.main(["token", "list", "--database", database]) == 0
    assert "revoked" in capsys.readouterr().out
    assert cli.main(["token", "revoke", "--database", database, "tok_nope"]) == 2
    assert (
        cli.main(["token", "create", "--database", database, "--scope", "x", "--workspace", "all"])
        == 2
    )

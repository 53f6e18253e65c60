"""JWT bearer tokens: checked against a public key or a JWKS file, with scope and workspace
claims; anything not valid is refused like an unknown token."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.conftest import GraphQLClient
from tests.security import CONTOSO, TokenClient

QUERY = "{ runs(first: 500) { nodes { workspace { id } } } }"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


def _token(claims: dict[str, Any], key: Any = KEY, **headers: Any) -> str:
    base = {"sub": "dash", "exp": int(time.time()) + 600, "iss": "https://idp.test"}
    return jwt.encode({**base, **claims}, key, algorithm="RS256", headers=headers or None)


@pytest.fixture(params=["key", "jwks"])
def client(
    request: pytest.FixtureRequest,
    demo_path: Path,
    tmp_path: Path,
    client_factory: Callable[..., GraphQLClient],
) -> GraphQLClient:
    if request.param == "key":
        path = tmp_path / "public.pem"
        path.write_bytes(PUBLIC_PEM)
        settings = {"jwt_key_file": str(path)}
    else:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        path = tmp_path / "jwks.json"
        path.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256"}]}))
        settings = {"jwt_jwks_file": str(path)}
    return client_factory(demo_path, auth="token", jwt_issuer="https://idp.test", **settings)


GOOD = {"scope": "openid runs:read", "workspaces": [CONTOSO]}


def test_a_valid_jwt_is_a_caller_with_its_scopes_and_workspaces(client: GraphQLClient) -> None:
    data = TokenClient(client, _token(GOOD, kid="k1")).data(QUERY)
    assert {n["workspace"]["id"] for n in data["runs"]["nodes"]} == {CONTOSO}
    mutation = 'mutation { deleteRun(id: "run_x") { __typename } }'
    assert TokenClient(client, _token(GOOD, kid="k1")).data(mutation) == {
        "deleteRun": {"__typename": "ForbiddenError"}
    }


@pytest.mark.parametrize(
    "make",
    [
        lambda: _token({**GOOD, "exp": int(time.time()) - 10}, kid="k1"),  # expired
        lambda: _token(GOOD, OTHER, kid="k1"),  # another key
        lambda: _token({**GOOD, "iss": "https://evil.test"}, kid="k1"),  # another issuer
        lambda: _token({"scope": "runs:read"}, kid="k1"),  # no workspaces
        lambda: _token({**GOOD, "scope": "openid"}, kid="k1"),  # no scope of ours
        lambda: jwt.encode({**GOOD, "exp": int(time.time()) + 60}, "x" * 32, algorithm="HS256"),
        lambda: "a.b.c",
    ],
)
def test_an_invalid_jwt_is_refused(client: GraphQLClient, make: Callable[[], str]) -> None:
    TokenClient(client, make())(QUERY, status=401)


def test_the_jwks_picks_the_key_by_its_id(
    client: GraphQLClient, request: pytest.FixtureRequest
) -> None:
    unknown_kid = TokenClient(client, _token(GOOD, kid="k2"))
    if "jwks" in request.node.callspec.id:
        unknown_kid(QUERY, status=401)
    else:
        unknown_kid(QUERY, status=200)  # a single key file does not look at the key id

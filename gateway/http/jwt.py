"""JWT bearer tokens (PyJWT), checked against a configured public key or JWKS file: signature,
`exp` (required), and `iss`/`aud` when configured. Only asymmetric algorithms are accepted, so
a token cannot be signed with the public key itself. The claims become a `Principal` by
`principal_from_claims` (scopes in `scope`/`scp`, workspaces in `workspaces`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jwt

from gateway.domain.auth import Principal, principal_from_claims

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]


class JwtVerifier:
    def __init__(
        self,
        *,
        key_file: str = "",
        jwks_file: str = "",
        issuer: str = "",
        audience: str = "",
    ) -> None:
        self._key: Any = Path(key_file).read_text(encoding="utf-8") if key_file else None
        self._jwks = (
            jwt.PyJWKSet.from_json(Path(jwks_file).read_text(encoding="utf-8"))
            if jwks_file
            else None
        )
        self._issuer = issuer or None
        self._audience = audience or None

    @staticmethod
    def looks_like_jwt(token: str) -> bool:
        return token.count(".") == 2

    def principal(self, token: str) -> Principal | None:
        """The caller of a valid token, or None (bad signature, expired, wrong issuer...)."""
        try:
            key = self._key
            if self._jwks is not None:
                kid = jwt.get_unverified_header(token).get("kid")
                matching = [k for k in self._jwks.keys if k.key_id == kid]
                if len(matching) != 1:
                    return None
                key = matching[0]
            if key is None:
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp"], "verify_aud": self._audience is not None},
            )
        except (jwt.PyJWTError, ValueError):
            return None
        return principal_from_claims(claims)

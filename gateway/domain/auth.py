"""Who is calling and what they may do: scopes, the workspaces a caller may see, and API tokens.

An API token is `rgw_<id>_<secret>`: a recognisable prefix (so secret scanners and people spot
it), the token's id (logged and used to look the token up), and 32 random bytes of secret in
base64url. Only the SHA-256 of the whole token, keyed by a per-token random salt, is stored:
the secret is high-entropy, so a fast hash is right (a slow KDF would cost every request and
add nothing against guessing 256 bits). Hashes are compared in constant time.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

TOKEN_PREFIX = "rgw"  # noqa: S105 (a public prefix, not a secret)
_SECRET_BYTES = 32
_TOKEN = re.compile(r"^rgw_(tok_[0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$")


class Scope(enum.Enum):
    """What a token may do. `ADMIN` implies every other scope."""

    RUNS_READ = "runs:read"
    RUNS_WRITE = "runs:write"
    RUNS_START = "runs:start"
    ADMIN = "admin"


def parse_scopes(names: Iterable[str]) -> frozenset[Scope]:
    """Scopes from their names (`runs:read`, ...); a ValueError names an unknown one."""
    found = set()
    for name in names:
        try:
            found.add(Scope(name.strip()))
        except ValueError:
            known = ", ".join(s.value for s in Scope)
            raise ValueError(f"unknown scope {name!r}; the scopes are {known}.") from None
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class Workspaces:
    """The workspaces a caller may see: `ids`, or every workspace when `ids` is None."""

    ids: frozenset[str] | None = None

    @property
    def every(self) -> bool:
        return self.ids is None

    def allows(self, workspace_id: str) -> bool:
        return self.ids is None or workspace_id in self.ids


ALL_WORKSPACES = Workspaces(None)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: its token's id (None when authentication is off), scopes and workspaces."""

    token_id: str | None
    scopes: frozenset[Scope]
    workspaces: Workspaces

    def has(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes

    def default_workspace(self, fallback: str) -> str:
        """Where a record goes when the caller names no workspace: its only one, or `fallback`."""
        ids = self.workspaces.ids
        if ids is not None and len(ids) == 1 and fallback not in ids:
            return next(iter(ids))
        return fallback


OPEN = Principal(token_id=None, scopes=frozenset(Scope), workspaces=ALL_WORKSPACES)
"""The caller when authentication is off: every scope, every workspace."""

NOBODY = Principal(token_id=None, scopes=frozenset(), workspaces=Workspaces(frozenset()))
"""A caller not (yet) authenticated: no scope, no workspace."""


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A stored token: never its secret, only the salted hash."""

    id: str
    name: str
    scopes: frozenset[Scope]
    workspaces: Workspaces
    salt: bytes
    hash: bytes
    created_date_time: datetime
    expires_date_time: datetime | None = None
    revoked_date_time: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        if self.revoked_date_time is not None:
            return False
        return self.expires_date_time is None or now < self.expires_date_time

    def principal(self) -> Principal:
        return Principal(token_id=self.id, scopes=self.scopes, workspaces=self.workspaces)


def new_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(_SECRET_BYTES)).rstrip(b"=").decode()


def new_salt() -> bytes:
    return secrets.token_bytes(16)


def format_token(token_id: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{token_id}_{secret}"


def split_token(token: str) -> str | None:
    """The token id of a well-formed token, or None."""
    match = _TOKEN.match(token)
    return match.group(1) if match else None


def hash_token(token: str, salt: bytes) -> bytes:
    return hmac.new(salt, token.encode(), hashlib.sha256).digest()


def token_matches(token: str, stored: ApiToken) -> bool:
    """Whether `token` is the one `stored` was made from, compared in constant time."""
    return hmac.compare_digest(hash_token(token, stored.salt), stored.hash)


def principal_from_claims(claims: dict[str, object]) -> Principal | None:
    """The caller a verified JWT stands for: `scope` (space-separated, OAuth style) or `scp` (a
    list) holds the scopes (others are ignored), `workspaces` a list of workspace ids or `"all"`,
    and `sub` names it (`jwt:<sub>` in the access log). None without a scope or a workspace."""
    raw_scopes = claims.get("scope", claims.get("scp", ""))
    names = raw_scopes.split() if isinstance(raw_scopes, str) else raw_scopes
    if not isinstance(names, list):
        return None
    known = {s.value for s in Scope}
    scopes = frozenset(Scope(n) for n in names if isinstance(n, str) and n in known)
    raw_workspaces = claims.get("workspaces")
    if raw_workspaces == "all":
        workspaces = ALL_WORKSPACES
    elif isinstance(raw_workspaces, list) and all(isinstance(w, str) for w in raw_workspaces):
        workspaces = Workspaces(frozenset(str(w) for w in raw_workspaces))
    else:
        return None
    if not scopes or (workspaces.ids is not None and not workspaces.ids):
        return None
    return Principal(token_id=f"jwt:{claims.get('sub', '')}", scopes=scopes, workspaces=workspaces)

"""Settings, read once: command-line flags, then `GATEWAY_<NAME>` environment variables, then
defaults."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    database: str = "gateway.db"
    demo: bool = False
    workers: int = 1
    # Reader connections (each with its driver thread) per process: 2 leaves one free while a
    # slow statement runs, and contends less for the GIL than 3 (nested-100 at 8 clients:
    # ~12% more req/s, bench/results/2026-11-22-session3-readers.md).
    readers: int = 2
    log_level: str = "info"
    graphiql: bool = True
    scheduler: bool = True
    scheduler_interval: int = 15
    # Connections to the platforms: `serve` syncs each every its interval; `sync_tick` is how
    # often (seconds) it looks for a connection whose interval slot has come.
    sync: bool = True
    sync_tick: int = 5
    ingest_max_bytes: int = 256 * 1024 * 1024  # the largest body `POST /ingest/{format}` reads
    # Live run changes (runChanged): how often each process reads the run events of other
    # processes, each subscriber's queue bound, subscriptions per WebSocket, and the interval of
    # the server's graphql-transport-ws pings (0 turns them off).
    live_poll_ms: int = 150
    live_queue: int = 1000
    live_subscriptions: int = 20
    live_keep_alive_ms: int = 15000
    # Security (README "Security"): `auth` is off or token; left empty it is off on a loopback
    # address and token anywhere else, where off needs `allow_open` too.
    auth: str = ""
    allow_open: bool = False
    introspection: bool = True
    cors_origins: str = ""  # comma-separated origins allowed to call /graphql from a browser
    ws_origins: str = ""  # comma-separated origins allowed to open /graphql WebSockets
    max_body_bytes: int = 1_048_576
    rate_limit: int = 1200  # requests per minute per token (per client address with auth off)
    statement_timeout_ms: int = 5000  # bound on every SQL statement; 0 for none
    access_log: bool = True
    jwt_key_file: str = ""  # a PEM public key that JWT bearer tokens are checked against
    jwt_jwks_file: str = ""  # or a JWKS file (the key is chosen by the token's `kid`)
    jwt_issuer: str = ""  # when set, a JWT's `iss` must equal it
    jwt_audience: str = ""  # when set, a JWT's `aud` must contain it

    @classmethod
    def load(
        cls, overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, replaced by the environment, replaced by `overrides` that are not None."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"GATEWAY_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _parse(f.name, type(getattr(cls(), f.name)), raw)
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = value
        settings = replace(cls(), **values)
        settings.check()
        return settings

    def check(self) -> None:
        if not 0 < self.port < 65536:
            raise SettingsError(f"port must be between 1 and 65535; it is {self.port}.")
        if self.workers < 1:
            raise SettingsError(f"workers must be 1 or more; it is {self.workers}.")
        if self.scheduler_interval < 1:
            raise SettingsError(
                f"scheduler_interval must be 1 second or more; it is {self.scheduler_interval}."
            )
        if self.sync_tick < 1:
            raise SettingsError(f"sync_tick must be 1 second or more; it is {self.sync_tick}.")
        if self.readers < 1:
            raise SettingsError(f"readers must be 1 or more; it is {self.readers}.")
        for name in ("live_poll_ms", "live_queue", "live_subscriptions"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be 1 or more; it is {getattr(self, name)}.")
        if self.live_keep_alive_ms < 0:
            raise SettingsError(
                f"live_keep_alive_ms must be 0 or more; it is {self.live_keep_alive_ms}."
            )
        if self.auth not in ("", "off", "token"):
            raise SettingsError(f"auth must be off or token; it is {self.auth!r}.")
        if self.auth_mode == "off" and not is_loopback(self.host) and not self.allow_open:
            raise SettingsError(
                f"auth is off but the server would listen on {self.host}, which is not a "
                "loopback address: anyone who reaches it could read and change every run. Use "
                "GATEWAY_AUTH=token with API tokens, or set GATEWAY_ALLOW_OPEN=true (--allow-open) "
                "to serve it open on purpose."
            )
        for name in ("max_body_bytes", "rate_limit", "statement_timeout_ms"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{name} must be 0 or more; it is {getattr(self, name)}.")

    @property
    def auth_mode(self) -> str:
        """`off` or `token`: as set, else off on a loopback address and token elsewhere."""
        if self.auth:
            return self.auth
        return "off" if is_loopback(self.host) else "token"

    def origins(self, name: str) -> tuple[str, ...]:
        """A comma-separated origin list setting as a tuple."""
        value: str = getattr(self, name)
        return tuple(o.strip() for o in value.split(",") if o.strip())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse(name: str, kind: type, raw: str) -> Any:
    if kind is bool:
        if raw.strip().lower() in _TRUE:
            return True
        if raw.strip().lower() in _FALSE:
            return False
        raise SettingsError(f"GATEWAY_{name.upper()} must be true or false; it is {raw!r}.")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(
                f"GATEWAY_{name.upper()} must be a whole number; it is {raw!r}."
            ) from None
    return raw

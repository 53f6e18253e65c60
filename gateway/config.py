"""Settings, read once: command-line flags, then `GATEWAY_<NAME>` environment variables, then
defaults."""

from __future__ import annotations

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
    readers: int = 3
    log_level: str = "info"
    graphiql: bool = True
    scheduler: bool = True
    scheduler_interval: int = 15
    ingest_max_bytes: int = 256 * 1024 * 1024  # the largest body `POST /ingest/{format}` reads
    # Live run changes (runChanged): how often each process reads the run events of other
    # processes, each subscriber's queue bound, subscriptions per WebSocket, and the interval of
    # the server's graphql-transport-ws pings (0 turns them off).
    live_poll_ms: int = 150
    live_queue: int = 1000
    live_subscriptions: int = 20
    live_keep_alive_ms: int = 15000

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
        if self.readers < 1:
            raise SettingsError(f"readers must be 1 or more; it is {self.readers}.")
        for name in ("live_poll_ms", "live_queue", "live_subscriptions"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be 1 or more; it is {getattr(self, name)}.")
        if self.live_keep_alive_ms < 0:
            raise SettingsError(
                f"live_keep_alive_ms must be 0 or more; it is {self.live_keep_alive_ms}."
            )


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

"""Settings, read once: command-line flags, then `GATEWAY_<NAME>` environment variables, then an
optional TOML file (`--config FILE` or `GATEWAY_CONFIG`, its keys the settings' names), then
defaults."""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields, replace
from typing import Any

CONFIG_VARIABLE = "GATEWAY_CONFIG"
"""The environment variable naming the TOML settings file (not a setting itself)."""
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(ValueError):
    """A setting has a value that cannot be used."""


def _setting(default: Any, help: str) -> Any:
    """A setting's default and its one-line description (for `serve --help` and the README)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = _setting("127.0.0.1", "address to listen on")
    port: int = _setting(8000, "port to listen on")
    database: str = _setting("gateway.db", "the database: a SQLite file")
    create: bool = _setting(False, "create the database if it does not exist (serve refuses)")
    demo: bool = _setting(False, "load the demo data into an empty database, keep runs moving")
    workers: int = _setting(1, "worker processes")
    # Reader connections (each with its driver thread) per process: 2 leaves one free while a
    # slow statement runs, and contends less for the GIL than 3 (nested-100 at 8 clients:
    # ~12% more req/s, bench/results/2026-11-22-session3-readers.md).
    readers: int = _setting(2, "reader connections per process")
    log_level: str = _setting("info", "log level: " + ", ".join(LOG_LEVELS))
    log_format: str = _setting(
        "json", "log lines: json (one object per line, with the request id) or text"
    )
    graphiql: bool = _setting(True, "GraphiQL on GET /graphql for browsers")
    root_path: str = _setting(
        "", "the path a reverse proxy serves the gateway under (e.g. /runs); links use it"
    )
    scheduler: bool = _setting(True, "start runs on processes' cron schedules")
    scheduler_interval: int = _setting(15, "how often the scheduler looks for due slots, seconds")
    sync: bool = _setting(True, "sync every connection to the platforms each of its intervals")
    sync_tick: int = _setting(5, "how often the server looks for a connection due a sync, seconds")
    ingest_max_bytes: int = _setting(256 * 1024 * 1024, "largest POST /ingest/{format} body, bytes")
    # Live run changes (runChanged): how often each process reads the run events of other
    # processes, each subscriber's queue bound, subscriptions per WebSocket, and the interval of
    # the server's graphql-transport-ws pings (0 turns them off).
    live_poll_ms: int = _setting(150, "how often each process reads others' run changes, ms")
    live_queue: int = _setting(1000, "changes queued per subscriber before it is dropped")
    live_subscriptions: int = _setting(20, "subscriptions per WebSocket connection")
    live_keep_alive_ms: int = _setting(15000, "server ping interval on WebSockets, ms; 0: none")
    # Security (README "Security"): `auth` is off or token; left empty it is off on a loopback
    # address and token anywhere else, where off needs `allow_open` too.
    auth: str = _setting("", "authentication: off or token (default: off on loopback only)")
    allow_open: bool = _setting(False, "serve with auth off on a non-loopback address")
    introspection: bool = _setting(True, "schema introspection (__schema, __type)")
    cors_origins: str = _setting("", "browser origins allowed to call /graphql, comma-separated")
    ws_origins: str = _setting("", "browser origins allowed to open WebSockets (default: CORS's)")
    max_body_bytes: int = _setting(1_048_576, "largest request body, bytes")
    rate_limit: int = _setting(1200, "requests per minute per token (or address); 0: none")
    statement_timeout_ms: int = _setting(5000, "time limit on one SQL statement, ms; 0: none")
    access_log: bool = _setting(True, "JSON access log on standard error")
    jwt_key_file: str = _setting("", "a PEM public key that JWT bearer tokens are checked with")
    jwt_jwks_file: str = _setting("", "or a JWKS file (the key chosen by the token's kid)")
    jwt_issuer: str = _setting("", "a JWT's required iss (default: not checked)")
    jwt_audience: str = _setting("", "a JWT's required aud (default: not checked)")

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        config_file: str | None = None,
    ) -> Settings:
        """Defaults, replaced by the TOML file's (`config_file`, else `GATEWAY_CONFIG`), by the
        environment, then by `overrides` that are not None."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        path = config_file or env.get(CONFIG_VARIABLE)
        if path:
            values.update(read_config_file(path))
        for f in fields(cls):
            raw = env.get(f"GATEWAY_{f.name.upper()}")
            if raw is not None:
                values[f.name] = _parse(f.name, _kind(f), raw)
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = value
        settings = replace(cls(), **values)
        settings.check()
        return settings

    def check(self) -> None:
        if self.log_level.lower() not in LOG_LEVELS:
            raise SettingsError(
                f"log_level must be one of {', '.join(LOG_LEVELS)}; it is {self.log_level!r}."
            )
        if self.root_path and (not self.root_path.startswith("/") or self.root_path.endswith("/")):
            raise SettingsError(
                f"root_path must start with / and not end with one (e.g. /runs); it is "
                f"{self.root_path!r}."
            )
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
        if self.log_format not in ("json", "text"):
            raise SettingsError(f"log_format must be json or text; it is {self.log_format!r}.")
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


def setting_fields() -> tuple[Field[Any], ...]:
    """Every setting, in declaration order."""
    return fields(Settings)


def describe_settings() -> str:
    """Every setting, one line each: the variable, the file key, the default, what it does."""
    lines = []
    for f in setting_fields():
        default = f.default
        shown = json.dumps(default)  # as TOML writes it: true, 8000, "gateway.db"
        lines.append(f"  GATEWAY_{f.name.upper():<28} {f.name} = {shown}")
        lines.append(f"      {f.metadata.get('help', '')}")
    return "\n".join(lines)


def unknown_variables(environ: Mapping[str, str] | None = None) -> list[str]:
    """A warning for each `GATEWAY_*` environment variable that is no setting (a typo, most
    likely), with the nearest setting's name when one is close."""
    env = os.environ if environ is None else environ
    known = {f"GATEWAY_{f.name.upper()}" for f in setting_fields()} | {CONFIG_VARIABLE}
    warnings = []
    for name in sorted(env):
        # GATEWAY_TEST_* belong to the test suite (which store it runs on), not to the server.
        if (
            name.startswith("GATEWAY_")
            and name not in known
            and not name.startswith("GATEWAY_TEST_")
        ):
            near = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            warnings.append(f"{name} is not a setting and is ignored{hint}.")
    return warnings


def read_config_file(path: str) -> dict[str, Any]:
    """The settings of a TOML file: top-level keys named as the settings (`port = 8000`,
    `database = "/var/lib/gateway/gateway.db"`), each of the setting's type."""
    try:
        with open(path, "rb") as file:
            document = tomllib.load(file)
    except OSError as exc:
        raise SettingsError(f"cannot read the config file {path}: {exc.strerror}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"the config file {path} is not valid TOML: {exc}.") from None
    by_name = {f.name: f for f in setting_fields()}
    values: dict[str, Any] = {}
    for key, value in document.items():
        name = key.replace("-", "_")
        f = by_name.get(name)
        if f is None:
            near = difflib.get_close_matches(name, sorted(by_name), n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            raise SettingsError(f"the config file {path} has an unknown setting {key!r}{hint}.")
        kind = _kind(f)
        if type(value) is not kind:  # TOML's true is no port number, nor 8000 a host
            raise SettingsError(
                f"the config file {path}: {key} must be {_KIND_NAMES[kind]}; it is {value!r}."
            )
        values[name] = value
    return values


_KIND_NAMES = {bool: "true or false", int: "a whole number", str: "a string"}


def _kind(f: Field[Any]) -> type:
    return type(f.default)


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

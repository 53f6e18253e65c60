"""End-to-end helpers for connection tests: the `gateway` command line over a database file, with
the environment a test gives (credentials, a short backoff).

`gateway(...)` runs the command line's `main` in this process (as `python -m gateway` does, with
the environment swapped for the call), which is many times quicker than a new interpreter per
command; `spawn=True` runs a real `python -m gateway` process instead."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

from gateway.cli import main


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def gateway(
    database: Path, *args: str, env: dict[str, str] | None = None, spawn: bool = False
) -> subprocess.CompletedProcess[str]:
    """`gateway ARGS` over `database`; its exit code, output and errors."""
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
        "GATEWAY_DATABASE": str(database),
        "GATEWAY_PLATFORM_BACKOFF": "0.01",
        **(env or {}),
    }
    if spawn or _in_event_loop():  # main() runs its own loop: an async test spawns it
        return subprocess.run(
            [sys.executable, "-m", "gateway", *args],
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    out, err = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, environ, clear=True),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse refusing the arguments
            code = exc.code if isinstance(exc.code, int) else 2
    return subprocess.CompletedProcess(["gateway", *args], code, out.getvalue(), err.getvalue())


def add_connection(
    database: Path,
    name: str,
    platform: str,
    endpoint: str,
    *extra: str,
    credential_env: str | None = None,
) -> None:
    """`gateway connection add`, asserted to succeed."""
    args = ["connection", "add", name, "--platform", platform, "--endpoint", endpoint, *extra]
    if credential_env:
        args += ["--credential-env", credential_env]
    done = gateway(database, *args)
    assert done.returncode == 0, done.stderr


def sync_line(database: Path, name: str, env: dict[str, str]) -> tuple[int, str]:
    """`gateway sync NAME`: its exit code and its line for the connection (the timing cut off)."""
    done = gateway(database, "sync", name, env=env)
    lines = [line for line in done.stdout.splitlines() if line.startswith(f"{name}: ")]
    assert len(lines) == 1, done.stdout + done.stderr
    return done.returncode, lines[0].rsplit(" (", 1)[0]

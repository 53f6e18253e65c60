"""The Dockerfile and compose.yaml, checked without a container engine: the Dockerfile's
instructions (slim base, an unprivileged user, a healthcheck, only files that exist and that
.dockerignore lets through), its healthcheck command run against a real server, its command and
settings understood by the gateway; compose.yaml's services and the PostgreSQL URL form."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.cli import build_parser
from gateway.config import setting_fields
from tests.servers import free_port, serve_process

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {f"GATEWAY_{f.name.upper()}" for f in setting_fields()}


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            instruction, _, arguments = line.partition(" ")
            found.append((instruction.upper(), arguments.strip()))
    return found


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(i for i, (name, _) in enumerate(steps) if name == "FROM")
    return steps[last_from:]


def test_every_instruction_is_known() -> None:
    known = {"FROM", "WORKDIR", "COPY", "RUN", "ENV", "USER", "VOLUME", "EXPOSE", "HEALTHCHECK"}
    known |= {"CMD", "ARG", "LABEL", "ENTRYPOINT"}
    steps = _instructions()
    assert steps[0][0] == "FROM"
    assert {name for name, _ in steps} <= known


def test_images_are_slim_python_311_or_newer() -> None:
    for name, arguments in _instructions():
        if name == "FROM":
            image = arguments.split()[0]
            assert re.fullmatch(r"python:3\.(1[1-9])-slim(-\w+)?", image), image


def test_runs_as_an_unprivileged_user() -> None:
    users = [arguments for name, arguments in _final_stage() if name == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    created = " ".join(arguments for name, arguments in _final_stage() if name == "RUN")
    assert f"useradd --system --uid 10001 --gid {users[-1]}" in created


def test_copies_only_what_exists_and_is_not_ignored() -> None:
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert "*" in ignore  # everything else (.git, .venv, databases, node_modules) stays out
    for name, arguments in _instructions():
        if name == "COPY" and not arguments.startswith("--from"):
            *sources, _target = arguments.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert source.rstrip("/") in allowed, f"{source} is excluded by .dockerignore"
        assert name != "ADD"  # no remote downloads into the image


def test_pip_keeps_no_cache_and_installs_from_the_built_wheels() -> None:
    runs = [
        arguments for name, arguments in _instructions() if name == "RUN" and "pip" in arguments
    ]
    assert runs and all("--no-cache-dir" in run for run in runs)
    final = [
        arguments for name, arguments in _final_stage() if name == "RUN" and "pip" in arguments
    ]
    assert final and "--no-index" in final[0]  # the run stage fetches nothing


def test_environment_names_real_settings() -> None:
    for name, arguments in _instructions():
        if name == "ENV":
            for variable in re.findall(r"(GATEWAY_[A-Z_]+)=", arguments):
                assert variable in SETTINGS, variable


def test_command_is_a_gateway_command() -> None:
    (command,) = [json.loads(arguments) for name, arguments in _final_stage() if name == "CMD"]
    assert command[0] == "gateway"
    build_parser().parse_args(command[1:])


def _healthcheck() -> list[str]:
    (check,) = [arguments for name, arguments in _final_stage() if name == "HEALTHCHECK"]
    options, _, command = check.partition(" CMD ")
    assert re.search(r"--interval=\d+s", options) and re.search(r"--timeout=\d+s", options)
    exec_form: list[str] = json.loads(command)
    return exec_form


def test_healthcheck_passes_on_a_ready_server_and_fails_without_one(
    demo_path: Path, tmp_path: Path
) -> None:
    command = _healthcheck()
    assert command[0] == "python"

    command = [sys.executable, *command[1:]]
    with serve_process(demo_path, tmp_path / "serve.log") as (url, _):
        port = url.rsplit(":", 1)[1]
        ready = subprocess.run(command, env={"GATEWAY_PORT": port}, capture_output=True, timeout=30)
        assert ready.returncode == 0, ready.stderr
    nobody = subprocess.run(
        command, env={"GATEWAY_PORT": str(free_port())}, capture_output=True, timeout=30
    )
    assert nobody.returncode != 0


def test_compose_serves_on_postgresql() -> None:
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    for variable in re.findall(r"\b(GATEWAY_[A-Z_]+):", text):
        assert variable in SETTINGS, variable
    url = re.search(r"GATEWAY_DATABASE: (\S+)", text)
    assert url is not None
    assert re.fullmatch(
        r"postgresql://gateway:\$\{POSTGRES_PASSWORD\}@postgres:5432/gateway", url.group(1)
    )
    yaml = pytest.importorskip("yaml", reason="PyYAML reads the rest of compose.yaml")
    compose = yaml.safe_load(text)
    postgres, gateway = compose["services"]["postgres"], compose["services"]["gateway"]
    assert postgres["image"].startswith("postgres:")
    assert "healthcheck" in postgres
    assert gateway["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert gateway["build"] == "."
    assert all(port.startswith("127.0.0.1:") for port in gateway["ports"])
    assert shlex.split(postgres["healthcheck"]["test"][1])[0] == "pg_isready"

"""Settings from the command line: the TOML config file under the environment and the flags,
warnings for unknown `GATEWAY_*` variables, one-line errors, `serve --help`, the Python version,
and the root path behind a reverse proxy (GraphiQL's assets and endpoint through a prefix)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from gateway.cli import main
from gateway.config import setting_fields
from tests import pg
from tests.servers import serve_process

ROOT = Path(__file__).resolve().parents[2]


def test_config_file_under_environment_under_flags(
    new_location: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_file, from_env, from_flag = (
        new_location("file.db"),
        new_location("env.db"),
        new_location("flag.db"),
    )
    config = tmp_path / "gateway.toml"
    config.write_text(f'database = "{from_file}"\nreaders = 1\nlog-level = "warning"\n')
    assert main(["migrate", "--config", str(config)]) == 0
    assert pg.made(from_file)
    monkeypatch.setenv("GATEWAY_DATABASE", str(from_env))
    assert main(["migrate", "--config", str(config)]) == 0
    assert pg.made(from_env)
    assert main(["migrate", "--config", str(config), "--database", str(from_flag)]) == 0
    assert pg.made(from_flag)
    monkeypatch.delenv("GATEWAY_DATABASE")
    monkeypatch.setenv("GATEWAY_CONFIG", str(config))  # the file named by the environment
    pg.remove(from_file)
    assert main(["migrate"]) == 0
    assert pg.made(from_file)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("prot = 8000\n", "unknown setting 'prot' (did you mean port?)"),
        ('port = "eighty"\n', "port must be a whole number; it is 'eighty'"),
        ("demo = 1\n", "demo must be true or false"),
        ("port = \n", "is not valid TOML"),
        ('log_level = "loud"\n', "log_level must be one of critical, error"),
    ],
)
def test_bad_config_file_is_one_line_and_exit_2(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    message: str,
) -> None:
    config = tmp_path / "gateway.toml"
    config.write_text(content)
    database = new_location("g.db")
    assert main(["migrate", "--config", str(config), "--database", str(database)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert not pg.made(database)  # nothing was done


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate", "--config", str(tmp_path / "none.toml")]) == 2
    assert "cannot read the config file" in capsys.readouterr().err


def test_unknown_gateway_variable_warns(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GATEWAY_PROT", "9000")
    monkeypatch.setenv("GATEWAY_READERS", "1")  # a setting: no warning
    assert main(["migrate", "--database", str(new_location("g.db"))]) == 0
    err = capsys.readouterr().err
    assert (
        "warning: GATEWAY_PROT is not a setting and is ignored (did you mean GATEWAY_PORT?)" in err
    )
    assert "GATEWAY_READERS" not in err


def test_bad_log_level_is_one_line_not_a_traceback(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gateway", "serve", "--database", str(new_location("g.db"))],
        env={"GATEWAY_LOG_LEVEL": "verbose", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert done.stderr == (
        "gateway: log_level must be one of critical, error, warning, info, debug, trace; "
        "it is 'verbose'.\n"
    )


def test_serve_help_lists_every_setting(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    for f in setting_fields():
        assert re.search(rf"GATEWAY_{f.name.upper()}\s+{f.name} = ", out), f.name
        assert f.metadata.get("help"), f"setting {f.name} has no help text"
    assert "--config FILE" in out and "--root-path PATH" in out


def _older_python() -> str | None:
    candidates = [shutil.which(name) for name in ("python3.10", "python3.9")]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.1[0]*/bin/python3"))
    for found in candidates:
        if found and subprocess.run([found, "-c", "pass"], capture_output=True).returncode == 0:
            return found
    return None


def test_older_python_gets_a_clear_error() -> None:
    python = _older_python()
    if python is None:
        pytest.skip("no Python older than 3.11 on this machine")
    done = subprocess.run(
        [python, "-m", "gateway", "serve"], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 1
    assert done.stderr.startswith("runs-gateway needs Python 3.11 or newer; this is Python 3.")
    assert "Traceback" not in done.stderr


def _proxy(prefix: str, upstream: str) -> Any:
    """A reverse proxy serving `upstream` under `prefix`, stripping it (as nginx's
    `location /runs/ { proxy_pass http://upstream/; }` does); anything else is 404."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        path: str = scope["path"]
        if not path.startswith(prefix + "/"):
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"not behind the prefix"})
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        query = scope["query_string"].decode()
        url = upstream + path[len(prefix) :] + (f"?{query}" if query else "")
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"] if k != b"host"]
        async with httpx2.AsyncClient() as client:
            answer = await client.request(scope["method"], url, headers=headers, content=body)
        dropped = {"content-length", "content-encoding", "transfer-encoding"}
        await send(
            {
                "type": "http.response.start",
                "status": answer.status_code,
                "headers": [
                    (k.encode(), v.encode()) for k, v in answer.headers.items() if k not in dropped
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.content})

    return app


def test_graphiql_behind_a_prefix(demo_path: Path, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    config = tmp_path / "gateway.toml"
    config.write_text('root_path = "/runs"\n')
    with (
        serve_process(demo_path, tmp_path / "serve.log", "--config", str(config)) as (url, _),
    ):
        browser = TestClient(_proxy("/runs", url), base_url="http://proxy.test")
        page = browser.get("/runs/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "<title>" in page.text
        links = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assets = [link for link in links if not link.startswith("data:")]
        assert len(assets) >= 5
        for asset in assets:
            assert asset.startswith("/runs/graphiql-static/"), asset
            assert browser.get(asset).status_code == 200, asset
        endpoint = re.search(r"new URL\(\"([^\"]+)\"", page.text)
        assert endpoint is not None and endpoint.group(1) == "/runs/graphql"
        answer = browser.post(
            endpoint.group(1), json={"query": "{ __schema { queryType { name } } }"}
        )
        assert answer.json()["data"] == {"__schema": {"queryType": {"name": "Query"}}}
        assert browser.get("/graphiql-static/graphiql.min.js").status_code == 404  # only via /runs

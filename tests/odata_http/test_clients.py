"""Real OData clients against a real server: python-odata (PyPI) reads `$metadata` and lists and
filters runs; the odata2ts generator (npm) builds TypeScript models from `$metadata` when Node
is installed (skipped otherwise)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from tests.servers import serve_process


@pytest.fixture(scope="module")
def server(module_demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("odata-clients")
    with serve_process(module_demo, folder / "server.log") as (url, _):
        yield url


def test_python_odata_reads_metadata_lists_and_filters_runs(server: str) -> None:
    script = Path(__file__).with_name("python_odata_client.py")
    done = subprocess.run(
        [sys.executable, str(script), f"{server}/odata/"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    read = json.loads(done.stdout)
    assert read["sets"] == ["Activities", "Processes", "Runs", "Workspaces"]
    assert {"RunsGateway.Run", "RunsGateway.DatabricksRun", "RunsGateway.RunStatus"} <= set(
        read["types"]
    )
    count = int(httpx2.get(f"{server}/odata/Runs/$count?$filter=status eq 'FAILED'").text)
    assert len(read["failed"]) == count > 0
    assert {r["status"] for r in read["failed"]} == {"FAILED"}
    assert len({r["id"] for r in read["failed"]}) == count
    assert read["newest"] == httpx2.get(f"{server}/odata/Runs?$top=1").json()["value"][0]["id"]
    assert read["one"] == read["failed"][0]["id"]


ODATA2TS = "@odata2ts/odata2ts@0.34.0"  # the generator, pinned


def _npm_install(folder: Path) -> Path | None:
    """The generator installed into a cache folder (once), or None when it cannot be had."""
    binary = folder / "node_modules" / ".bin" / "odata2ts"
    if binary.exists():
        return binary
    folder.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    if npm is None:
        return None
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(folder),
                "--no-audit",
                "--no-fund",
                "--silent",
                ODATA2TS,
                "typescript@5",
            ],
            check=True,
            timeout=240,
            capture_output=True,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    return binary if binary.exists() else None


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="no Node")
def test_odata2ts_generates_typescript_models_from_metadata(server: str, tmp_path: Path) -> None:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "runs-gateway-odata2ts"
    binary = _npm_install(cache)
    if binary is None:
        pytest.skip("the odata2ts generator could not be installed from npm")
    metadata = tmp_path / "metadata.xml"
    metadata.write_bytes(httpx2.get(f"{server}/odata/$metadata").content)
    out = tmp_path / "generated"
    (tmp_path / "tsconfig.json").write_text(
        '{"compilerOptions": {"target": "ES2020", "module": "ES2020", "strict": true}}'
    )
    done = subprocess.run(
        [str(binary), "--source", str(metadata), "--output", str(out), "--mode", "models"],
        cwd=tmp_path,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    models = "\n".join(p.read_text() for p in out.rglob("*.ts"))
    for name in ("Run", "DatabricksRun", "Process", "Activity", "RunStatus"):
        assert f"interface {name}" in models or f"enum {name}" in models, name
    assert "jobId" in models and "activities" in models

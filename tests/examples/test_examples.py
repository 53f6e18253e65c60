"""The two example clients (examples/typescript, examples/python), generated and run as a user
would: graphql-codegen's client preset and ariadne-codegen over `schema.graphql` and every stored
operation in `tests/queries/`, `tsc` over the TypeScript client, then each client against a real
server (queries, a mutation, a started run seen through the subscription). Each skips when its
toolchain is missing (tests/examples/toolchains.py)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import httpx2
import pytest
from graphql import OperationDefinitionNode, parse

from tests.examples.toolchains import node_toolchain, python_toolchain, run
from tests.servers import serve_process

ROOT = Path(__file__).resolve().parents[2]


def _operations() -> list[tuple[str, str]]:
    """(name, kind) of every stored operation: ("NewestRuns", "query"), ..."""
    found = []
    for path in sorted((ROOT / "tests" / "queries").glob("*.graphql")):
        document = parse(path.read_text(encoding="utf-8"))
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                assert definition.name is not None, f"{path.name}: name the operation for codegen"
                found.append((definition.name.value, definition.operation.value))
    assert len(found) >= 8
    return found


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@pytest.fixture(scope="module")
def typescript() -> Path:
    """The TypeScript example, generated afresh and compiled."""
    folder = node_toolchain()
    shutil.rmtree(folder / "src" / "gql", ignore_errors=True)
    shutil.rmtree(folder / "dist", ignore_errors=True)
    run(["npm", "run", "--silent", "codegen"], folder)
    run(["npm", "run", "--silent", "build"], folder)
    return folder


@pytest.fixture(scope="module")
def python_example() -> Path:
    """The Python example's interpreter, its client package generated afresh."""
    python = python_toolchain()
    folder = ROOT / "examples" / "python"
    shutil.rmtree(folder / "runs_client", ignore_errors=True)
    run([str(python.parent / "ariadne-codegen")], folder)
    return python


def _lines(output: str) -> dict[str, dict[str, Any]]:
    steps = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    return {step.pop("step"): step for step in steps}


def _check_run(url: str, steps: dict[str, dict[str, Any]], process_name: str) -> None:
    """What the client reported, checked against the server."""
    assert steps["NewestRuns"]["totalCount"] >= 300
    assert steps["NewestRuns"]["typenames"] == [
        "DataFactoryRun",
        "DataZoneRun",
        "DatabricksRun",
        "GatewayRun",
        "IndustryDataRun",
    ]
    assert steps["NewestRuns"]["databricksJobIds"] > 0
    assert steps["Filtering"]["failedRecently"] > 0 and steps["Filtering"]["typed"] > 0
    run_id = steps["StartRun"]["runId"]
    assert steps["RunChanged"] == {"kind": "CREATED", "runId": run_id, "status": "PENDING"}
    answer = httpx2.post(
        f"{url}/graphql",
        json={
            "query": "query ($id: ID!) { run(id: $id) { process { id displayName } } }",
            "variables": {"id": run_id},
        },
        timeout=10,
    ).json()
    process = answer["data"]["run"]["process"]
    assert process == {"id": steps["CreateProcess"]["processId"], "displayName": process_name}


def test_graphql_codegen_types_every_stored_operation(typescript: Path) -> None:
    generated = (typescript / "src" / "gql" / "graphql.ts").read_text(encoding="utf-8")
    for name, kind in _operations():
        assert f"export type {name}{kind.title()} =" in generated, name
        assert f"export const {name}Document = new TypedDocumentString(" in generated, name
    # Scalars are mapped (strictScalars refuses an unmapped one): DateTime is a string.
    assert re.search(r"startDateTime: string \| null", generated)
    assert (typescript / "dist" / "main.js").exists()  # tsc type-checked the client


def test_typescript_client_end_to_end(typescript: Path, demo_path: Path, tmp_path: Path) -> None:
    with serve_process(demo_path, tmp_path / "serve.log") as (url, _):
        done = run(["node", "dist/main.js", f"{url}/graphql"], typescript)
        _check_run(url, _lines(done.stdout), "Example export")


def test_ariadne_codegen_types_every_stored_operation(python_example: Path) -> None:
    package = ROOT / "examples" / "python" / "runs_client"
    client = (package / "client.py").read_text(encoding="utf-8")
    for name, _kind in _operations():
        assert (package / f"{_snake(name)}.py").exists(), name
        assert f"async def {_snake(name)}(" in client, name
    newest = (package / "newest_runs.py").read_text(encoding="utf-8")
    assert "start_date_time: Optional[str]" in newest  # DateTime mapped to str


def test_python_client_end_to_end(python_example: Path, demo_path: Path, tmp_path: Path) -> None:
    with serve_process(demo_path, tmp_path / "serve.log") as (url, _):
        done = run([str(python_example), "main.py", f"{url}/graphql"], ROOT / "examples" / "python")
        _check_run(url, _lines(done.stdout), "Example import")

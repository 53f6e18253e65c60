"""Import edge cases, through `gateway import` and `POST /ingest/{format}`: an empty list page
imports nothing and succeeds, a platform's error response and a document of another platform are
named as such, a syntax error names its line and column, and the ingest route answers 422 when a
record failed. The sample files under docs/examples/ import cleanly with their formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from gateway.cli import main
from tests import pg
from tests.conftest import GraphQLClient

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = ROOT / "docs" / "examples"
JSON = {"content-type": "application/json"}


def _run(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    format: str,
    content: bytes,
) -> tuple[int, str]:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    database = new_location("g.db")
    status = main(["import", "--format", format, "--database", str(database), str(path)])
    return status, capsys.readouterr().err.replace(f"{path}: ", "")


@pytest.mark.parametrize(
    ("format", "page"),
    [
        ("databricks", {"has_more": False}),
        ("databricks", {"runs": [], "has_more": False}),
        ("datazone", {"items": [], "nextToken": None}),
        ("datazone", {}),
        ("data-factory", {"value": [], "continuationToken": None}),
        ("industry-data", {"@odata.context": "https://graph/$metadata#external/industryData/runs"}),
    ],
)
def test_an_empty_page_imports_nothing_and_succeeds(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    format: str,
    page: object,
) -> None:
    status, err = _run(new_location, tmp_path, capsys, format, orjson.dumps(page))
    assert status == 0, err
    assert "0 added, 0 updated, 0 unchanged, 0 skipped, 0 failed" in err


def test_an_empty_last_page_after_a_full_one(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages = (FIXTURES / "databricks_runs_list.json").read_bytes() + b'\n{"has_more": false}\n'
    status, err = _run(new_location, tmp_path, capsys, "databricks", pages)
    assert status == 0 and " 0 failed" in err and "3 added" in err, err


@pytest.mark.parametrize(
    ("format", "body", "message"),
    [
        (
            "databricks",
            {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run 7 does not exist."},
            "RESOURCE_DOES_NOT_EXIST: Run 7 does not exist.",
        ),
        (
            "data-factory",
            {"error": {"code": "AuthorizationFailed", "message": "No access."}},
            "AuthorizationFailed: No access.",
        ),
        (
            "datazone",
            {"__type": "com.amazonaws#AccessDeniedException", "message": "Denied."},
            "AccessDeniedException: Denied.",
        ),
    ],
)
def test_an_error_response_is_named(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    format: str,
    body: dict[str, object],
    message: str,
) -> None:
    status, err = _run(new_location, tmp_path, capsys, format, orjson.dumps(body))
    assert status == 1
    assert (
        f"record 1: the document is an error response from the platform, not runs: {message}\n"
        in err
    )
    assert "is required" not in err


@pytest.mark.parametrize(
    ("format", "fixture", "expected", "other"),
    [
        ("datazone", "databricks_runs_list.json", "DataZone ListDataSourceRuns", "databricks"),
        ("databricks", "datazone_runs.json", "Databricks runs/list", "datazone"),
        (
            "industry-data",
            "data_factory_v2_pipelineruns.json",
            "Graph industryDataRun",
            "data-factory",
        ),
        (
            "data-factory",
            "industry_data_runs.json",
            "Data Factory queryPipelineRuns",
            "industry-data",
        ),
        ("databricks", "databricks_runs_get.json", None, None),
    ],
)
def test_another_platforms_document_is_named(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    format: str,
    fixture: str,
    expected: str | None,
    other: str | None,
) -> None:
    status, err = _run(new_location, tmp_path, capsys, format, (FIXTURES / fixture).read_bytes())
    if expected is None:
        assert status == 0, err  # a document of its own format is imported as usual
        return
    assert status == 1
    assert f"record 1: this is not a {expected}" in err, err
    assert f"(import it with --format {other})." in err
    assert pg.rows(new_location("g.db"), "SELECT count(*) FROM runs") == [(0,)]


def test_a_syntax_error_names_its_line_and_column(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = b'{"runs": [\n  {"run_id": 1,\n   "job_id": 2,, "x": 1}\n]}\n'
    status, err = _run(new_location, tmp_path, capsys, "databricks", document)
    assert status == 1
    assert (
        "record 1: the input is not valid JSON at line 3, column 16 (Expecting property name "
        "enclosed in double quotes); reading stopped." in err
    ), err


def test_a_syntax_error_in_a_later_page(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = (FIXTURES / "databricks_runs_list.json").read_bytes()
    lines = good.count(b"\n") + 1
    status, err = _run(new_location, tmp_path, capsys, "databricks", good + b'\n{"runs": [tru]}')
    assert status == 1
    assert f"at line {lines + 1}, column 11 (Expecting value)" in err, err
    assert "3 added" in err  # the first page's runs were imported


def test_ingest_answers_422_when_a_record_failed(empty_gql: GraphQLClient) -> None:
    error = orjson.dumps({"error_code": "PERMISSION_DENIED", "message": "No."})
    response = empty_gql.http.post("/ingest/databricks", content=error, headers=JSON)
    assert response.status_code == 422
    assert response.json()["failures"] == [
        {
            "position": "record 1",
            "message": "the document is an error response from the platform, not runs: "
            "PERMISSION_DENIED: No.",
        }
    ]
    empty = empty_gql.http.post("/ingest/databricks", content=b'{"has_more": false}', headers=JSON)
    assert empty.status_code == 200 and empty.json()["failed"] == 0
    good = (FIXTURES / "databricks_runs_list.json").read_bytes()
    assert empty_gql.http.post("/ingest/databricks", content=good, headers=JSON).status_code == 200


SAMPLE_FORMATS = {
    "databricks-runs-list.json": "databricks",
    "databricks-runs-get.json": "databricks",
    "datazone-runs.json": "datazone",
    "datazone-activities.json": "datazone",
    "data-factory-pipeline-runs.json": "data-factory",
    "data-factory-slice-runs.json": "data-factory",
    "industry-data-runs.json": "industry-data",
    "gateway-export.ndjson": "gateway",
}


def test_every_sample_file_is_listed() -> None:
    found = [p.name for p in SAMPLES.iterdir() if p.suffix in (".json", ".ndjson")]
    assert sorted(found) == sorted(SAMPLE_FORMATS)


@pytest.mark.parametrize(("name", "format"), sorted(SAMPLE_FORMATS.items()))
def test_sample_files_import_cleanly(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    format: str,
) -> None:
    database = new_location("g.db")
    arguments = ["import", "--format", format, "--database", str(database)]
    if name == "datazone-activities.json":  # activities follow their runs
        assert main([*arguments, str(SAMPLES / "datazone-runs.json")]) == 0
    status = main([*arguments, str(SAMPLES / name)])
    err = capsys.readouterr().err
    assert status == 0, err
    assert " 0 failed" in err
    [(runs,)] = pg.rows(database, "SELECT count(*) FROM runs")
    assert isinstance(runs, int) and runs > 0
    if name == "datazone-activities.json":
        assert pg.rows(database, "SELECT count(*) FROM activities") == [(2,)]

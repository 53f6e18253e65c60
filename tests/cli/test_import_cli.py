"""`gateway import` from files and standard input: bad records reported with their position and
skipped, `--strict`, exit codes, unknown workspaces."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from gateway.cli import main
from tests import pg

FIXTURES = Path(__file__).parents[1] / "ingest" / "fixtures"


def _runs(path: Path) -> list[str]:
    return [str(row[0]) for row in pg.rows(path, "SELECT source_id FROM runs ORDER BY source_id")]


def _bad_middle(tmp_path: Path) -> Path:
    document = orjson.loads((FIXTURES / "databricks_runs_list.json").read_bytes())
    del document["runs"][1]["run_id"]
    path = tmp_path / "runs.json"
    path.write_bytes(orjson.dumps(document))
    return path


def test_a_bad_record_in_the_middle_is_reported_and_the_rest_imported(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = new_location("g.db")
    path = _bad_middle(tmp_path)
    assert main(["import", "--format", "databricks", "--database", str(database), str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}: record 2: run_id: is required." in err
    assert "2 added, 0 updated, 0 unchanged, 0 skipped, 1 failed" in err
    assert "Traceback" not in err
    assert _runs(database) == ["455645", "455700"]


def test_strict_imports_nothing_when_a_record_is_bad(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = new_location("g.db")
    path = _bad_middle(tmp_path)
    args = ["import", "--format", "databricks", "--database", str(database), "--strict"]
    assert main([*args, str(path)]) == 1
    assert "nothing was imported (--strict)" in capsys.readouterr().err
    assert _runs(database) == []
    assert main([*args, str(FIXTURES / "databricks_runs_list.json")]) == 0
    assert len(_runs(database)) == 3


def test_malformed_ndjson_line_and_malformed_json_document(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    demo_path: Path,
) -> None:
    export = tmp_path / "all.ndjson"
    assert main(["export", "--database", str(demo_path), "--output", str(export)]) == 0
    lines = export.read_bytes().splitlines()
    run_at = next(i for i, line in enumerate(lines) if b'"type":"run"' in line)
    lines.insert(run_at, b'{"type": "run", "id": broken')
    damaged = tmp_path / "damaged.ndjson"
    damaged.write_bytes(b"\n".join(lines) + b"\n")
    database = new_location("g.db")
    capsys.readouterr()
    assert main(["import", "--format", "gateway", "--database", str(database), str(damaged)]) == 1
    err = capsys.readouterr().err
    assert f"line {run_at + 1}: not valid JSON" in err
    assert "1 failed" in err and " 0 added" not in err

    truncated = tmp_path / "truncated.json"
    truncated.write_bytes((FIXTURES / "datazone_runs.json").read_bytes()[:-200])
    args = ["import", "--format", "datazone", "--database", str(database), str(truncated)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "record 2: the input is not valid JSON at line " in err  # and column
    assert "1 added" in err


def test_standard_input_and_several_pages(
    new_location: Callable[[str], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = (FIXTURES / "datazone_runs.json").read_bytes() + (
        FIXTURES / "databricks_runs_list.json"
    ).read_bytes().replace(b'"runs"', b'"items"')
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(pages)))
    database = new_location("g.db")
    assert main(["import", "--format", "datazone", "--database", str(database), "-"]) == 1
    err = capsys.readouterr().err
    assert (
        "stdin: record 3: this is not a DataZone ListDataSourceRuns, GetDataSourceRun or "
        "ListDataSourceRunActivities document: it looks like Databricks runs/list or runs/get "
        "(import it with --format databricks)." in err
    )
    assert "2 added" in err and "3 failed" in err


def test_unknown_workspace_and_missing_file(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(new_location("g.db"))
    fixture = str(FIXTURES / "datazone_runs.json")
    args = ["import", "--format", "datazone", "--database", database]
    assert main([*args, "--workspace", "ws_nope", fixture]) == 2
    assert "no workspace has the id 'ws_nope'" in capsys.readouterr().err
    assert main([*args, str(tmp_path / "missing.json")]) == 2


def test_runs_and_their_activities_in_one_command(
    new_location: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As the README shows: the runs file, then its activities file, in one import.
    examples = Path(__file__).parents[2] / "docs" / "examples"
    database = new_location("g.db")
    files = [str(examples / "datazone-runs.json"), str(examples / "datazone-activities.json")]
    assert main(["import", "--format", "datazone", "--database", str(database), *files]) == 0
    err = capsys.readouterr().err
    assert "0 failed" in err and "import the run first" not in err
    [(count,)] = pg.rows(
        database,
        "SELECT count(*) FROM activities a JOIN runs r ON r.id = a.run_id "
        "WHERE r.source_id = 'dsr-5n9w2x'",
    )
    assert isinstance(count, int) and count >= 2

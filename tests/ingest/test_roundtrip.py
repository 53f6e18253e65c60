"""`gateway export` then `gateway import --format gateway`: lossless, and re-importing changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from gateway.cli import main
from tests import pg


def test_export_import_export_is_byte_for_byte(
    new_location: Callable[[str], Path],
    demo_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, second = tmp_path / "first.ndjson", tmp_path / "second.ndjson"
    copy = new_location("copy.db")
    assert main(["export", "--database", str(demo_path), "--output", str(first)]) == 0
    assert main(["import", "--format", "gateway", "--database", str(copy), str(first)]) == 0
    assert main(["export", "--database", str(copy), "--output", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    lines = [orjson.loads(line) for line in first.read_bytes().splitlines()]
    runs, activities, processes = (
        pg.rows(demo_path, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("runs", "activities", "processes")
    )
    kinds = [line["type"] for line in lines]
    assert kinds.count("run") == runs and kinds.count("activity") == activities
    assert kinds.count("process") == processes and kinds.count("workspace") == 3
    retry = next(line for line in lines if line["type"] == "run" and line["attemptNumber"] > 1)
    assert retry["originalAttemptRunId"].startswith("run_") and "version" in retry
    err = capsys.readouterr().err
    assert f"Imported: {runs} added, 0 updated, 0 unchanged, 0 skipped, 0 failed" in err

    # Again: every run is unchanged, no event is appended, the export is the same.
    events = pg.rows(copy, "SELECT count(*) FROM run_events")
    assert main(["import", "--format", "gateway", "--database", str(copy), str(first)]) == 0
    assert f"0 added, 0 updated, {runs} unchanged" in capsys.readouterr().err
    assert pg.rows(copy, "SELECT count(*) FROM run_events") == events
    assert main(["export", "--database", str(copy), "--output", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_export_filter_selects_runs(demo_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "failed.ndjson"
    args = ["export", "--database", str(demo_path), "--output", str(out)]
    assert main([*args, "--filter", "status eq 'FAILED'"]) == 0
    runs = [
        line for line in map(orjson.loads, out.read_bytes().splitlines()) if line["type"] == "run"
    ]
    [(failed,)] = pg.rows(demo_path, "SELECT count(*) FROM runs WHERE status = 'FAILED'")
    assert (
        isinstance(failed, int)
        and len(runs) == failed > 0
        and {r["status"] for r in runs} == {"FAILED"}
    )
    assert main([*args, "--filter", "status eq"]) == 2


def test_a_newer_version_updates_and_an_older_one_is_skipped(
    demo_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "all.ndjson"
    assert main(["export", "--database", str(demo_path), "--output", str(export)]) == 0
    lines = [orjson.loads(line) for line in export.read_bytes().splitlines()]
    run = next(line for line in lines if line["type"] == "run" and line["status"] == "RUNNING")
    newer = {**run, "version": run["version"] + 1, "status": "SUCCEEDED",
             "sourceStatus": "SUCCEEDED", "endDateTime": "2026-11-01T11:59:00.000000Z"}  # fmt: skip
    older = {**run, "version": run["version"] - 1, "status": "FAILED"}
    prefix = [line for line in lines if line["type"] in ("workspace", "process")]
    path = tmp_path / "changes.ndjson"
    path.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in [*prefix, newer, older]))
    assert main(["import", "--format", "gateway", "--database", str(demo_path), str(path)]) == 0
    assert "0 added, 1 updated, 0 unchanged, 1 skipped, 0 failed" in capsys.readouterr().err
    [(status, version)] = pg.rows(
        demo_path, "SELECT status, version FROM runs WHERE id = ?", (run["id"],)
    )
    kinds = [
        row[0]
        for row in pg.rows(
            demo_path,
            "SELECT kind || ':' || from_status || '>' || to_status FROM run_events "
            "WHERE run_id = ? ORDER BY seq",
            (run["id"],),
        )
    ]
    assert (status, version) == ("SUCCEEDED", run["version"] + 1)
    assert kinds[-1] == "UPDATED:RUNNING>SUCCEEDED"

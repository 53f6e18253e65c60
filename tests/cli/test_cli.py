"""The command line: export-schema (and --check), migrate, demo, and settings errors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gateway.api.schema import print_sdl
from gateway.cli import main


def test_export_schema_prints_and_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export-schema"]) == 0
    assert capsys.readouterr().out == print_sdl()
    target = tmp_path / "schema.graphql"
    assert main(["export-schema", "--output", str(target), "--check"]) == 1
    assert main(["export-schema", "--output", str(target)]) == 0
    assert main(["export-schema", "--output", str(target), "--check"]) == 0
    target.write_text(print_sdl() + "# drift\n")
    assert main(["export-schema", "--output", str(target), "--check"]) == 1


def test_migrate_then_demo(tmp_path: Path) -> None:
    database = tmp_path / "g.db"
    assert main(["migrate", "--database", str(database)]) == 0
    assert main(["demo", "--database", str(database), "--runs", "120"]) == 0
    with sqlite3.connect(database) as conn:
        runs = conn.execute("SELECT count(*), count(DISTINCT source) FROM runs").fetchone()
        statuses = {row[0] for row in conn.execute("SELECT DISTINCT status FROM runs")}
    assert runs[0] >= 120 and runs[1] == 5
    assert len(statuses) == 15  # every unified status appears


def test_bad_settings_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "eighty")
    assert main(["migrate"]) == 2
    assert "GATEWAY_PORT" in capsys.readouterr().err

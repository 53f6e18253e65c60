"""The command line: export-schema (and --check), migrate, demo, and settings errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from gateway.api.schema import print_sdl
from gateway.cli import main
from gateway.store.migrations import available
from tests import pg


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


def test_migrate_then_demo(new_location: Callable[[str], Path], tmp_path: Path) -> None:
    database = new_location("g.db")
    assert main(["migrate", "--database", str(database)]) == 0
    assert main(["demo", "--database", str(database), "--runs", "120"]) == 0
    [runs] = pg.rows(database, "SELECT count(*), count(DISTINCT source) FROM runs")
    statuses = {row[0] for row in pg.rows(database, "SELECT DISTINCT status FROM runs")}
    assert isinstance(runs[0], int) and runs[0] >= 120 and runs[1] == 5
    assert len(statuses) == 15  # every unified status appears


def test_bad_settings_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GATEWAY_PORT", "eighty")
    assert main(["migrate"]) == 2
    assert "GATEWAY_PORT" in capsys.readouterr().err


def test_migrate_logs_each_migration_it_applies(
    new_location: Callable[[str], Path], caplog: pytest.LogCaptureFixture
) -> None:
    """A backfill over a large database takes a while: each migration says it starts and ends."""
    database = new_location("logged.db")
    with caplog.at_level(logging.INFO, logger="gateway.store"):
        assert main(["migrate", "--database", str(database)]) == 0
    lines = [r.getMessage() for r in caplog.records if r.name == "gateway.store"]
    names = [name for _, name, _ in available()]
    assert [line.split()[2] for line in lines if line.startswith("applying")] == names
    assert len([line for line in lines if line.startswith("applied migration")]) == len(names)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="gateway.store"):
        assert main(["migrate", "--database", str(database)]) == 0
    assert not [r for r in caplog.records if r.name == "gateway.store"]  # nothing pending

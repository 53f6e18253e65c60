"""A server that cannot load its application exits at once with one line and a non-zero status:
no traceback, and no parent of `--workers N` that starts worker after failing worker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import pg
from tests.conftest import ON_POSTGRES
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
BOUND = 90  # seconds: a start-up that fails takes one or two on an idle machine


def _run(arguments: list[str], tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GATEWAY_")},
        "GATEWAY_SCHEDULER": "false",
        **{f"GATEWAY_{k.upper()}": v for k, v in settings.items()},
    }
    return subprocess.run(
        [sys.executable, "-m", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=BOUND,  # a hang fails the test here
        cwd=tmp_path,
    )


def _database(new_location: Callable[[str], Path], tmp_path: Path) -> Path:
    path = new_location("g.db")
    done = _run(["gateway", "migrate", "--database", str(path)], tmp_path, create="true")
    assert done.returncode == 0, done.stderr
    return path


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unreadable_key_file_is_one_line_and_exit_2(
    new_location: Callable[[str], Path], tmp_path: Path, workers: str
) -> None:
    database = _database(new_location, tmp_path)
    missing = tmp_path / "nowhere" / "key.pem"
    done = _run(
        ["gateway", "serve", "--workers", workers, "--port", str(free_port())],
        tmp_path,
        database=str(database),
        jwt_key_file=str(missing),
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"gateway: the server cannot start: {missing}: No such file or directory\n"
    ), done.stderr
    assert "runs-gateway" not in done.stderr  # refused before the banner: nothing listened


def test_a_database_server_that_does_not_answer_is_one_line_and_exit_3(tmp_path: Path) -> None:
    location = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    done = _run(
        ["gateway", "serve", "--workers", "2", "--port", str(free_port())],
        tmp_path,
        database=location,
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith("gateway: ") and "does not answer" in done.stderr


def test_the_worker_factory_fails_in_one_log_line(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    # What a worker runs (uvicorn with the gateway's factory), should its start fail after the
    # parent's check: uvicorn's start-up failure status, which stops the parent's workers.
    missing = tmp_path / "key.pem"
    done = _run(
        ["uvicorn", "--factory", "gateway.cli.startup:application", "--port", str(free_port())],
        tmp_path,
        database=str(_database(new_location, tmp_path)),
        jwt_key_file=str(missing),
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert errors == [f"ERROR:    the server cannot start: {missing}: No such file or directory"]


def test_a_failed_lifespan_is_one_log_line(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    # The database turns foreign between the parent's check and the worker's start-up.
    foreign = new_location("foreign.db")
    if ON_POSTGRES:
        pg.rows(foreign, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        refusal = "the database holds tables but no gateway schema"
    else:
        foreign.write_text("not a database\n")
        refusal = "not a SQLite database"
    done = _run(
        ["uvicorn", "--factory", "gateway.cli.startup:application", "--port", str(free_port())],
        tmp_path,
        database=str(foreign),
    )
    assert done.returncode == 3
    assert "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 2, done.stderr
    assert errors[0].startswith("ERROR:    the server cannot start: ")
    assert refusal in errors[0]
    assert errors[1] == "ERROR:    Application startup failed. Exiting."

"""Only one process of several moves the demo's runs."""

from __future__ import annotations

from pathlib import Path

from gateway.demo.once import first_process


def test_only_the_first_holder_is_first_until_it_lets_go(tmp_path: Path) -> None:
    database = str(tmp_path / "gateway.db")
    with first_process(database, "demo") as first:
        with first_process(database, "demo") as second:  # another worker, while the first runs
            assert (first, second) == (True, False)
        with first_process(database, "other") as unrelated:
            assert unrelated
    with first_process(database, "demo") as after:
        assert after

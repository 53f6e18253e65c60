"""Only one process of several moves the demo's runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gateway.demo.once import first_process


def test_only_the_first_holder_is_first_until_it_lets_go(
    new_location: Callable[[str], Path], tmp_path: Path
) -> None:
    database = str(new_location("gateway.db"))
    with first_process(database, "demo") as first:
        with first_process(database, "demo") as second:  # another worker, while the first runs
            assert (first, second) == (True, False)
        with first_process(database, "other") as unrelated:
            assert unrelated
    with first_process(database, "demo") as after:
        assert after

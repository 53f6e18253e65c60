"""The side-by-side benchmark's pure parts (bench/sidebyside; no server started): the median
cell, the ratios to PostGraphile and to the floor, the order of the servers per round, and the
rows both servers' responses must agree on."""

from __future__ import annotations

from pathlib import Path

from bench.runner.floor import FloorRunner
from bench.runner.queries import Floor
from bench.sidebyside.queries import rows
from bench.sidebyside.report import main_table, median, ratio_table
from bench.sidebyside.rounds import Cell, rotate


def _cell(server: str, rps: float, cpu_ms: float, round_: int = 1, pg_ms: float = 0.0) -> Cell:
    requests = round(rps)
    return Cell(
        server=server,
        query="flat-100",
        round=round_,
        requests=requests,
        seconds=1.0,
        process_cpu_s=cpu_ms * requests / 1000,
        backend_cpu_s=pg_ms * requests / 1000,
        client_cpu_s=0.0,
        load1=2.0,
    )


def test_the_median_cell_is_the_lower_middle_one_by_requests_per_second() -> None:
    cells = [_cell("a", 900, 1), _cell("a", 100, 1), _cell("a", 400, 1), _cell("a", 600, 1)]

    assert median(cells).rps == 400
    assert median(cells[:3]).rps == 400


def test_server_cpu_per_request_counts_the_postgresql_backends() -> None:
    cell = _cell("gateway-pg-1", 500, cpu_ms=1.5, pg_ms=0.5)

    assert round(cell.cpu_ms, 6) == 2.0
    assert round(cell.backend_cpu_ms, 6) == 0.5


def test_the_ratios_are_those_of_the_median_rounds_and_list_each_round() -> None:
    cells = [
        _cell("postgraphile", 1000, 2.0, round_=1, pg_ms=0.5),
        _cell("gateway-sqlite-1", 1500, 1.0, round_=1),
        _cell("postgraphile", 500, 2.0, round_=2, pg_ms=0.5),
        _cell("gateway-sqlite-1", 2000, 1.0, round_=2),
    ]
    servers = {"gateway-sqlite-1": "gateway 1", "postgraphile": "PostGraphile"}

    (line,) = ratio_table(cells, {"flat-100": 0.5}, {"flat-100": "100 runs"}, servers).splitlines()[
        2:
    ]

    # Medians: PostGraphile 500 req/s at 2.5 ms (2.0 + 0.5), the gateway 1500 req/s at 1.0 ms.
    assert line == "| 100 runs | gateway 1 | 3.00 | 0.40 | 2.0x | 5.0x | 1.50, 4.00 |"
    table = main_table(cells, {"flat-100": "100 runs"}, servers).splitlines()
    assert table[0] == "| query | gateway 1 | PostGraphile |"
    assert table[2] == "| 100 runs | 1,500 req/s, 1.00 ms | 500 req/s, 2.50 ms |"


def test_each_round_starts_the_servers_one_further() -> None:
    servers = ["a", "b", "c"]

    assert [rotate(servers, r) for r in range(4)] == [
        ["a", "b", "c"],
        ["b", "c", "a"],
        ["c", "a", "b"],
        ["a", "b", "c"],
    ]


def test_the_gateway_and_postgraphile_responses_reduce_to_the_same_rows() -> None:
    gateway = {
        "data": {
            "runs": {
                "nodes": [
                    {
                        "id": "run_1",
                        "status": "FAILED",
                        "durations": {"totalMs": 1200},
                        "activities": {"nodes": [{"id": "act_1", "key": "step1"}]},
                    }
                ]
            }
        }
    }
    postgraphile = {
        "data": {
            "allRuns": {
                "nodes": [
                    {
                        "rowId": "run_1",
                        "status": "FAILED",
                        "totalMs": "1200",
                        "activitiesByRunId": {"nodes": [{"rowId": "act_1", "key": "step1"}]},
                    }
                ]
            }
        }
    }

    assert rows(gateway) == rows(postgraphile) == [("run_1", "FAILED", 1200, [("act_1", "step1")])]
    assert rows({"data": {"runs": {"totalCount": 7}}}) == 7
    assert rows({"data": {"allRuns": {"totalCount": 7}}}) == 7
    other = {"data": {"allRuns": {"nodes": [{**postgraphile["data"]["allRuns"]["nodes"][0]}]}}}
    other["data"]["allRuns"]["nodes"][0]["status"] = "SUCCEEDED"
    assert rows(other) != rows(gateway)


def test_the_floor_captures_the_stores_statements_in_sqlites_dialect(tmp_path: Path) -> None:
    # The recording connection stands in for SQLite's: the store's list asks it for its dialect.
    runner = FloorRunner(str(tmp_path / "empty.db"), "")
    try:
        page_sql, page_params = runner.main_sql(Floor())
        count_sql, _ = runner.main_sql(Floor(count_only=True, filter="status eq 'FAILED'"))
    finally:
        runner.close()

    assert page_sql.startswith("SELECT ") and " FROM runs " in page_sql
    assert page_params[-1] == 101  # a page of 100 and one more to know if there is a next
    assert "?" in count_sql and "$1" not in count_sql

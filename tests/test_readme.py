"""The README as a user reads it: its tables render as tables, the configuration table lists
every setting (and only settings) with its real default, and its code blocks work: GraphQL
validates against `schema.graphql` and runs over the demo data, JSON and TOML parse (TOML as a
config file), every `gateway` command line parses (those that touch only a scratch database
run), the Python (backup) example runs and the systemd unit reads."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, OperationType, build_schema, parse, validate

from gateway.cli import build_parser, main
from gateway.config import Settings, read_config_file, setting_fields
from tests.conftest import GraphQLClient

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
LINES = README.splitlines()


@dataclass
class Block:
    language: str
    text: str
    line: int  # of the opening fence, 1-based


def _blocks() -> list[Block]:
    blocks, open_at, language, body = [], 0, "", []
    for number, line in enumerate(LINES, 1):
        fence = re.match(r"^\s*```(\w*)\s*$", line)
        if fence and not open_at:
            open_at, language, body = number, fence.group(1), []
        elif fence:
            blocks.append(Block(language, "\n".join(body), open_at))
            open_at = 0
        elif open_at:
            body.append(line)
    assert not open_at, f"README: the code block at line {open_at} is never closed"
    return blocks


BLOCKS = _blocks()


def _in_code(number: int) -> bool:
    return any(b.line < number <= b.line + b.text.count("\n") + 1 for b in BLOCKS)


def _cells(line: str) -> list[str]:
    # Pipes inside backticks (`a | b`) are not cell borders.
    cells, depth, cell = [], False, ""
    for char in line.strip().strip("|"):
        if char == "`":
            depth = not depth
        if char == "|" and not depth:
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
    return [*cells, cell.strip()]


def _tables() -> list[tuple[int, list[list[str]]]]:
    """Each table: the line of its header and its rows of cells (header and separator first)."""
    tables: list[tuple[int, list[list[str]]]] = []
    previous_blank = True
    for number, line in enumerate(LINES, 1):
        if line.startswith("|") and not _in_code(number):
            if previous_blank or not tables:
                tables.append((number, []))
            tables[-1][1].append(_cells(line))
        previous_blank = not line.strip() or not line.startswith("|")
    return tables


def test_every_table_is_whole() -> None:
    """A blank line inside a table ends it: what follows renders as text. So every run of rows
    starts with a header and its separator, and every row has the header's cells."""
    tables = _tables()
    assert len(tables) >= 3
    for start, rows in tables:
        assert len(rows) >= 3, f"README line {start}: a table of fewer than one row"
        assert all(re.fullmatch(r":?-+:?", c) for c in rows[1]), (
            f"README line {start}: a table without a header separator (a table cut in two?)"
        )
        for offset, row in enumerate(rows):
            assert len(row) == len(rows[0]), f"README line {start + offset}: {len(row)} cells"


def _configuration_rows() -> list[list[str]]:
    section = LINES.index("## Configuration")
    rows = next(r for s, r in _tables() if s > section)
    assert rows[0] == ["setting", "flag", "environment", "default"]
    return rows[2:]


def test_configuration_table_lists_every_setting_and_only_settings() -> None:
    documented = {
        name for row in _configuration_rows() for name in re.findall(r"GATEWAY_[A-Z_]+", row[2])
    }
    settings = {f"GATEWAY_{f.name.upper()}" for f in setting_fields()}
    assert settings - documented == set(), "settings missing from README's Configuration table"
    assert documented - settings == {"GATEWAY_CONFIG"}, (
        "README documents variables that are no setting"
    )


def test_configuration_table_defaults_are_the_real_ones() -> None:
    defaults = {f"GATEWAY_{f.name.upper()}": f.default for f in setting_fields()}
    checked = 0
    for _, flag, variables, default in _configuration_rows():
        names = re.findall(r"GATEWAY_[A-Z_]+", variables)
        for name in names:
            if name not in defaults:
                continue
            real = defaults[name]
            if isinstance(real, bool):
                assert default == ("on" if real else "off"), name
            elif re.fullmatch(r"`[^`]*`", default):
                assert default.strip("`") == str(real), name
            elif default == "none":
                assert real == "", name
            checked += 1
        for option in re.findall(r"--[a-z-]+", flag):
            assert option in _serve_help() or option == "--config", option
    assert checked >= len(defaults) - 2


def _serve_help() -> str:
    return build_parser()._subparsers._group_actions[0].choices["serve"].format_help()  # type: ignore[union-attr]


def test_json_and_toml_blocks_parse() -> None:
    languages = {b.language for b in BLOCKS}
    assert {"json", "toml", "graphql", "sh", "python", "ini", "nginx"} <= languages
    for block in BLOCKS:
        if block.language == "json":
            json.loads(block.text)


def test_toml_blocks_are_valid_config_files(tmp_path: Path) -> None:
    for block in BLOCKS:
        if block.language == "toml":
            path = tmp_path / f"readme-{block.line}.toml"
            path.write_text(block.text)
            read_config_file(str(path))  # raises on an unknown key or a wrong type
            Settings.load(environ={}, config_file=str(path))


GRAPHQL = [b for b in BLOCKS if b.language == "graphql"]


def _variables_after(block: Block) -> dict[str, Any]:
    """The JSON block that follows a GraphQL block, when it is the next block."""
    index = BLOCKS.index(block)
    following = BLOCKS[index + 1] if index + 1 < len(BLOCKS) else None
    if following is not None and following.language == "json":
        loaded: dict[str, Any] = json.loads(following.text)
        return loaded
    return {}


@pytest.mark.parametrize("block", GRAPHQL, ids=[f"line{b.line}" for b in GRAPHQL])
def test_graphql_blocks_validate_and_run(block: Block, gql: GraphQLClient) -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    document = parse(block.text)
    assert validate(schema, document) == [], f"README line {block.line}"
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    if operation.operation == OperationType.SUBSCRIPTION:
        return  # validated; subscriptions run over WebSocket in tests/live
    variables = _variables_after(block)
    declared = {v.variable.name.value for v in operation.variable_definitions or ()}
    runs = gql.data("{ runs(first: 1) { nodes { id process { id } } } }")["runs"]["nodes"]
    samples = {
        "id": runs[0]["id"],
        "processId": runs[0]["process"]["id"],
        "since": "startDateTime ge 2026-10-04T00:00:00Z",
    }
    for name in declared - set(variables):
        variables[name] = samples[name]
    body = gql(block.text, variables)
    assert "errors" not in body, f"README line {block.line}: {body['errors']}"
    assert all(value is not None for value in body["data"].values())


def _command_lines() -> list[tuple[int, list[str]]]:
    """Every `gateway ...` command in the sh blocks, as arguments (after `gateway`)."""
    found = []
    for block in BLOCKS:
        if block.language != "sh":
            continue
        for offset, line in enumerate(block.text.splitlines(), 1):
            for segment in re.split(r"&&|\||;|&\s*$", line):
                words = segment.strip().split(None, 1)
                while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
                    words = words[1].split(None, 1) if len(words) > 1 else []
                if words and words[0] == "gateway" and "[" not in segment:
                    found.append((block.line + offset, shlex.split(words[1])))
    return found


COMMANDS = _command_lines()


def test_readme_has_gateway_commands() -> None:
    assert len(COMMANDS) >= 8


@pytest.mark.parametrize(("line", "arguments"), COMMANDS, ids=[f"line{n}" for n, _ in COMMANDS])
def test_gateway_command_lines_parse(line: int, arguments: list[str]) -> None:
    try:
        build_parser().parse_args(arguments)
    except SystemExit as exc:
        pytest.fail(f"README line {line}: `gateway {shlex.join(arguments)}` does not parse ({exc})")


RUNNABLE = {"demo", "migrate", "export-schema"}


def test_runnable_command_lines_run(
    new_location: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Those that touch only a database run, on a scratch one."""
    monkeypatch.setenv("GATEWAY_DATABASE", str(new_location("readme.db")))
    assert main(["demo", "--runs", "40"]) == 0  # the workspaces the token examples name
    ran = 0
    for line, arguments in COMMANDS:
        if arguments[0] in RUNNABLE or arguments[:2] in (["token", "create"], ["token", "list"]):
            arguments = [str(new_location("x.db")) if a.endswith(".db") else a for a in arguments]
            if "--runs" in arguments:  # a small demo data set is enough here
                arguments[arguments.index("--runs") + 1] = "40"
            assert main(arguments) == 0, f"README line {line}"
            ran += 1
    assert ran >= 3


@pytest.mark.sqlite_only  # the README's backup example copies the SQLite file
def test_python_blocks_run(demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The backup example copies a consistent database beside the one it reads."""
    blocks = [b for b in BLOCKS if b.language == "python"]
    assert blocks
    monkeypatch.chdir(demo_path.parent)  # demo_path is .../gateway.db, as the example expects
    for block in blocks:
        exec(compile(block.text, f"README.md:{block.line}", "exec"), {})  # noqa: S102
    with (
        sqlite3.connect(demo_path) as original,
        sqlite3.connect(demo_path.parent / "gateway-backup.db") as copy,
    ):
        query = "SELECT count(*), max(id) FROM runs"
        assert copy.execute(query).fetchone() == original.execute(query).fetchone()
        assert copy.execute(query).fetchone()[0] > 0


def test_systemd_unit_block(tmp_path: Path) -> None:
    (block,) = [b for b in BLOCKS if b.language == "ini"]
    unit = configparser.ConfigParser(strict=True, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string(block.text)
    assert {"Unit", "Service", "Install"} <= set(unit.sections())
    service = unit["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0].endswith("/gateway")
    build_parser().parse_args(command[1:])
    assert service["User"] != "root"
    variable, _, path = service["Environment"].partition("=")
    assert variable == "GATEWAY_CONFIG" and path.endswith(".toml")

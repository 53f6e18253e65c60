"""The layers of `docs/architecture.md`, checked on the source: no import cycle among the
project's modules, imports flow one way between packages, SQL text only in `store/` and the
query compiler, and every `type: ignore` says why."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gateway"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def _resolve(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not _is_package(importer):
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and (
        (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
        or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those only the type checker reads (`if TYPE_CHECKING:` blocks, which name
    the types of `strawberry.lazy` annotations)."""
    for child in ast.iter_child_nodes(tree):
        if _is_type_checking(child):
            continue
        yield child
        yield from _runtime_nodes(child)


def imports_of(name: str) -> set[str]:
    """The project's modules `name` imports when it runs, anywhere in it (also inside
    functions): `from package import module` names the module, not the package."""
    tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(name, node)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t in modules() and t != name)
    return found


@cache
def graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(imports_of(name)) for name in modules()}


def _cycle() -> list[str] | None:
    """One import cycle among the project's modules, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph()[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph()):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_no_import_cycle_among_our_modules() -> None:
    cycle = _cycle()
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"}), "d": frozenset()}
    monkeypatch.setattr(f"{__name__}.graph", lambda: fake)
    assert _cycle() == ["a", "b", "c", "a"]


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


# (the importing package, the packages it must never import, why)
RULES = [
    ("gateway.domain", ["gateway"], "the domain is pure: it imports nothing of ours"),
    ("gateway.odata", ["gateway"], "the query compiler is pure: it imports nothing of ours"),
    (
        "gateway.store",
        ["gateway.api", "gateway.http", "gateway.services", "gateway.cli", "gateway.app"],
        "the store reads and writes rows; use cases and transports sit above it",
    ),
    (
        "gateway.services",
        ["gateway.api", "gateway.http", "gateway.cli", "gateway.app"],
        "use cases know no transport",
    ),
    ("gateway.api", ["gateway.cli", "gateway.app"], "the schema knows no command line"),
]
# (the platform clients sit beside the store: they speak to the platforms, not to our layers)
RULES.append(
    (
        "gateway.platforms",
        ["gateway.store", "gateway.services", "gateway.api", "gateway.http", "gateway.cli"],
        "platform clients turn platform JSON into domain records and nothing more",
    )
)
# The modules of http/ that are not middleware: the GraphQL view (it serves the schema of api/).
HTTP_ROUTES_OF_API = {"gateway.http.graphql_view"}


@pytest.mark.parametrize(("layer", "forbidden", "why"), RULES, ids=[r[0] for r in RULES])
def test_imports_flow_one_way(layer: str, forbidden: list[str], why: str) -> None:
    broken = [
        f"{name} imports {target}"
        for name, targets in sorted(graph().items())
        if _in(name, layer)
        for target in sorted(targets)
        if any(_in(target, f) for f in forbidden) and not _in(target, layer)
    ]
    assert not broken, f"{why}: {broken}"


def test_http_middleware_imports_nothing_of_api() -> None:
    broken = [
        f"{name} imports {target}"
        for name, targets in sorted(graph().items())
        if _in(name, "gateway.http") and name not in HTTP_ROUTES_OF_API
        for target in sorted(targets)
        if _in(target, "gateway.api")
    ]
    assert not broken


SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
    r"CREATE\s+(TABLE|INDEX|TRIGGER)|PRAGMA\s+\w+|BEGIN\s+IMMEDIATE|SAVEPOINT\s+\w+)\b",
    re.DOTALL,
)
SQL_HOMES = ("gateway.store", "gateway.odata")


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
            yield node.lineno, text
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.lineno, node.value


def test_sql_text_only_in_the_store_and_the_compiler() -> None:
    found = [
        f"{name}:{line}: {text[:60]!r}"
        for name, path in sorted(modules().items())
        if not any(_in(name, home) for home in SQL_HOMES)
        for line, text in _strings(path)
        if SQL.search(text)
    ]
    assert not found


def test_the_sql_finder_finds_sql() -> None:
    assert SQL.search("SELECT id FROM runs WHERE x = ?")
    assert SQL.search("INSERT OR REPLACE INTO t (a) VALUES (?)")
    assert not SQL.search("Select the runs from a process")


IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(.*)$")


def _unexplained(text: str) -> list[int]:
    """Lines whose `type: ignore` names no error code or gives no reason (`# why` after it)."""
    lines = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type != tokenize.COMMENT:
            continue
        match = IGNORE.search(token.string)
        if match and (not match.group(1) or not re.match(r"\s*#\s*\w", match.group(2))):
            lines.append(token.start[0])
    return lines


def test_every_type_ignore_names_its_code_and_says_why() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line in _unexplained(path.read_text(encoding="utf-8"))
    ]
    assert not found


def test_the_type_ignore_check_tells_explained_from_not() -> None:
    assert _unexplained("x = 1  # type: ignore\n") == [1]
    assert _unexplained("x = 1  # type: ignore[misc]\n") == [1]
    assert _unexplained("x = 1  # type: ignore[misc]  # strawberry's union\n") == []


MAX_MODULE_LINES = 450  # "small modules with one job each (about 400 lines at most)"


def test_no_module_grows_past_the_limit() -> None:
    long = {
        name: lines
        for name, path in modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these modules: {long}"

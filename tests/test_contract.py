"""The committed `schema.graphql` is the contract: it must match the code, and every stored
client operation in `tests/queries/` must validate against it and run."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    ArgumentNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    Visitor,
    build_schema,
    get_introspection_query,
    parse,
    validate,
    visit,
)

from gateway.api.schema import print_sdl
from tests.conftest import GraphQLClient

ROOT = Path(__file__).resolve().parent.parent
QUERIES = sorted((Path(__file__).parent / "queries").glob("*.graphql"))


def test_schema_graphql_matches_the_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == print_sdl(), "run `gateway export-schema --output schema.graphql`"


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    missing = []
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not named.description:
            missing.append(name)
        for field_name, field in getattr(named, "fields", {}).items():
            if not field.description:
                missing.append(f"{name}.{field_name}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if not arg.description:
                    missing.append(f"{name}.{field_name}({arg_name})")
        for value_name, value in getattr(named, "values", {}).items():
            if not value.description:
                missing.append(f"{name}.{value_name}")
    assert missing == []


def _variables(path: Path, placeholders: dict[str, str]) -> dict[str, Any]:
    """The operation's variables, stored beside it as `<name>.variables.json` (or none), with
    the ids of this database for the placeholders `"<id>"` (a run) and `"<processId>"`."""
    stored = path.with_suffix(".variables.json")
    if not stored.exists():
        return {}
    text = stored.read_text(encoding="utf-8")
    for placeholder, value in placeholders.items():
        text = text.replace(f'"{placeholder}"', json.dumps(value))
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_stored_operations_validate_and_run(path: Path, gql: GraphQLClient) -> None:
    source = path.read_text(encoding="utf-8")
    schema = build_schema((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    document = parse(source)
    assert validate(schema, document) == []
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    if operation.operation == OperationType.SUBSCRIPTION:
        pytest.skip("a subscription runs over WebSocket (tests/examples, tests/live)")
    names = {v.variable.name.value for v in operation.variable_definitions or ()}
    first = gql.data(
        "{ runs(first: 1) { nodes { id } } processes(where: {source: {eq: GATEWAY}}, first: 1) "
        "{ nodes { id } } }"
    )
    placeholders = {
        "<id>": first["runs"]["nodes"][0]["id"],
        "<processId>": first["processes"]["nodes"][0]["id"],
    }
    variables = _variables(path, placeholders)
    if "id" in names:
        variables["id"] = placeholders["<id>"]
    assert names >= set(variables), "a stored variable the operation does not declare"
    data = gql.data(source, variables)
    assert all(value is not None for value in data.values())


def _described_items(schema: dict[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Every (where, description) of an introspection result's own types."""
    for named in schema["types"]:
        name = named["name"]
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        yield name, named["description"]
        for field in named.get("fields") or ():
            yield f"{name}.{field['name']}", field["description"]
            for arg in field["args"]:
                yield f"{name}.{field['name']}({arg['name']})", arg["description"]
        for field in named.get("inputFields") or ():
            yield f"{name}.{field['name']}", field["description"]
        for value in named.get("enumValues") or ():
            yield f"{name}.{value['name']}", value["description"]


def test_every_description_served_starts_upper_case(gql: GraphQLClient) -> None:
    """Over HTTP, as GraphiQL and codegen read them: no description starts in lower case."""
    served = gql.data(get_introspection_query(descriptions=True))["__schema"]
    items = list(_described_items(served))
    assert len(items) > 500  # the whole schema, not an empty answer
    lower = [(where, text) for where, text in items if not text or text[0].islower()]
    assert lower == []


ODATA_ARGUMENTS = {"filter", "orderBy", "search"}


class _InlineOData(Visitor):
    """Collects `filter`, `orderBy` and `search` arguments written as string literals."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value in ODATA_ARGUMENTS and isinstance(node.value, StringValueNode):
            self.found.append(f"{node.name.value}: {node.value.value!r}")


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_stored_operations_pass_odata_expressions_as_variables(path: Path) -> None:
    """Codegen tools choke on OData's quotes inside GraphQL string literals: variables only."""
    inline = _InlineOData()
    visit(parse(path.read_text(encoding="utf-8")), inline)
    assert inline.found == []


def test_every_stored_variables_file_belongs_to_an_operation() -> None:
    stored = sorted((Path(__file__).parent / "queries").glob("*.variables.json"))
    assert stored
    for path in stored:
        assert path.with_name(path.name.replace(".variables.json", ".graphql")).exists(), path

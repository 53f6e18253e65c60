"""`$metadata`: CSDL XML generated from the domain records and the query catalogs."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from graphql import GraphQLEnumType, GraphQLInterfaceType, GraphQLObjectType, build_schema

from gateway.domain.models import RUN_CLASSES
from gateway.store.catalogs import RUNS
from tests.conftest import GraphQLClient

EDM = "{http://docs.oasis-open.org/odata/ns/edm}"
ROOT = Path(__file__).resolve().parent.parent.parent


def _schema(gql: GraphQLClient) -> ET.Element:
    response = gql.http.get("/odata/$metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own server's document)
    assert root.get("Version") == "4.01"
    schema = root.find(f".//{EDM}Schema")
    assert schema is not None and schema.get("Namespace") == "RunsGateway"
    return schema


def test_runs_are_an_abstract_base_with_one_derived_type_per_platform(gql: GraphQLClient) -> None:
    schema = _schema(gql)
    types = {e.get("Name"): e for e in schema.findall(f"{EDM}EntityType")}
    assert types["Run"].get("Abstract") == "true"
    assert types["Run"].find(f"{EDM}Key/{EDM}PropertyRef").get("Name") == "id"  # type: ignore[union-attr]
    derived = {n for n, e in types.items() if e.get("BaseType") == "RunsGateway.Run"}
    assert derived == {cls.__name__ for cls in RUN_CLASSES.values()}
    databricks = {p.get("Name") for p in types["DatabricksRun"].findall(f"{EDM}Property")}
    assert {"jobId", "numberInJob", "runType"} <= databricks
    navigation = {
        n.get("Name"): n.get("Type") for n in types["Run"].findall(f"{EDM}NavigationProperty")
    }
    assert navigation["activities"] == "Collection(RunsGateway.Activity)"
    assert navigation["process"] == "RunsGateway.Process"
    assert {"Process", "Workspace", "Activity"} <= types.keys()
    enums = {e.get("Name") for e in schema.findall(f"{EDM}EnumType")}
    assert {"RunStatus", "Source", "ErrorCategory"} <= enums


def test_capabilities_come_from_the_catalog(gql: GraphQLClient) -> None:
    schema = _schema(gql)
    runs = schema.find(f"{EDM}EntityContainer/{EDM}EntitySet[@Name='Runs']")
    assert runs is not None
    terms = {a.get("Term"): a for a in runs.findall(f"{EDM}Annotation")}
    assert {
        "Capabilities.FilterRestrictions",
        "Capabilities.SortRestrictions",
        "Capabilities.CountRestrictions",
        "Capabilities.SearchRestrictions",
        "Capabilities.TopSupported",
        "Capabilities.SkipSupported",
        "Aggregation.ApplySupported",
    } <= terms.keys()
    not_filterable = {
        p.text for p in terms["Capabilities.FilterRestrictions"].iter(f"{EDM}PropertyPath")
    }
    assert "parameters" in not_filterable and "statistics/entities" in not_filterable
    assert not not_filterable & set(RUNS.fields)  # everything the catalog filters on is allowed
    bindings = {
        b.get("Path"): b.get("Target") for b in runs.findall(f"{EDM}NavigationPropertyBinding")
    }
    assert bindings["activities"] == "Activities" and bindings["process"] == "Processes"


def test_every_name_is_the_graphql_contracts(gql: GraphQLClient) -> None:
    # One name per concept: each type, property and enum member of `$metadata` is the one
    # `schema.graphql` gives it (`RunDurations`, `RunTrigger`, never a second name).
    contract = build_schema((ROOT / "schema.graphql").read_text())
    schema = _schema(gql)
    structured = [*schema.findall(f"{EDM}EntityType"), *schema.findall(f"{EDM}ComplexType")]
    assert {"RunDurations", "RunTrigger", "RunStatistics"} <= {t.get("Name") for t in structured}
    for element in structured:
        name = element.get("Name") or ""
        found = contract.type_map.get(name)
        assert isinstance(found, GraphQLObjectType | GraphQLInterfaceType), name
        properties = {p.get("Name") for p in element.findall(f"{EDM}Property")}
        assert properties <= found.fields.keys(), (name, properties - found.fields.keys())
    for element in schema.findall(f"{EDM}EnumType"):
        name = element.get("Name") or ""
        enum = contract.type_map.get(name)
        assert isinstance(enum, GraphQLEnumType), name
        assert {m.get("Name") for m in element.findall(f"{EDM}Member")} == enum.values.keys()

"""`$metadata`: the model (`model.py`) printed as CSDL XML (OData 4.01, Common Schema Definition
Language, XML Representation), with the Capabilities vocabulary annotations read from the same
query catalogs as the GraphQL `capabilities` query: which properties filter and sort, counting,
searching, `$top`/`$skip`, `$expand` depth, the filter functions, and `$apply`.

Printed once per process (the model is fixed at import) and served as bytes.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from gateway.odata import Catalog
from gateway.odata.functions import FUNCTIONS
from gateway.odata_http.actions import ACTIONS
from gateway.odata_http.apply import AGGREGATABLE, GROUPABLE
from gateway.odata_http.model import MODEL, NAMESPACE, VERSION, Kind, Model, StructuredType
from gateway.odata_http.options import MAX_EXPAND_DEPTH

EDMX = "http://docs.oasis-open.org/odata/ns/edmx"
EDM = "http://docs.oasis-open.org/odata/ns/edm"
_VOCABULARIES = "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/"
_REFERENCES = (
    ("Org.OData.Core.V1", "Core"),
    ("Org.OData.Capabilities.V1", "Capabilities"),
    ("Org.OData.Aggregation.V1", "Aggregation"),
)
CONTAINER = "Container"
_CANONICAL = {"matchespattern": "matchesPattern"}
_COMPLEX_DEPTH = 2  # complex properties listed this deep in NonFilterableProperties


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, attributes)


def _described(parent: ET.Element, text: str) -> None:
    if text:
        _sub(parent, "Annotation", Term="Core.Description", String=text)


def _type_name(type: str, collection: bool) -> str:
    return f"Collection({type})" if collection else type


def _structured(schema: ET.Element, structured: StructuredType) -> None:
    attributes = {"Name": structured.name}
    if structured.base:
        attributes["BaseType"] = f"{NAMESPACE}.{structured.base}"
    if structured.abstract:
        attributes["Abstract"] = "true"
    element = _sub(schema, "EntityType" if structured.entity else "ComplexType", **attributes)
    if structured.entity and not structured.base:
        key = _sub(element, "Key")
        _sub(key, "PropertyRef", Name="id")
    for p in structured.properties:
        prop = _sub(element, "Property", Name=p.name, Type=_type_name(p.type, p.collection))
        if not p.nullable and p.kind is not Kind.UNTYPED:
            prop.set("Nullable", "false")
        _described(prop, p.description)
    for n in structured.navigation:
        nav = _sub(
            element,
            "NavigationProperty",
            Name=n.name,
            Type=_type_name(f"{NAMESPACE}.{n.target}", n.collection),
        )
        if not n.nullable and not n.collection:
            nav.set("Nullable", "false")
        _described(nav, n.description)
    _described(element, structured.description)


def _record(parent: ET.Element, term: str) -> ET.Element:
    annotation = _sub(parent, "Annotation", Term=term)
    return _sub(annotation, "Record")


def _value(record: ET.Element, name: str, **value: str) -> ET.Element:
    return _sub(record, "PropertyValue", Property=name, **value)


def _paths(record: ET.Element, name: str, paths: list[str], tag: str = "PropertyPath") -> None:
    collection = _sub(_value(record, name), "Collection")
    for path in paths:
        _sub(collection, tag).text = path


def structural_paths(model: Model, type_name: str, depth: int = _COMPLEX_DEPTH) -> Iterator[str]:
    """Every structural property path of a type's own and inherited properties (not derived
    types'), into complex properties `depth` levels deep."""
    for p in model.properties(type_name):
        yield p.name
        if p.kind is Kind.COMPLEX and not p.collection and depth > 1:
            inner = p.type.removeprefix(f"{NAMESPACE}.")
            yield from (f"{p.name}/{sub}" for sub in structural_paths(model, inner, depth - 1))


def _capabilities(
    element: ET.Element, model: Model, type_name: str, catalog: Catalog | None
) -> None:
    paths = list(structural_paths(model, type_name))
    fields = catalog.fields if catalog else {}
    record = _record(element, "Capabilities.FilterRestrictions")
    _value(record, "Filterable", Bool="true" if catalog else "false")
    if catalog:
        _paths(
            record,
            "NonFilterableProperties",
            [p for p in paths if p not in fields or not fields[p].filterable],
        )
    record = _record(element, "Capabilities.SortRestrictions")
    _value(record, "Sortable", Bool="true" if catalog else "false")
    if catalog:
        _paths(
            record,
            "NonSortableProperties",
            [p for p in paths if p not in fields or not fields[p].sortable],
        )
    record = _record(element, "Capabilities.SearchRestrictions")
    _value(record, "Searchable", Bool="true" if catalog and catalog.search else "false")
    record = _record(element, "Capabilities.CountRestrictions")
    _value(record, "Countable", Bool="true")
    _sub(element, "Annotation", Term="Capabilities.TopSupported", Bool="true")
    _sub(element, "Annotation", Term="Capabilities.SkipSupported", Bool="true")
    record = _record(element, "Capabilities.SelectSupport")
    _value(record, "Supported", Bool="true")
    record = _record(element, "Capabilities.ExpandRestrictions")
    _value(record, "Expandable", Bool="true")
    _value(record, "MaxLevels", Int=str(MAX_EXPAND_DEPTH))
    record = _record(element, "Capabilities.InsertRestrictions")
    _value(record, "Insertable", Bool="false")
    record = _record(element, "Capabilities.DeleteRestrictions")
    _value(record, "Deletable", Bool="false")
    _sub(_sub(element, "Annotation", Term="Core.OptimisticConcurrency"), "Collection")


def _apply(element: ET.Element) -> None:
    record = _record(element, "Aggregation.ApplySupported")
    collection = _sub(_value(record, "Transformations"), "Collection")
    for name in ("filter", "groupby", "aggregate"):
        _sub(collection, "String").text = name
    _paths(record, "GroupableProperties", sorted(GROUPABLE))
    _paths(record, "AggregatableProperties", sorted(AGGREGATABLE))


def _actions(schema: ET.Element) -> None:
    for action in ACTIONS.values():
        element = _sub(schema, "Action", Name=action.name, IsBound="true")
        _sub(
            element,
            "Parameter",
            Name="bindingParameter",
            Type=f"{NAMESPACE}.{action.binding}",
            Nullable="false",
        )
        for p in action.parameters:
            param = _sub(element, "Parameter", Name=p.name, Type=p.type)
            if not p.nullable:
                param.set("Nullable", "false")
        _sub(element, "ReturnType", Type=f"{NAMESPACE}.{action.returns}", Nullable="false")
        _described(element, action.description)


def _container(schema: ET.Element, model: Model) -> None:
    container = _sub(schema, "EntityContainer", Name=CONTAINER)
    for entity_set in model.sets.values():
        element = _sub(
            container,
            "EntitySet",
            Name=entity_set.name,
            EntityType=f"{NAMESPACE}.{entity_set.type}",
        )
        for n in model.navigation(entity_set.type):
            _sub(
                element,
                "NavigationPropertyBinding",
                Path=n.name,
                Target=model.set_of(n.target).name,
            )
        _capabilities(element, model, entity_set.type, entity_set.catalog)
        if entity_set.name == "Runs":
            _apply(element)
    functions = _sub(
        _sub(container, "Annotation", Term="Capabilities.FilterFunctions"), "Collection"
    )
    for name in sorted(_CANONICAL.get(f, f) for f in FUNCTIONS):
        _sub(functions, "String").text = name


def render(model: Model = MODEL) -> bytes:
    ET.register_namespace("edmx", EDMX)
    root = ET.Element(f"{{{EDMX}}}Edmx", {"Version": VERSION})
    for namespace, alias in _REFERENCES:
        reference = ET.SubElement(
            root, f"{{{EDMX}}}Reference", {"Uri": f"{_VOCABULARIES}{namespace}.xml"}
        )
        ET.SubElement(reference, f"{{{EDMX}}}Include", {"Namespace": namespace, "Alias": alias})
    services = ET.SubElement(root, f"{{{EDMX}}}DataServices")
    schema = ET.SubElement(services, "Schema", {"xmlns": EDM, "Namespace": NAMESPACE})
    for enum_type in model.enums.values():
        element = _sub(schema, "EnumType", Name=enum_type.name)
        for i, member in enumerate(enum_type.members):
            _sub(element, "Member", Name=member, Value=str(i))
        _described(element, enum_type.description)
    for structured in model.types.values():
        if not structured.entity:
            _structured(schema, structured)
    for structured in model.types.values():
        if structured.entity:
            _structured(schema, structured)
    _actions(schema)
    _container(schema, model)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


@functools.cache
def metadata() -> bytes:
    """The service's `$metadata` document."""
    return render()

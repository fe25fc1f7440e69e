"""Where identifiers go: the path parameters and body fields of an operation that name
an object, and the link that fills them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...engine.contract.collections import CollectionInfo
from ...engine.contract.kinds import is_parameter
from ...engine.contract.operations import OperationSpec
from ...engine.contract.references import Key, names_references, referenced_collection
from .sources import Source


def link_to(target: OperationSpec, parameters: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    """The link object that calls ``target`` with these parameters and request body."""
    link: dict[str, Any] = {"operationId": target.operation_id}
    if parameters:
        link["parameters"] = parameters
    if body is not None:
        link["requestBody"] = body
    link["x-inferred"] = True
    return link


def path_links(source: Source, target: OperationSpec) -> dict[str, str]:
    """Parameters of ``target`` that name the source's object and the objects above it."""
    collection = source.collection.strip("/").split("/")
    path = target.path.strip("/").split("/")
    depth = len(collection)
    if len(path) <= depth or not is_parameter(path[depth]):
        return {}
    for mine, theirs in zip(collection, path):
        if is_parameter(mine) != is_parameter(theirs) or (not is_parameter(mine) and mine != theirs):
            return {}
    source_path = source.operation.path.strip("/").split("/")
    parameters = {f"path.{path[depth][1:-1]}": source.expression}
    for position, segment in enumerate(path[:depth]):
        if is_parameter(segment):
            mine = source_path[position] if position < len(source_path) else ""
            if not is_parameter(mine):
                return {}
            parameters[f"path.{segment[1:-1]}"] = f"$request.path.{mine[1:-1]}"
    return dict(sorted(parameters.items(), key=lambda item: path.index("{" + item[0][5:] + "}")))


@dataclass(frozen=True)
class _BodyReference:
    """A field of an operation's JSON body that names an object of a collection."""

    field: str
    collection: str
    listed_body: bool  # the body is a list; the field is its items'
    listed_field: bool  # the field holds a list of identifiers


def body_references(
    target: OperationSpec, id_schemas: dict[str, Key], infos: dict[str, CollectionInfo]
) -> list[_BodyReference]:
    """The fields of ``target``'s JSON body naming other objects, and whose they are. A
    change addressed by the body (`PUT /wms/routes {id, name}`) names its own object."""
    found = []
    own = infos.get(target.resource or "")
    for body in target.bodies.values():
        if body.kind != "json":
            continue
        listed = body.schema.get("type") == "array"
        schema = body.schema.get("items", {}) if listed else body.schema
        for name, prop in schema.get("properties", {}).items():
            if target.kind == "update_by_body" and own is not None and name == own.id_field:
                collection: str | None = own.template
            elif names_references(name):
                collection = referenced_collection(name, prop, id_schemas, target.path)
            else:
                collection = None
            if collection is not None:
                found.append(_BodyReference(name, collection, listed, prop.get("type") == "array"))
        break
    return found


def body_links(source: Source, references: list[_BodyReference]) -> list[tuple[str, Any]]:
    """(field, request body part) for each body field naming an object of the source's
    collection; in a list body, the first item's field."""
    found = []
    for reference in references:
        if reference.collection != source.collection:
            continue
        value: Any = [source.expression] if reference.listed_field else source.expression
        found.append((reference.field, [{reference.field: value}] if reference.listed_body else {reference.field: value}))
    return found

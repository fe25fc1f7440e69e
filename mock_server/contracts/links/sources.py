"""Where identifiers come from: the operations that yield an object's identifier (by
creating or listing it, or by naming it in their answer), and where in the answer, the
request or the path the identifier is."""

from __future__ import annotations

from dataclasses import dataclass

from ...engine.contract.collections import CollectionInfo
from ...engine.contract.operations import OperationSpec
from ...engine.contract.references import Key, MadeObjects, names_references, referenced_collection
from ...engine.contract.schema import Schema
from .pointers import escape

CREATING_KINDS = ("create", "create_at", "upsert")
LIST_WRAPPERS = ("rows", "items", "data", "results", "hits", "records")


@dataclass(frozen=True)
class Source:
    """An operation that yields identifiers of one collection, and where to read them."""

    operation: OperationSpec
    collection: str
    expression: str  # runtime expression of one identifier
    creates: bool


def sources_of(
    operation: OperationSpec, infos: dict[str, CollectionInfo], id_schemas: dict[str, Key], client_supplies_ids: bool
) -> list[Source]:
    """What ``operation`` yields identifiers of, by creating, listing or naming objects."""
    info = infos.get(operation.resource or "")
    if operation.kind in CREATING_KINDS and info is not None:
        # An answer naming other objects in place of the new one's id (`{jobId}`) means
        # the object is made later, by what the answer names.
        expression = _answered_identifier(operation, info)
        answered = [] if expression else _answered_references(operation, id_schemas)
        if expression is None and not answered:
            expression = _requested_identifier(operation, info, client_supplies_ids)
        if expression is not None:
            return [Source(operation, info.template, expression, creates=True)]
        return answered
    if operation.kind == "list" and info is not None and operation.path == info.template:
        expression = _listed_identifier(operation, info)
        return [Source(operation, info.template, expression, creates=False)] if expression else []
    if operation.kind == "process" or (operation.kind in CREATING_KINDS and info is None):
        return _answered_references(operation, id_schemas)
    return []


def _answered_identifier(operation: OperationSpec, info: CollectionInfo) -> str | None:
    """Where the new object's identifier is in the path or the answer."""
    if operation.kind == "create_at":
        return f"$request.path.{operation.path.rsplit('/', 1)[-1][1:-1]}"
    if operation.success.is_json and operation.success.schema:
        pointer = _identifier_pointer(operation.success.schema, info.id_field, info.id_schema)
        if pointer is not None:
            return f"$response.body#{pointer}" if pointer else "$response.body"
    return None


def _requested_identifier(operation: OperationSpec, info: CollectionInfo, client_supplies_ids: bool) -> str | None:
    """The identifier the client chose in the request body, where the server keeps it."""
    if not (client_supplies_ids or info.id_field != "id"):
        return None
    for body in operation.bodies.values():
        if body.kind == "json":
            pointer = _identifier_pointer(body.schema, info.id_field, None, writable_only=True)
            if pointer:
                return f"$request.body#{pointer}"
    return None


def _identifier_pointer(
    schema: Schema, id_field: str, id_schema: Schema | None, writable_only: bool = False
) -> str | None:
    """JSON pointer to one identifier in a value of ``schema`` ("" for the value itself).

    With ``writable_only``, an identifier the contract marks `readOnly` (the server's) is
    no identifier the request can give.
    """
    kind = schema.get("type")
    if kind == "array":
        inner = _identifier_pointer(schema.get("items", {}), id_field, None, writable_only)
        return f"/0{inner}" if inner else None
    if kind in ("integer", "string") and id_schema is not None and schema.get("format") != "binary":
        return "" if id_schema.get("type") in (kind, None) else None
    properties = schema.get("properties", {})
    if id_field in properties:
        if writable_only and properties[id_field].get("readOnly"):
            return None
        return f"/{escape(id_field)}"
    # One level down: `{customer: {id}}`, `{properties: [{id}]}`.
    for name, prop in properties.items():
        if prop.get("type") == "object" and id_field in prop.get("properties", {}):
            return f"/{escape(name)}/{escape(id_field)}"
        if prop.get("type") == "array" and id_field in prop.get("items", {}).get("properties", {}):
            return f"/{escape(name)}/0/{escape(id_field)}"
    return None


def _listed_identifier(operation: OperationSpec, info: CollectionInfo) -> str | None:
    schema = operation.success.schema or {}
    if not operation.success.is_json:
        return None
    if schema.get("type") == "array":
        if schema.get("items", {}).get("type") in ("string", "integer"):
            return "$response.body#/0"  # a list of the identifiers themselves
        return f"$response.body#/0/{escape(info.id_field)}"
    properties = schema.get("properties", {})
    wrapper = next(
        (name for name in properties if name in LIST_WRAPPERS and properties[name].get("type") == "array"),
        next((name for name, prop in properties.items() if prop.get("type") == "array"), None),
    )
    if wrapper is None:
        return None
    return f"$response.body#/{escape(wrapper)}/0/{escape(info.id_field)}"


def header_references(operation: OperationSpec, id_schemas: dict[str, Key]) -> list[Source]:
    """A documented response header naming an object (`x-task-id`) yields that object's id."""
    found = []
    for name in operation.success.headers:
        field = name.lower().removeprefix("x-").replace("-", "_")
        if not names_references(field):
            continue
        template = referenced_collection(field, {"type": "string"}, id_schemas, operation.path)
        if template is not None:
            found.append(Source(operation, template, f"$response.header.{name}", creates=True))
    return found


def _answered_references(operation: OperationSpec, id_schemas: dict[str, Key]) -> list[Source]:
    """An answer naming another object (`POST /import` -> `{jobId}`) yields that object's id."""
    schema = operation.success.schema or {}
    if not operation.success.is_json or schema.get("type") != "object":
        return []
    found = []
    for name, prop in schema.get("properties", {}).items():
        if prop.get("type") in ("string", "integer") and names_references(name):
            template = referenced_collection(name, prop, id_schemas, operation.path)
            if template is not None:
                found.append(Source(operation, template, f"$response.body#/{escape(name)}", creates=True))
    return found


def same_objects(source: Source, infos: dict[str, CollectionInfo]) -> list[Source]:
    """A nested collection of the same model as a top-level one shows that one's objects
    (`/units/{unitId}/meters` and `/consumptions/meters` both hold ConsumptionMeters)."""
    nested = infos.get(source.collection)
    if nested is None or nested.top_level or not source.creates:
        return []
    return [
        Source(source.operation, info.template, source.expression, source.creates)
        for info in infos.values()
        if info.top_level and info.item_schema is nested.item_schema
    ]


def made_source(item: MadeObjects, by_route: dict[tuple[str, str], OperationSpec], infos: dict[str, CollectionInfo]) -> Source:
    """The source the API module states: an operation that makes objects of a collection."""
    operation = by_route.get((item.method, item.path))
    if operation is None or item.collection not in infos:
        raise ValueError(f"made objects name an unknown operation or collection: {item}")
    return Source(operation, item.collection, item.expression, creates=True)

"""OpenAPI links between the operations of a contract, inferred from its paths and models.

An operation that creates an object (or lists objects) links to every operation that
takes that object's identifier: the operations on the object's path and below it
(`POST /tickets` -> `GET /tickets/{ticketId}`, `POST /tickets/{ticketId}/comments`), and
the operations whose request body names an object of that collection
(`POST /consumptions/resources` -> `POST /units/{unitId}/meters` with `resourceId`).
Each link says where the identifier comes from (the answer, the request, the path) and
carries ``x-inferred: true``: the documents print no links.

Where names cannot tell, the API module's rules state it: the references it enforces
(`settings.phone_number_id` names a phone number, a proxy search names its proxy in the
path, a comment's `authorEmail` a contact by email) replace what naming inferred for
those fields, and the operations that make objects their generic reading misses (an
upload makes files) are sources too.

Clients and schemathesis' stateful phase follow the links; the project's operation walk
reads them to create what an operation needs before calling it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.contract.collections import CollectionInfo, collection_infos
from ..engine.contract.kinds import is_parameter
from ..engine.contract.operations import OperationSpec, compile_contract
from ..engine.contract.references import (
    Key,
    MadeObjects,
    Prerequisite,
    RequiredReference,
    compatible,
    field_parts,
    names_references,
    referenced_collection,
    schema_at,
)
from ..engine.contract.schema import Schema

CREATING_KINDS = ("create", "create_at", "upsert")
LIST_WRAPPERS = ("rows", "items", "data", "results", "hits", "records")


@dataclass(frozen=True)
class Source:
    """An operation that yields identifiers of one collection, and where to read them."""

    operation: OperationSpec
    collection: str
    expression: str  # runtime expression of one identifier
    creates: bool


def add_links(
    document: dict[str, Any],
    api: str,
    client_supplies_ids: bool,
    required: tuple[RequiredReference, ...] = (),
    made: tuple[MadeObjects, ...] = (),
    prerequisites: tuple[Prerequisite, ...] = (),
) -> None:
    """Add `links` to the success responses of ``document`` (changed in place).

    ``required``, ``made`` and ``prerequisites`` are the API module's own statements
    (`ApiRules`). An operation with a prerequisite takes its objects from that operation
    only: the links that would hand it any object of the collection are left out.
    """
    compiled = compile_contract(api, document)
    infos = collection_infos(compiled)
    id_schemas = {template: (info.id_field, info.id_schema) for template, info in infos.items()}
    operations = list(compiled.operations.values())
    by_route = {(operation.method, operation.path): operation for operation in operations}
    sources = [
        source
        for operation in operations
        for source in [
            *_sources(operation, infos, id_schemas, client_supplies_ids),
            *_header_references(operation, id_schemas),
        ]
    ]
    sources += [_made_source(item, by_route, infos) for item in made]
    sources += [shared for source in sources for shared in _same_objects(source, infos)]
    stated = [_stated_reference(reference, by_route, infos) for reference in required]
    stated_fields = {(item.target.operation_id, item.reference.field.removeprefix("[].")) for item in stated}
    references = {
        target.operation_id: [
            reference
            for reference in _body_references(target, id_schemas, infos)
            if (target.operation_id, reference.field) not in stated_fields
        ]
        for target in operations
    }
    after = {(item.method, item.path): _prerequisite(item, by_route) for item in prerequisites}
    for source in sources:
        links: dict[str, Any] = {}
        for target in operations:
            if target is source.operation:
                continue
            parameters = _path_links(source, target)
            if parameters and (target.method, target.path) not in after:
                links[target.operation_id] = _link(target, parameters=parameters)
            for field, body in _body_links(source, references[target.operation_id]):
                links[f"{target.operation_id}.{field}"] = _link(target, body=body)
        for item in stated:
            if item.target is not source.operation and item.reference.target == source.collection:
                _add_stated_link(links, source, item, stated, infos)
        if links:
            response = _success_response(document, source.operation)
            response.setdefault("links", {}).update(links)
    for (method, path), (before, parameters) in after.items():
        target = by_route[(method, path)]
        links = _success_response(document, before).setdefault("links", {})
        links[target.operation_id] = _link(target, parameters=parameters)


def _link(target: OperationSpec, parameters: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    link: dict[str, Any] = {"operationId": target.operation_id}
    if parameters:
        link["parameters"] = parameters
    if body is not None:
        link["requestBody"] = body
    link["x-inferred"] = True
    return link


def _success_response(document: dict[str, Any], operation: OperationSpec) -> dict[str, Any]:
    raw = document["paths"][operation.path][operation.method.lower()]
    return raw["responses"][str(operation.success.status)]


# --- where identifiers come from ------------------------------------------------------------


def _sources(
    operation: OperationSpec, infos: dict[str, CollectionInfo], id_schemas: dict[str, Key], client_supplies_ids: bool
) -> list[Source]:
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
        return f"/{_escape(id_field)}"
    # One level down: `{customer: {id}}`, `{properties: [{id}]}`.
    for name, prop in properties.items():
        if prop.get("type") == "object" and id_field in prop.get("properties", {}):
            return f"/{_escape(name)}/{_escape(id_field)}"
        if prop.get("type") == "array" and id_field in prop.get("items", {}).get("properties", {}):
            return f"/{_escape(name)}/0/{_escape(id_field)}"
    return None


def _listed_identifier(operation: OperationSpec, info: CollectionInfo) -> str | None:
    schema = operation.success.schema or {}
    if not operation.success.is_json:
        return None
    if schema.get("type") == "array":
        if schema.get("items", {}).get("type") in ("string", "integer"):
            return "$response.body#/0"  # a list of the identifiers themselves
        return f"$response.body#/0/{_escape(info.id_field)}"
    properties = schema.get("properties", {})
    wrapper = next(
        (name for name in properties if name in LIST_WRAPPERS and properties[name].get("type") == "array"),
        next((name for name, prop in properties.items() if prop.get("type") == "array"), None),
    )
    if wrapper is None:
        return None
    return f"$response.body#/{_escape(wrapper)}/0/{_escape(info.id_field)}"


def _header_references(operation: OperationSpec, id_schemas: dict[str, Key]) -> list[Source]:
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
                found.append(Source(operation, template, f"$response.body#/{_escape(name)}", creates=True))
    return found


def _same_objects(source: Source, infos: dict[str, CollectionInfo]) -> list[Source]:
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


# --- where identifiers go -------------------------------------------------------------------


def _path_links(source: Source, target: OperationSpec) -> dict[str, str]:
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


def _body_references(
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


def _body_links(source: Source, references: list[_BodyReference]) -> list[tuple[str, Any]]:
    """(field, request body part) for each body field naming an object of the source's
    collection; in a list body, the first item's field."""
    found = []
    for reference in references:
        if reference.collection != source.collection:
            continue
        value: Any = [source.expression] if reference.listed_field else source.expression
        found.append((reference.field, [{reference.field: value}] if reference.listed_body else {reference.field: value}))
    return found


# --- what the API module states -------------------------------------------------------------


@dataclass(frozen=True)
class _Stated:
    """A reference the API module enforces, with the operation it belongs to and the
    schema of the request part that names the object."""

    reference: RequiredReference
    target: OperationSpec
    schema: Schema


def _stated_reference(
    reference: RequiredReference, by_route: dict[tuple[str, str], OperationSpec], infos: dict[str, CollectionInfo]
) -> _Stated:
    target = by_route.get((reference.method, reference.path))
    if target is None:
        raise ValueError(f"a reference names an unknown operation {reference.method} {reference.path}")
    if reference.target not in infos:
        raise ValueError(f"a reference names an unknown collection {reference.target}")
    if reference.in_path:
        spec = next((item for item in target.parameters if item.location == "path" and f"{{{item.name}}}" == reference.field), None)
        schema = spec.schema if spec is not None else None
    else:
        body = next((body for body in target.bodies.values() if body.kind in ("json", "multipart")), None)
        schema = schema_at(body.schema, reference.field) if body is not None else None
    if schema is None:
        raise ValueError(f"{reference.method} {reference.path} has no {reference.field} for a reference")
    return _Stated(reference, target, schema)


def _prerequisite(item: Prerequisite, by_route: dict[tuple[str, str], OperationSpec]) -> tuple[OperationSpec, dict[str, str]]:
    """The operation that must come first, and the target's path parameters read from its path."""
    target = by_route.get((item.method, item.path))
    before = by_route.get((item.before_method, item.before_path))
    if target is None or before is None:
        raise ValueError(f"a prerequisite names an unknown operation: {item}")
    names = [segment[1:-1] for segment in target.path.split("/") if is_parameter(segment)]
    known = {segment[1:-1] for segment in before.path.split("/") if is_parameter(segment)}
    if not set(names) <= known:
        raise ValueError(f"{item.before_method} {item.before_path} does not name what {item.method} {item.path} needs")
    return before, {f"path.{name}": f"$request.path.{name}" for name in names}


def _made_source(item: MadeObjects, by_route: dict[tuple[str, str], OperationSpec], infos: dict[str, CollectionInfo]) -> Source:
    operation = by_route.get((item.method, item.path))
    if operation is None or item.collection not in infos:
        raise ValueError(f"made objects name an unknown operation or collection: {item}")
    return Source(operation, item.collection, item.expression, creates=True)


def _add_stated_link(
    links: dict[str, Any], source: Source, item: _Stated, stated: list[_Stated], infos: dict[str, CollectionInfo]
) -> None:
    """The link from ``source`` into the request part the reference names, where the
    source's values fit it (a `uuid` field names no object keyed by an integer).

    A body field names its object within the objects the request's path names: the link
    also fills the path parameters that name the object (or, for a nested collection,
    its parents) from the same source.
    """
    reference = item.reference
    expression = _keyed(source, infos[reference.target], reference.by)
    if expression is None or not _fits(item.schema, infos[reference.target], reference.by):
        return
    if not _answers_in_type(source, expression, item.schema):
        return
    target = item.target
    if reference.in_path:
        parameters = {**links.get(target.operation_id, {}).get("parameters", {}), f"path.{reference.field[1:-1]}": expression}
        links[target.operation_id] = _link(target, parameters=parameters)
        return
    parameters = _same_object_parameters(source, item, stated, infos)
    if parameters is None:
        return
    value: Any = [expression] if item.schema.get("type") == "array" else expression
    parts = field_parts(reference.field)
    for part in reversed(parts):
        value = [value] if part == "[]" else {part: value}
    name = ".".join(part for part in parts if part != "[]")
    links[f"{target.operation_id}.{name}"] = _link(target, parameters=parameters, body=value)


def _fits(schema: Schema, info: CollectionInfo, by: str | None) -> bool:
    field = by or info.id_field
    key_schema = info.id_schema if by is None else (schema_at(info.item_schema, by) or {})
    return compatible(schema.get("items", {}) if schema.get("type") == "array" else schema, (field, key_schema))


def _same_object_parameters(
    source: Source, item: _Stated, stated: list[_Stated], infos: dict[str, CollectionInfo]
) -> dict[str, str] | None:
    """`path.<name>` -> expression for the target's path parameters that name the
    referenced object (a stated path reference) or its parents; None where the source
    cannot tell them."""
    target = item.target
    names = {segment[1:-1] for segment in target.path.split("/") if is_parameter(segment)}
    source_names = {segment[1:-1] for segment in source.operation.path.split("/") if is_parameter(segment)}
    parameters: dict[str, str] = {}
    for segment in item.reference.target.split("/"):
        if is_parameter(segment) and segment[1:-1] in names:
            if segment[1:-1] not in source_names:
                return None
            parameters[f"path.{segment[1:-1]}"] = f"$request.path.{segment[1:-1]}"
    for other in stated:
        if other.target is target and other.reference.in_path and other.reference.target == item.reference.target:
            expression = _keyed(source, infos[other.reference.target], other.reference.by)
            if expression is None:
                return None
            parameters[f"path.{other.reference.field[1:-1]}"] = expression
    return parameters


def _keyed(source: Source, info: CollectionInfo, by: str | None) -> str | None:
    """The source's expression for the field ``by`` (a field path) of the object it
    yields, or for its identifier when ``by`` is None; None where the source does not
    show that field. An object made from the request holds what the request body says."""
    if by is None:
        return source.expression
    pointer = "".join(f"/{'0' if part == '[]' else _escape(part)}" for part in field_parts(by))
    suffix = f"/{_escape(info.id_field)}"
    candidates = []
    if "#" in source.expression and source.expression.endswith(suffix):
        candidates.append(source.expression[: -len(suffix)] + pointer)
    if source.operation.kind in CREATING_KINDS:
        candidates.append(f"$request.body#{pointer}")
    for expression in candidates:
        side, where = expression.split("#", 1)
        if side == "$response.body":
            schema = source.operation.success.schema if source.operation.success.is_json else None
        else:
            schema = next((body.schema for body in source.operation.bodies.values() if body.kind == "json"), None)
        if schema is not None and _has_pointer(schema, where):
            return expression
    return None


def _has_pointer(schema: Schema, pointer: str) -> bool:
    return _schema_at_pointer(schema, pointer) is not None


def _schema_at_pointer(schema: Schema, pointer: str) -> Schema | None:
    """The schema of the value a JSON pointer names in a value of ``schema``, or None."""
    for token in pointer.split("/")[1:]:
        if token.isdigit() and schema.get("type") == "array":
            schema = schema.get("items", {})
            continue
        properties = schema.get("properties", {})
        name = token.replace("~1", "/").replace("~0", "~")
        if name not in properties:
            return None
        schema = properties[name]
    return schema


def _answers_in_type(source: Source, expression: str, schema: Schema) -> bool:
    """Whether the value an answer's expression names is documented with the type the
    request part takes (a customer answered with a text id fills no integer field)."""
    side, _, pointer = expression.partition("#")
    answered = source.operation.success.schema if side == "$response.body" and source.operation.success.is_json else None
    found = _schema_at_pointer(answered, pointer) if answered else None
    wanted = (schema.get("items", {}) if schema.get("type") == "array" else schema).get("type")
    given = (found or {}).get("type")
    return given is None or wanted is None or given == wanted or {given, wanted} == {"integer", "number"}


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")



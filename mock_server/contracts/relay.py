"""The Relay API documents (two Redoc texts) read into an ApiContract.

The first text holds every operation with its fields but collapses nested objects in
its samples; the second repeats most samples fully expanded. Samples of the second text
replace the first's where they expand them. Methods and paths come from the project's
paths specification; status codes are not printed, so they are inferred.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from .redoc import (
    Field,
    RedocOperation,
    collect_json_text,
    error_responses,
    field_parameter,
    field_schema,
    name_unnamed_fields,
    object_schema,
    parse_bulleted_json,
    parse_operations,
    tag_at,
    tag_positions,
)
from .model import ApiContract, JsonSchema, Operation, RequestBody, Response
from .prose import short_description
from .samples import schema_from_sample

# operationId | method | path
OPERATIONS = """
CreateAddress|POST|/addresses
CreateCustomer|POST|/customers
GetCustomers|GET|/customers
CreateProperties|POST|/properties
GetProperties|GET|/properties
DeleteProperty|DELETE|/properties/{propertyId}
GetProperty|GET|/properties/{propertyId}
GetOrderById|GET|/orders/{orderId}
PatchOrder|PATCH|/orders/{orderId}
CreateOrder|POST|/orders
GetAllOrders|GET|/orders
GetOrderCommentsByOrderId|GET|/orders/{orderId}/comments
CreateOrderComment|POST|/orders/{orderId}/comments
CreateOrderField|POST|/order-fields
CreateOrderContactPerson|POST|/order-contact-persons
"""

TAGS = ["Addresses", "Customers", "Properties", "Orders", "OrderFields", "OrderContactPersons"]

# Shared models: name -> (operation, "request"/"response", path into its expanded sample).
MODELS: dict[str, tuple[str, str, tuple[Any, ...]]] = {
    "ApiAddress": ("PatchOrder", "request", ("address",)),
    "Customer": ("GetCustomers", "response", ("customers", 0)),
    "PropertyApiDefinition": ("CreateProperties", "request", ("properties", 0)),
    "Property": ("GetProperty", "response", ()),
    "Order": ("GetOrderById", "response", ()),
    "OrderComment": ("GetOrderCommentsByOrderId", "response", (0,)),
    "Attachment": ("GetOrderById", "response", ("attachments", 0)),
    "OrderField": ("GetOrderById", "response", ("fields", 0)),
    "ContactPerson": ("GetOrderById", "response", ("contactPersons", 0)),
}
# The order fields a client sends in CreateOrder's `order` part (paths specification).
ORDER_INPUT_FIELDS = [
    "title", "status", "address", "dueDate", "followUpDate", "internalId", "isInternal", "type", "taskId",
    "customerId", "fields", "contactPersons",
]
MULTIPART_OPERATIONS = {"CreateOrder", "CreateOrderComment"}
# "A maximum of 10 files": the file parts of a multipart body.
MAX_FILES = 10
# Operations that name an order in their body: the order must exist.
ORDER_REFERENCING = {"CreateOrderField", "CreateOrderContactPerson"}
# What the sandbox adds to request bodies the document prints (marked `x-inferred`): a
# PATCH changes only the fields the document lists for it (the behaviour specification),
# and a field's `position` is a whole number, as the order model shows it.
CLOSED_BODIES = {"PatchOrder"}
NARROWED_FIELDS: dict[tuple[str, str], JsonSchema] = {
    ("CreateOrderField", "position"): {"type": "integer", "x-inferred": True},
}

ERROR_SCHEMA: JsonSchema = {
    "type": "object",
    "x-inferred": True,
    "required": ["statusCode", "message", "error"],
    "properties": {
        "statusCode": {"type": "integer"},
        "message": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        "error": {"type": "string"},
    },
}


def parse_relay(text: str, expanded_text: str | None) -> ApiContract:
    """Build the Relay contract from the reference text and its expanded-samples text."""
    lines = text.splitlines()
    rows = [line.split("|") for line in OPERATIONS.strip().splitlines()]
    parsed = parse_operations(lines, [row[0] for row in rows], len(lines))
    if expanded_text:
        _expand_samples(parsed, _samples_of(expanded_text))
    by_id = {op.title: op for op in parsed}

    schemas, sampled = _components(by_id)
    refs = set(schemas)
    tag_lines = tag_positions(lines, TAGS)
    operations = []
    for (op_id, method, path), source in zip(rows, parsed):
        operations.append(_operation(source, method, path, tag_at(tag_lines, source.line), _Models(schemas, sampled), refs))
    return ApiContract(
        name="relay",
        title=lines[0].strip(),
        version="1.0",
        description="Orders, customers and properties for service providers.",
        security_schemes={"bearer": {"type": "http", "scheme": "bearer", "description": "The account's API key"}},
        default_security=[{"bearer": []}],
        operations=operations,
        schemas={name: schemas[name] for name in sorted(schemas)},
        tags=TAGS,
    )


# --- the expanded samples -------------------------------------------------------------


def _samples_of(text: str) -> list[Any]:
    """Every JSON sample of the expanded text, in order."""
    lines = text.splitlines()
    samples = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(("{", "[")) or stripped.lstrip("-").isdigit():
            chunk, i = collect_json_text(lines, i, len(lines))
            samples.append(parse_bulleted_json(chunk))
        else:
            i += 1
    return samples


def _expands(full: Any, collapsed: Any) -> bool:
    """Whether ``full`` is ``collapsed`` with its collapsed objects and arrays filled in."""
    if isinstance(collapsed, dict) and isinstance(full, dict):
        if not collapsed:
            return True
        return list(collapsed) == list(full) and all(_expands(full[k], v) for k, v in collapsed.items())
    if isinstance(collapsed, list) and isinstance(full, list):
        return not collapsed or (bool(full) and _expands(full[0], collapsed[0]))
    return type(full) is type(collapsed)


def _expand_samples(parsed: list[RedocOperation], expanded: list[Any]) -> None:
    """Align both texts' samples in order (most matches win) and take the expanded ones."""
    collapsed = [sample for op in parsed for sample in op.request_samples + op.response_samples]
    n, m = len(collapsed), len(expanded)
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            matched = 1 + best[i + 1][j + 1] if _expands(expanded[j], collapsed[i].value) else 0
            best[i][j] = max(matched, best[i + 1][j], best[i][j + 1])
    i = j = 0
    while i < n and j < m:
        if _expands(expanded[j], collapsed[i].value) and best[i][j] == 1 + best[i + 1][j + 1]:
            collapsed[i].value = expanded[j]
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1


# --- components -----------------------------------------------------------------------


def _components(by_id: dict[str, RedocOperation]) -> tuple[dict[str, JsonSchema], dict[str, JsonSchema]]:
    """The shared models (refined with what field lists state) and their plain sampled form.

    Sub-schemas of samples are matched against the plain form to become `$ref`s.
    """
    schemas: dict[str, JsonSchema] = {}
    for name, (op_id, side, path) in MODELS.items():
        source = by_id[op_id]
        samples = source.request_samples if side == "request" else source.response_samples
        value = samples[0].value
        for step in path:
            value = value[step]
        schemas[name] = schema_from_sample(value)
    sampled = copy.deepcopy(schemas)
    # The PatchOrder field list states the status enum the order model carries.
    status = next(f for f in by_id["PatchOrder"].body_fields if f.name == "status")
    schemas["Order"]["properties"]["status"]["enum"] = list(status.enum or [])
    schemas["Order"]["properties"]["dueDate"]["nullable"] = True
    schemas["Order"]["properties"]["followUpDate"]["nullable"] = True
    for name in sorted(schemas):
        schemas[name] = _with_refs(schemas[name], sampled, top=name)
    schemas["Error"] = ERROR_SCHEMA
    return schemas, sampled


def _canonical(schema: JsonSchema) -> str:
    return json.dumps(schema, sort_keys=True)


def _with_refs(schema: JsonSchema, components: dict[str, JsonSchema], top: str | None = None) -> JsonSchema:
    """Replace every sub-schema equal to a shared model by a `$ref` to it."""
    for name, component in components.items():
        if name != top and _canonical(schema) == _canonical(component):
            return {"$ref": f"#/components/schemas/{name}"}
    result = dict(schema)
    if "properties" in result:
        result["properties"] = {k: _with_refs(v, components) for k, v in result["properties"].items()}
    if "items" in result:
        result["items"] = _with_refs(result["items"], components)
    return result


# --- operations -----------------------------------------------------------------------


@dataclass
class _Models:
    refined: dict[str, JsonSchema]  # as written to the contract
    sampled: dict[str, JsonSchema]  # as inferred from samples, for recognising them


def _operation(
    source: RedocOperation, method: str, path: str, tag: str, models: _Models, refs: set[str]
) -> Operation:
    operation = Operation(
        method=method,
        path=path,
        operation_id=source.title,
        summary=source.title,
        tags=[tag],
        inferred=True,
        description=short_description(source.description),
        security=[] if source.open_access else None,
    )
    for location in ("path", "query", "header"):
        operation.parameters.extend(field_parameter(item, location) for item in source.parameters.get(location, []))
    if source.body_content_type:
        operation.request_bodies.append(_request_body(source, models, refs))
    operation.responses = _success(source, models.sampled) + _errors(source, path)
    return operation


def _request_body(source: RedocOperation, models: _Models, refs: set[str]) -> RequestBody:
    fields = list(source.body_fields)
    sample = source.request_samples[0].value if source.request_samples else None
    name_unnamed_fields(fields, list(sample) if isinstance(sample, dict) else [])
    if source.title == "CreateOrder":
        return _create_order_body(fields, models.refined, refs)
    schema = object_schema(fields, refs)
    if isinstance(sample, dict):
        sampled = _with_refs(schema_from_sample(sample), models.sampled)
        for name, prop in schema["properties"].items():
            # Nested objects are known only from the expanded sample.
            if prop.get("type") == "object" and "properties" not in prop and name in sampled["properties"]:
                schema["properties"][name] = {**sampled["properties"][name], **_described(prop)}
            elif prop.get("type") == "array" and prop.get("items") == {"type": "object"}:
                schema["properties"][name]["items"] = sampled["properties"][name].get("items", {})
    _add_inferred_rules(source.title, schema)
    if source.body_content_type == "multipart/form-data":
        return RequestBody("multipart/form-data", schema, encoding=_file_encoding(schema))
    return RequestBody(source.body_content_type or "application/json", schema, example=sample)


def _add_inferred_rules(operation_id: str, schema: JsonSchema) -> None:
    if operation_id in CLOSED_BODIES:
        schema.update({"additionalProperties": False, "x-inferred": True})
    for (owner, name), narrowed in NARROWED_FIELDS.items():
        if owner == operation_id:
            schema["properties"][name].update(narrowed)


def _described(prop: JsonSchema) -> JsonSchema:
    return {"description": prop["description"]} if "description" in prop else {}


def _create_order_body(fields: list[Field], schemas: dict[str, JsonSchema], refs: set[str]) -> RequestBody:
    """The order travels as JSON text in a form part the document does not name."""
    order_properties = schemas["Order"]["properties"]
    order_schema: JsonSchema = {
        "type": "object",
        "x-inferred": True,
        "properties": {name: copy.deepcopy(order_properties[name]) for name in ORDER_INPUT_FIELDS},
        "required": ["title"],
    }
    for item in fields:
        if item.name is None:
            item.name = "order"
    files = next(f for f in fields if f.name == "files")
    schema: JsonSchema = {
        "type": "object",
        "properties": {"order": order_schema, "files": field_schema(files, refs)},
        "required": ["order"],
    }
    encoding = {"order": {"contentType": "application/json"}, **_file_encoding(schema)}
    return RequestBody("multipart/form-data", schema, encoding=encoding)


def _file_encoding(schema: JsonSchema) -> dict[str, dict[str, Any]]:
    """Files are sent as octet streams, at most `MAX_FILES` of them (the documented limit)."""
    files = schema.get("properties", {}).get("files")
    if files is None:
        return {}
    if files.get("type") == "array":
        files["maxItems"] = MAX_FILES
    return {"files": {"contentType": "application/octet-stream"}}


def _success(source: RedocOperation, schemas: dict[str, JsonSchema]) -> list[Response]:
    if not source.response_samples:
        return [Response(status=204, description="No Content", inferred=True)]
    sample = source.response_samples[0].value
    schema = _with_refs(schema_from_sample(sample), schemas)
    return [Response(status=200, description="OK", schema=schema, example=sample, inferred=True)]


def _errors(source: RedocOperation, path: str) -> list[Response]:
    statuses = [400]
    if not source.open_access:
        statuses.append(401)
    if "{" in path or source.title in ORDER_REFERENCING:
        statuses.append(404)
    if source.title in MULTIPART_OPERATIONS:
        statuses.append(413)
    return error_responses(statuses)

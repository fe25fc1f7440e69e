"""A valid request for an operation: the documented example where there is one, values
generated from the schema otherwise, with the fields the walk supplies put in."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from mock_server.engine.contract.operations import BodySpec, OperationSpec
from mock_server.engine.contract.references import names_references
from mock_server.engine.contract.schema import Schema
from mock_server.engine.values.fake import FakeData

FILE_CONTENT = b"walked file\n"


@dataclass
class Request:
    """What the walk sends, and how it reads back what it sent."""

    method: str
    path: str  # the concrete path, without the mount
    path_parameters: dict[str, Any]
    query: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    sent_body: Any = None  # what `$request.body` reads
    content: bytes | None = None
    data: dict[str, Any] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None

    def httpx_arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {"params": self.query, "headers": self.headers}
        if self.json_body is not None:
            arguments["json"] = self.json_body
        if self.content is not None:
            arguments["content"] = self.content
        if self.data is not None:
            arguments["data"] = self.data
        if self.files is not None:
            arguments["files"] = self.files
        return arguments


def parameter_value(fake: FakeData, operation: OperationSpec, name: str, location: str, key: str) -> Any:
    """The documented example of a parameter, or a value generated from its schema."""
    raw = next(
        (item for item in operation.raw.get("parameters", []) if item["name"].lower() == name.lower() and item["in"] == location),
        {},
    )
    if "example" in raw:
        return raw["example"]
    spec = next(item for item in operation.parameters if item.name == name and item.location == location)
    if spec.default is not None:
        return spec.default
    return fake.value(spec.schema, key, name)


def body_spec(operation: OperationSpec) -> BodySpec | None:
    """The body the walk sends: JSON where documented, else the first documented kind."""
    if not operation.bodies:
        return None
    specs = list(operation.bodies.values())
    return next((spec for spec in specs if spec.kind == "json"), specs[0])


def body_value(fake: FakeData, operation: OperationSpec, spec: BodySpec, key: str) -> Any:
    """The documented example of a JSON body, or one generated from its schema."""
    media = operation.raw.get("requestBody", {}).get("content", {}).get(spec.content_type, {})
    if "example" in media:
        return copy.deepcopy(media["example"])
    return fake.value(spec.schema, key)


def field_paths(fields: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Where a link's request body part puts values: (`settings`, `phone_number_id`),
    (`routing`, `claim_id`) for list items; a list of identifiers is one value."""
    if isinstance(fields, dict):
        return {path for name, item in fields.items() for path in field_paths(item, (*prefix, name))}
    if isinstance(fields, list) and not _is_id_list(fields):
        return {path for item in fields for path in field_paths(item, prefix)}
    return {prefix}


def without_unknown_references(value: Any, schema: Schema, supplied: set[tuple[str, ...]], prefix: tuple[str, ...] = ()) -> Any:
    """Optional fields naming other objects that the walk cannot supply are left out, at any depth."""
    if isinstance(value, list):
        return [without_unknown_references(item, schema.get("items", {}), supplied, prefix) for item in value]
    if not isinstance(value, dict):
        return value
    required = set(schema.get("required", ()))
    properties = schema.get("properties", {})
    return {
        name: without_unknown_references(item, properties.get(name, {}), supplied, (*prefix, name))
        for name, item in value.items()
        if not (names_references(name) and (*prefix, name) not in supplied and name not in required)
    }


def put_fields(value: Any, fields: Any) -> Any:
    """The link's request body part merged into the generated body (list items by index)."""
    if isinstance(value, dict) and isinstance(fields, dict):
        merged = dict(value)
        for name, item in fields.items():
            merged[name] = put_fields(value[name], item) if name in value and isinstance(item, (dict, list)) and not _is_id_list(item) else item
        return merged
    if isinstance(value, list) and isinstance(fields, list):
        return [put_fields(item, part) for item, part in zip(value, fields)] + value[len(fields):]
    return fields


def _is_id_list(item: Any) -> bool:
    return isinstance(item, list) and all(not isinstance(part, (dict, list)) for part in item)


def encode_body(request: Request, spec: BodySpec, value: Any, content_type_header: str | None) -> None:
    """Put ``value`` into the request in the body's documented form."""
    if spec.kind == "json":
        request.json_body = value
        request.sent_body = value
    elif spec.kind == "multipart":
        request.content, request.headers["content-type"] = _multipart(spec, value if isinstance(value, dict) else {})
        request.sent_body = value
    elif spec.kind == "form":
        request.data = {name: _text(item) for name, item in (value or {}).items()}
        request.sent_body = value
    else:
        declared = spec.content_type if "*" not in spec.content_type else "application/octet-stream"
        request.headers["content-type"] = content_type_header or declared
        request.content = FILE_CONTENT


BOUNDARY = "walk-boundary-7d41"


def _multipart(spec: BodySpec, value: dict[str, Any]) -> tuple[bytes, str]:
    """A multipart/form-data body: one file part per binary field, text parts otherwise."""
    parts: list[bytes] = []
    properties = spec.schema.get("properties", {})
    for name, prop in properties.items():
        item_schema = prop.get("items", {}) if prop.get("type") == "array" else prop
        if item_schema.get("format") == "binary":
            head = f'Content-Disposition: form-data; name="{name}"; filename="{name}.txt"\r\nContent-Type: text/plain'
            parts.append(head.encode() + b"\r\n\r\n" + FILE_CONTENT)
        elif name in value:
            encoded = spec.encoding.get(name, {}).get("contentType", "")
            item = value[name]
            text = json.dumps(item) if encoded.endswith("json") or isinstance(item, (dict, list)) else _text(item)
            parts.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n{text}'.encode())
    body = b"".join(f"--{BOUNDARY}\r\n".encode() + part + b"\r\n" for part in parts) + f"--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)

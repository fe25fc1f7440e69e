"""The Case messages API v3 document (prose with tables and JSON) read into an ApiContract.

Each operation starts at a `METHOD /path` line. What follows is read by its labels: an
input table (`Name Type Description`, `*` marks required, digits point at footnotes),
footnotes, `Example`, `Output` and error examples as JSON (with `//` comments).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .model import ApiContract, JsonSchema, Operation, Parameter, RequestBody, Response
from .prose import camel_identifier, short_description
from .samples import merge_schemas, schema_from_sample

_OPERATION_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE) (/\S+)$")
_TABLE_ROW = re.compile(r"^(?P<name>[A-Za-z_]+)(?P<required>\*)?(?P<notes>\d*) (?P<type>\w+(?:\(\d+\))?)\s*(?P<text>.*)$")
_FOOTNOTE = re.compile(r"^(\d+) (.+)$")
_COMMENT = re.compile(r"\s*//[^\n\"]*$", re.MULTILINE)

_TYPES: dict[str, JsonSchema] = {
    "Guid": {"type": "string", "format": "uuid"},
    "String": {"type": "string"},
    "Date": {"type": "string", "format": "date-time"},
    "Int": {"type": "integer"},
}
# What a caller's token decides (the document names both roles on every operation).
SENDER_TYPES = ["partner", "provider"]


@dataclass
class _Section:
    method: str
    path: str
    lines: list[str] = field(default_factory=list)


def parse_messages(text: str) -> ApiContract:
    """Build the Case messages contract from the document text."""
    lines = text.splitlines()
    sections: list[_Section] = []
    for line in lines:
        match = _OPERATION_LINE.match(line.strip())
        if match:
            sections.append(_Section(match.group(1), match.group(2)))
        elif sections:
            sections[-1].lines.append(line)
    message = _message_schema(sections)
    schemas: dict[str, JsonSchema] = {
        "Message": message,
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {"type": "object", "required": ["message"], "properties": {"message": {"type": "string"}}}
            },
        },
    }
    operations = [_operation(section) for section in sections]
    schemas["ConfirmResult"] = _confirm_result_schema(next(s for s in sections if s.path.endswith("/confirm")))
    return ApiContract(
        name="messages",
        title=lines[0].strip(),
        version="3",
        description="Messages that service partners and providers exchange on repair cases.",
        security_schemes={"accessToken": {"type": "apiKey", "in": "query", "name": "accessToken"}},
        default_security=[{"accessToken": []}],
        operations=operations,
        schemas=dict(sorted(schemas.items())),
        tags=["Case messages"],
    )


def _operation(section: _Section) -> Operation:
    summary = _first_sentence(section.lines)
    operation = Operation(
        method=section.method,
        path=section.path,
        operation_id=_operation_id(section),
        summary=summary,
        tags=["Case messages"],
    )
    inputs = _input_fields(section.lines)
    examples = _json_blocks(section.lines)
    if section.method == "GET":
        operation.parameters = [
            Parameter(name, "query", schema, name in required, short_description(text))
            for name, schema, text in inputs.fields
            for required in [inputs.required]
        ]
        operation.responses.append(
            Response(200, "The case's messages in creation order", {"type": "array", "items": _message_ref()},
                     example=examples.get("Output"))
        )
    elif section.path.endswith("/confirm"):
        operation.request_bodies.append(
            RequestBody("application/json", {"type": "array", "items": {"type": "integer"}},
                        example=examples.get("Example"))
        )
        operation.responses.append(
            Response(200, "Confirmation report", {"$ref": "#/components/schemas/ConfirmResult"},
                     example=examples.get("Output"))
        )
    else:
        body: JsonSchema = {"type": "object", "properties": {n: s for n, s, _ in inputs.fields}}
        body["required"] = sorted(inputs.required, key=[n for n, _, _ in inputs.fields].index)
        operation.request_bodies.append(RequestBody("application/json", body, example=examples.get("Example")))
        operation.responses.append(Response(200, "The created message", _message_ref(), example=examples.get("Output")))
    for status in (400, 401, 403, 404) if not section.path.endswith("/confirm") else (400, 401):
        operation.responses.append(Response(status, "", {"$ref": "#/components/schemas/Error"}))
    return operation


def _operation_id(section: _Section) -> str:
    """`GET /api/v3/case-messages` -> getCaseMessages; `POST .../confirm` -> confirmCaseMessages."""
    *_, resource, last = section.path.split("/")
    if last.isalpha():
        return camel_identifier(f"{last} {resource}")
    return camel_identifier(f"{section.method.lower()} {last}")


def _message_ref() -> JsonSchema:
    return {"$ref": "#/components/schemas/Message"}


def _first_sentence(lines: list[str]) -> str:
    """The operation's title: its first sentence, cut to its head clause when long."""
    text = next(line.strip() for line in lines if line.strip())
    sentence = text.split(". ")[0].rstrip(".")
    if len(sentence) > 60:
        sentence = re.split(r",| is | are ", sentence)[0]
    return sentence


@dataclass
class _Inputs:
    fields: list[tuple[str, JsonSchema, str]]
    required: set[str]


def _input_fields(lines: list[str]) -> _Inputs:
    """The rows of the `Name Type Description` table, completed by its footnotes."""
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == "Name Type Description")
    except StopIteration:
        return _Inputs([], set())
    footnotes = {m.group(1): m.group(2) for line in lines if (m := _FOOTNOTE.match(line.strip()))}
    fields: list[tuple[str, JsonSchema, str]] = []
    required: set[str] = set()
    for line in lines[start + 1 :]:
        match = _TABLE_ROW.match(line.strip())
        if not line.strip() or match is None:
            break
        schema = _type_schema(match.group("type"))
        note = footnotes.get(match.group("notes") or "", "")
        values = re.match(r"Possible values are: (.+)$", note)
        if values:
            schema["enum"] = [value.strip() for value in values.group(1).split(",")]
        fields.append((match.group("name"), schema, match.group("text")))
        if match.group("required"):
            required.add(match.group("name"))
    return _Inputs(fields, required)


def _type_schema(type_name: str) -> JsonSchema:
    match = re.match(r"(\w+)(?:\((\d+)\))?", type_name)
    assert match is not None
    schema = dict(_TYPES.get(match.group(1), {"type": "string"}))
    if match.group(2):
        schema["maxLength"] = int(match.group(2))
    return schema


def _json_blocks(lines: list[str]) -> dict[str, Any]:
    """JSON examples by the label line before them (`Example`, `Output`, ...); first wins."""
    blocks: dict[str, Any] = {}
    label = ""
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped.startswith(("{", "[")):
            text, i = _collect(lines, i)
            blocks.setdefault(label, json.loads(_COMMENT.sub("", text)))
            continue
        if stripped:
            label = stripped.rstrip(":")
        i += 1
    return blocks


def _collect(lines: list[str], i: int) -> tuple[str, int]:
    opening = lines[i].strip()[0]
    closing = "}" if opening == "{" else "]"
    if lines[i].strip().endswith(closing) and len(lines[i].strip()) > 1:
        return lines[i], i + 1
    collected = [lines[i]]
    i += 1
    while i < len(lines):
        collected.append(lines[i])
        i += 1
        if lines[i - 1].rstrip() == closing:
            break
    return "\n".join(collected), i


def _message_schema(sections: list[_Section]) -> JsonSchema:
    """The message model: every message the outputs print, merged."""
    schema: JsonSchema = {}
    for section in sections:
        if section.path.endswith("/confirm"):
            continue
        output = _json_blocks(section.lines).get("Output")
        for message in output if isinstance(output, list) else [output]:
            schema = merge_schemas(schema, schema_from_sample(message))
    properties = schema["properties"]
    for name in ("createdAt", "updatedAt", "declaredAt", "confirmedAt"):
        properties[name]["format"] = "date-time"
    properties["senderType"]["enum"] = [*SENDER_TYPES, None]
    properties["senderType"]["nullable"] = True
    properties["confirmedAt"]["type"] = "string"
    properties["externalId"]["nullable"] = True
    create = next(s for s in sections if s.path.endswith("/create"))
    written = _input_fields(create.lines)
    for name, stated, _ in written.fields:
        if name not in properties:
            # Echoed back as written; absent when the client left it out.
            properties[name] = {**stated, "nullable": True}
        elif "enum" in stated:
            properties[name]["enum"] = stated["enum"]
    return schema


def _confirm_result_schema(section: _Section) -> JsonSchema:
    blocks = [block for label, block in _json_blocks(section.lines).items() if isinstance(block, dict) and "errors" in block]
    schema: JsonSchema = {}
    for block in blocks:
        schema = merge_schemas(schema, schema_from_sample(block))
    errors = schema["properties"]["errors"]["items"]
    errors["properties"]["message"]["enum"] = sorted({e["message"] for b in blocks for e in b["errors"]})
    schema["required"] = ["success", "errors", "data"]
    return schema

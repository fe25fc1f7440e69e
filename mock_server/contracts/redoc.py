"""Reader for Redoc-rendered reference text (the casavi and Relay documents).

A Redoc page renders each operation as a title, an optional description, then labelled
sections: ``Authorizations:``, ``path Parameters``, ``Request Body schema: <type>``, a
field list, ``Responses``, and ``Request samples`` / ``Response samples`` with bulleted
JSON. Object-typed fields lose their names in the rendering (they are expandable widgets
on the page), so unnamed fields are named after the sample's keys where a sample exists.

This module knows that layout only; which title is which operation, and what the fields
mean for one API, is decided by that API's profile (`casavi`, `relay`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from .model import JsonSchema, Parameter, Response
from .prose import short_description

_TYPE_LINE = re.compile(r"^(string|integer|number|boolean|object|Array)\b")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_PARAM_SECTION = re.compile(r"^(path|query|header) Parameters$")
_BODY_SECTION = re.compile(r"^Request Body schema: (.+)$")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
_BULLET = re.compile(r"^(\s*)(?:•|-) ?", re.MULTILINE)
_INLINE_BULLET = re.compile(r"([{\[,]\s*)- ")


@dataclass
class Field:
    """One entry of a Redoc field or parameter list."""

    name: str | None
    type_line: str = ""
    required: bool = False
    enum: list[Any] | None = None
    items_enum: list[Any] | None = None
    default: Any = None
    example: str | None = None
    deprecated: bool = False
    description: str | None = None


@dataclass
class Sample:
    """A request or response sample: its content type and parsed value."""

    content_type: str
    value: Any


@dataclass
class RedocOperation:
    """The sections of one operation as printed."""

    title: str
    line: int
    description: str | None = None
    open_access: bool = False
    parameters: dict[str, list[Field]] = field(default_factory=dict)
    body_content_type: str | None = None
    body_fields: list[Field] = field(default_factory=list)
    request_samples: list[Sample] = field(default_factory=list)
    response_samples: list[Sample] = field(default_factory=list)


def normalise_title(text: str) -> str:
    """Titles compare without case, punctuation, parentheses or a `Deprecated` badge."""
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\bdeprecated\b", " ", text, flags=re.IGNORECASE)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def locate_operations(lines: list[str], titles: list[str]) -> list[int]:
    """Line index where each titled operation's block starts, in document order.

    A title may also appear as a tag heading or be repeated as the description, so the
    block start is the last line carrying the title before the operation's first
    section marker.
    """
    starts: list[int] = []
    cursor = 0
    for title in titles:
        wanted = normalise_title(title)
        first = next((i for i in range(cursor, len(lines)) if normalise_title(lines[i]) == wanted), None)
        if first is None:
            raise ValueError(f"operation title not found in document: {title!r}")
        marker = next(i for i in range(first + 1, len(lines)) if _is_section_marker(lines[i]))
        start = max(i for i in range(first, marker) if normalise_title(lines[i]) == wanted)
        starts.append(start)
        cursor = marker
    return starts


def _is_section_marker(line: str) -> bool:
    return line in ("Authorizations:", "Responses") or bool(_BODY_SECTION.match(line) or _PARAM_SECTION.match(line))


def parse_operation(title: str, lines: list[str], start: int, end: int) -> RedocOperation:
    """Read the sections of the operation block ``lines[start:end]``."""
    operation = RedocOperation(title=title, line=start, description=_description(title, lines, start, end))
    section: list[Field] | None = None
    i = start + 1
    while i < end:
        line = lines[i].strip()
        if line == "Authorizations:":
            operation.open_access = i + 1 < end and lines[i + 1].strip() == "None"
            section = None
        elif match := _PARAM_SECTION.match(line):
            section = operation.parameters.setdefault(match.group(1), [])
        elif match := _BODY_SECTION.match(line):
            operation.body_content_type = match.group(1).strip()
            section = operation.body_fields
        elif line == "Responses":
            section = None
        elif line in ("Request samples", "Response samples"):
            sample, i = _read_sample(lines, i + 1, end)
            if sample is not None:
                target = operation.request_samples if line.startswith("Request") else operation.response_samples
                target.append(sample)
            continue
        elif section is not None and line:
            i = read_field_line(section, lines, i, end)
            continue
        i += 1
    return operation


def parse_operations(lines: list[str], titles: list[str], end: int) -> list[RedocOperation]:
    """Every titled operation, in document order; the last block ends at line ``end``."""
    starts = locate_operations(lines, titles)
    ends = starts[1:] + [end]
    return [parse_operation(title, lines, start, stop) for title, start, stop in zip(titles, starts, ends)]


def tag_positions(lines: list[str], tags: list[str]) -> list[tuple[int, str]]:
    """(line index, tag) of every tag heading; each of ``tags`` must be printed."""
    found = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() in tags]
    missing = set(tags) - {name for _, name in found}
    if missing:
        raise ValueError(f"tag headings not found: {sorted(missing)}")
    return found


def tag_at(positions: list[tuple[int, str]], line: int) -> str:
    """The tag whose heading is the last one printed before ``line``."""
    return [name for i, name in positions if i < line][-1]


def _description(title: str, lines: list[str], start: int, end: int) -> str | None:
    """The first line after the title, when it comes before any section."""
    i = _next_content_line(lines, start + 1, end)
    if i >= end or _is_section_marker(lines[i].strip()):
        return None
    text = lines[i].strip()
    return None if normalise_title(text) == normalise_title(title) else text


def _next_content_line(lines: list[str], i: int, end: int) -> int:
    while i < end and not lines[i].strip():
        i += 1
    return i


def read_field_line(fields: list[Field], lines: list[str], i: int, end: int) -> int:
    """Consume one line of a field list, starting or completing a field."""
    line = lines[i].strip()
    following = lines[_next_content_line(lines, i + 1, end)].strip() if i + 1 < end else ""
    current = fields[-1] if fields else None
    awaiting_type = current is not None and not current.type_line
    starts_typed = bool(_TYPE_LINE.match(following)) or following == "required"
    if awaiting_type and _TYPE_LINE.match(line):
        current.type_line = line
    elif awaiting_type and line == "required":
        current.required = True
    elif _FIELD_NAME.match(line) and line != "required" and starts_typed:
        fields.append(Field(name=line))
    elif line == "required":
        fields.append(Field(name=None, required=True))
    elif _TYPE_LINE.match(line):
        fields.append(Field(name=None, type_line=line))
    elif current is not None and line.startswith("Items Enum:"):
        current.items_enum = _quoted_values(line)
    elif current is not None and line.startswith("Enum:"):
        current.enum = _quoted_values(line)
    elif current is not None and line.startswith("Default:"):
        current.default = _literal(line.split(":", 1)[1].strip())
    elif current is not None and line.startswith("Example:"):
        current.example = line.split(":", 1)[1].strip()
    elif current is not None and line == "Deprecated":
        current.deprecated = True
    elif current is not None and current.type_line and current.description is None:
        current.description = line
    return i + 1


def _listed_options(description: str | None) -> list[str] | None:
    """Enums some descriptions state in words: `Available options: 'A', 'B'`."""
    match = re.search(r"Available options: ((?:'[^']*'(?:, )?)+)", description or "")
    return re.findall(r"'([^']*)'", match.group(1)) if match else None


def _quoted_values(line: str) -> list[str]:
    return re.findall(r'"([^"]*)"', line)


def _literal(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def _read_sample(lines: list[str], i: int, end: int) -> tuple[Sample | None, int]:
    """Read `Content type` / `<type>` / JSON after a samples heading."""
    i = _next_content_line(lines, i, end)
    if i >= end or lines[i].strip() != "Content type":
        return None, i
    content_type = lines[i + 1].strip()
    i = _next_content_line(lines, i + 2, end)
    text, i = collect_json_text(lines, i, end)
    return Sample(content_type, parse_bulleted_json(text)), i


def collect_json_text(lines: list[str], i: int, end: int) -> tuple[str, int]:
    first = lines[i].strip()
    if not first.startswith(("{", "[")):
        return first, i + 1
    collected: list[str] = []
    depth = 0
    while i < end:
        collected.append(lines[i])
        depth += _bracket_balance(lines[i])
        i += 1
        if depth <= 0:
            break
    return "\n".join(collected), i


def _bracket_balance(line: str) -> int:
    balance = 0
    in_string = False
    escaped = False
    for char in line:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            balance += 1
        elif char in "}]":
            balance -= 1
    return balance


def parse_bulleted_json(text: str) -> Any:
    """Parse a sample as Redoc prints it: bullets before keys, trailing commas."""
    text = _BULLET.sub(r"\1", text)
    text = _INLINE_BULLET.sub(r"\1", text)
    text = _TRAILING_COMMA.sub(r"\1", text)
    return json.loads(text)


def field_schema(item: Field, refs: set[str]) -> JsonSchema:
    """The JSON schema a field's type line, enum and default describe.

    ``refs`` holds the model names the API's profile defines as components; a named
    object or array-of-objects type becomes a `$ref` to it.
    """
    schema = type_line_schema(item.type_line, refs)
    enum = item.enum or _listed_options(item.description)
    if enum:
        schema["enum"] = list(enum)
    if item.items_enum and schema.get("type") == "array":
        schema["items"] = {**schema.get("items", {}), "enum": list(item.items_enum)}
    if item.default is not None:
        schema["default"] = item.default
    description = short_description(item.description)
    if description and "$ref" not in schema:
        schema["description"] = description
    if item.deprecated:
        schema["deprecated"] = True
    return schema


def field_parameter(item: Field, location: str) -> Parameter:
    """A path, query or header parameter from its entry in a parameter list."""
    schema = field_schema(item, set())
    schema.pop("description", None)
    return Parameter(
        name=item.name or "",
        location=location,
        schema=schema,
        required=item.required or location == "path",
        description=short_description(item.description),
    )


def type_line_schema(type_line: str, refs: set[str]) -> JsonSchema:
    """`string <date-time>`, `Array of objects (Contact)`, `object (ApiAddress)`, ..."""
    line = type_line.strip()
    nullable = "Nullable" in line
    line = line.replace("Nullable", "").strip()
    if line.startswith("Array"):
        schema = _array_schema(line, refs)
    elif match := re.match(r"^object(?: \((\w+)\))?", line):
        name = match.group(1)
        schema = {"$ref": f"#/components/schemas/{name}"} if name in refs else {"type": "object"}
    else:
        match = re.match(r"^(string|integer|number|boolean)(?: <([\w\-]+)>)?", line)
        if match is None:
            raise ValueError(f"unknown field type: {type_line!r}")
        schema = {"type": match.group(1)}
        if match.group(2):
            schema["format"] = match.group(2)
    if nullable:
        schema["nullable"] = True
    return schema


def _array_schema(line: str, refs: set[str]) -> JsonSchema:
    schema: JsonSchema = {"type": "array"}
    if "non-empty" in line:
        schema["minItems"] = 1
    names = re.findall(r"(\w+) \(object\)", line)
    if names:
        schema["items"] = {"anyOf": [_named(name, refs) for name in names]}
        return schema
    match = re.match(r"^Array of objects \((\w+)\)", line)
    if match:
        schema["items"] = _named(match.group(1), refs)
        return schema
    match = re.match(r"^Array of (strings|integers|numbers|booleans|arrays)", line)
    if match:
        kind = match.group(1)
        schema["items"] = {"type": "string", "format": "binary"} if kind == "arrays" else {"type": kind[:-1]}
    else:
        schema["items"] = {}
    return schema


def _named(name: str, refs: set[str]) -> JsonSchema:
    return {"$ref": f"#/components/schemas/{name}"} if name in refs else {"type": "object"}


def name_unnamed_fields(fields: list[Field], sample_keys: list[str]) -> None:
    """Give nameless (object-typed) fields the sample key standing in their place."""
    named = {item.name for item in fields if item.name}
    position = -1
    for item in fields:
        if item.name:
            if item.name in sample_keys:
                position = sample_keys.index(item.name)
            continue
        candidates = [key for key in sample_keys[position + 1 :] if key not in named]
        if candidates:
            item.name = candidates[0]
            named.add(item.name)
            position = sample_keys.index(item.name)


def object_schema(fields: list[Field], refs: set[str]) -> JsonSchema:
    """An object schema from a field list; fields without a name are skipped."""
    properties = {item.name: field_schema(item, refs) for item in fields if item.name}
    schema: JsonSchema = {"type": "object", "properties": properties}
    required = [item.name for item in fields if item.name and item.required]
    if required:
        schema["required"] = required
    return schema


def error_responses(statuses: list[int]) -> list[Response]:
    """The error responses of an operation: Redoc texts print no status codes, so each is
    inferred, in the API's `Error` model."""
    return [
        Response(status=status, description="", schema={"$ref": "#/components/schemas/Error"}, inferred=True)
        for status in statuses
    ]

"""Parser of the Afosto API reference (a text rendering of a Swagger 2 document).

The document prints every operation as a block::

    <headings>                  group and tag headings, only where they change
    <title>
    METHOD /path
    <description>
    <body name, flattened body model lines>       ignored: the request sample says the same
    name: type [enum, values] [default]           a parameter: its location on the next line,
    in path|query|header|formData                 then a blank line and its description
    undefined | Request Content-Types: ... | Request Example + JSON sample
    NNN Reason + description [+ "type" / "<type>" artefact lines]
    Response Content-Types: ...
    Response Example (NNN Reason) + JSON sample | Response Headers (NNN Reason) + entries

and ends with a "Schema Definitions" section, one sample per model, which resolves the
``"#/definitions/<Model>"`` strings printed where a model repeats inside a sample.

Samples hold type placeholders (``"string (uuid)"``, ``"integer"``) instead of values;
``placeholder_schema`` reads them.
"""

from __future__ import annotations

import copy
import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from .model import ApiContract, Header, JsonSchema, Operation, Parameter, RequestBody, Response
from .prose import camel_identifier, short_description
from .samples import LeafRule, scalar_schema, schema_from_sample

NAME = "afosto"
DESCRIPTION = "Sandbox fake of the Afosto commerce, content, logistics, warehouse and IAM API."
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
DEFAULT_SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
ERROR_MODEL = "Error"
ERROR_REF: JsonSchema = {"$ref": f"#/components/schemas/{ERROR_MODEL}"}
JSON_TYPE = "application/json"
OCTET_STREAM = "application/octet-stream"
MULTIPART = "multipart/form-data"
BINARY: JsonSchema = {"type": "string", "format": "binary"}

METHOD_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/\S*)$")
PARAMETER_LINE = re.compile(r"^(?P<name>[^\s:]+): (?P<spec>.+)$")
LOCATION_LINE = re.compile(r"^in (?P<location>path|query|header|formData)$")
STATUS_LINE = re.compile(r"^(?P<code>[1-5]\d\d) (?P<reason>[A-Z][A-Za-z -]+)$")
BLOCK_TITLE = re.compile(r"^Response (?P<kind>Example|Headers) \((?P<code>\d{3}) (?P<reason>[^)]+)\)$")
TYPE_SPEC = re.compile(r"^(?P<type>[a-z]+)(?P<array>\[\])?(?: \((?P<format>[^)]+)\))?(?: (?P<values>.+))?$")
PLACEHOLDER = re.compile(r"^(?P<type>string|integer|number|boolean|object|file)(?: \((?P<format>[^)]+)\))?$")
MODEL_REFERENCE = re.compile(r"^#/definitions/(?P<model>\w+)$")
MODEL_HEADER = re.compile(r"^(?P<model>[A-Z]\w*): (?:object|array)$")
TEMPLATE_NAME = re.compile(r"{([^}]+)}")
VERSION_LINE = re.compile(r"^Version: (?P<version>\S+)$")

REQUEST_CONTENT_TYPES = "Request Content-Types: "
RESPONSE_CONTENT_TYPES = "Response Content-Types: "
DEFINITIONS_HEADING = "Schema Definitions"
MODEL_SAMPLE = "Example"
TITLE_SUFFIX = " API Reference"
# Formats as printed -> their OpenAPI spelling (None: the format says nothing).
FORMAT_SPELLINGS: dict[str, str | None] = {
    "datetime": "date-time",
    "string": None,
    "url": "uri",
    "base64": "byte",
    "float64": "double",
}
# Printed under a status line ("type" / "<type>") when the response is a bare type.
PRINTED_TYPE_SCHEMAS: dict[str, JsonSchema] = {
    "object": {"type": "object"},
    "object[]": {"type": "array", "items": {"type": "object"}},
    "string[]": {"type": "array", "items": {"type": "string"}},
}
# Media named in the wording of a response that prints neither sample, type nor content type.
MEDIA_IN_WORDING = {"MP4": "video/mp4", "PDF": "application/pdf"}


# ---------------------------------------------------------------------------------------
# Placeholders


def placeholder_schema(value: Any, models: Collection[str] = ()) -> JsonSchema:
    """The schema a sample leaf stands for: ``"string (uuid)"`` is a uuid string, ``"integer"``
    an integer, ``"#/definitions/Model"`` the model (a $ref when ``models`` holds it);
    any other value is read as itself."""
    if isinstance(value, str):
        if placeholder := PLACEHOLDER.match(value):
            return _typed_schema(placeholder["type"], placeholder["format"])
        if reference := MODEL_REFERENCE.match(value):
            model = reference["model"]
            return {"$ref": f"#/components/schemas/{model}"} if model in models else {"type": "object"}
    return scalar_schema(value)


def _typed_schema(type_name: str, printed_format: str | None) -> JsonSchema:
    if type_name == "file":
        return dict(BINARY)
    schema: JsonSchema = {"type": type_name}
    spelled = FORMAT_SPELLINGS.get(printed_format, printed_format) if printed_format else None
    if spelled:
        schema["format"] = spelled
    return schema


def _leaf_rule(models: Collection[str]) -> LeafRule:
    return lambda value: placeholder_schema(value, models)


def _leaves(sample: Any) -> Iterator[Any]:
    if isinstance(sample, dict):
        for item in sample.values():
            yield from _leaves(item)
    elif isinstance(sample, list):
        for item in sample:
            yield from _leaves(item)
    else:
        yield sample


def _is_placeholder(leaf: Any) -> bool:
    return isinstance(leaf, str) and bool(PLACEHOLDER.match(leaf) or MODEL_REFERENCE.match(leaf))


def _real_example(sample: Any) -> Any:
    """The sample when every leaf of it is a real value, otherwise None."""
    leaves = list(_leaves(sample))
    if leaves and not any(_is_placeholder(leaf) for leaf in leaves):
        return sample
    return None


def _models_referenced(sample: Any) -> set[str]:
    references = (MODEL_REFERENCE.match(leaf) for leaf in _leaves(sample) if isinstance(leaf, str))
    return {reference["model"] for reference in references if reference}


# ---------------------------------------------------------------------------------------
# The document as lines


class _Lines:
    """The document's lines; JSON samples are decoded where they start."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.offsets: list[int] = []
        offset = 0
        for line in self.lines:
            self.offsets.append(offset)
            offset += len(line) + 1

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    def json_at(self, index: int) -> tuple[Any, int]:
        """The JSON value starting at line ``index`` and the index of the line after it."""
        try:
            value, end = json.JSONDecoder().raw_decode(self.text, self.offsets[index])
        except (json.JSONDecodeError, IndexError) as error:
            raise ValueError(f"line {index + 1}: the sample is not JSON") from error
        last = bisect_right(self.offsets, end - 1) - 1
        if self.text[end : self.offsets[last] + len(self.lines[last])].strip():
            raise ValueError(f"line {last + 1}: text follows the sample on its line")
        return value, last + 1

    def skip_blank(self, index: int) -> int:
        while index < len(self.lines) and not self.lines[index].strip():
            index += 1
        return index

    def previous_filled(self, index: int) -> int:
        index -= 1
        while index >= 0 and not self.lines[index].strip():
            index -= 1
        return index

    def first(self, wanted: str) -> int | None:
        for index in range(len(self.lines)):
            if self.lines[index] == wanted:
                return index
        return None


# ---------------------------------------------------------------------------------------
# One operation as printed


@dataclass
class _PrintedParameter:
    name: str
    location: str
    spec: str  # "integer 25", "string 1, 0 0", "string (uuid)", "string[]", "file"
    description: str | None


@dataclass
class _PrintedStatus:
    reason: str
    description: str | None
    printed_type: str | None = None  # "object", "object[]", "string[]", "file"


@dataclass
class _PrintedHeader:
    name: str
    description: str | None
    spec: str


@dataclass
class _Listing:
    """One `METHOD /path` block as the document prints it."""

    line: int
    method: str
    path: str
    title: str
    group: str | None
    heading: str
    description: str | None = None
    parameters: list[_PrintedParameter] = field(default_factory=list)
    request_content_type: str | None = None
    has_request_sample: bool = False
    request_sample: Any = None
    statuses: dict[int, _PrintedStatus] = field(default_factory=dict)
    # The paragraph just before the first status line when it is no part of the request:
    # the description of the status whose line is missing.
    orphan_status_description: str | None = None
    response_content_types: list[str] = field(default_factory=list)
    response_samples: dict[int, Any] = field(default_factory=dict)
    response_headers: dict[int, list[_PrintedHeader]] = field(default_factory=dict)
    block_reasons: dict[int, str] = field(default_factory=dict)
    unplaced_text: list[str] = field(default_factory=list)

    def content(self) -> dict[str, Any]:
        """Everything but where and under which headings it is printed."""
        return {key: value for key, value in vars(self).items() if key not in ("line", "group", "heading")}


def _reason(code: int) -> str | None:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return None


def _status_line(line: str) -> re.Match[str] | None:
    match = STATUS_LINE.match(line)
    return match if match and _reason(int(match["code"])) == match["reason"] else None


def _is_parameter_start(lines: _Lines, index: int) -> bool:
    return bool(PARAMETER_LINE.match(lines[index]) and LOCATION_LINE.match(lines[index + 1]))


def _is_structural(lines: _Lines, index: int) -> bool:
    """Whether the line opens one of the parts of an operation block."""
    line = lines[index]
    return (
        line in ("undefined", "Request Example")
        or line.startswith((REQUEST_CONTENT_TYPES, RESPONSE_CONTENT_TYPES))
        or _status_line(line) is not None
        or BLOCK_TITLE.match(line) is not None
        or _is_parameter_start(lines, index)
    )


def _read_paragraph(lines: _Lines, index: int, stop_at: str | None = None) -> tuple[str | None, int]:
    """Consecutive non-blank, non-structural lines from ``index`` on (after blank lines)."""
    index = lines.skip_blank(index)
    paragraph: list[str] = []
    while lines[index].strip() and lines[index] != stop_at and not _is_structural(lines, index):
        paragraph.append(lines[index].strip())
        index += 1
    return ("\n".join(paragraph) or None), index


class _ListingReader:
    """Reads the parts of one operation block, from the line after `METHOD /path`."""

    def __init__(self, lines: _Lines, listing: _Listing, method_line: int, stop: int) -> None:
        self.lines = lines
        self.listing = listing
        self.method_line = method_line
        self.index = method_line + 1
        self.stop = stop
        self.loose: list[tuple[int, int, str]] = []  # (first line, last line, text) no part claims
        self.first_status_line: int | None = None

    def read(self) -> int:
        """Fill the listing; return the index of the first line after the block."""
        lines, listing = self.lines, self.listing
        in_response_blocks = False
        while self.index < self.stop:
            line = lines[self.index]
            if not line.strip():
                self.index += 1
            elif _is_parameter_start(lines, self.index):
                self._read_parameter()
            elif line == "undefined":  # the printed name of the body parameter
                self.index += 1
            elif line.startswith(REQUEST_CONTENT_TYPES):
                listing.request_content_type = line.removeprefix(REQUEST_CONTENT_TYPES).strip()
                self.index += 1
            elif line == "Request Example":
                listing.has_request_sample = True
                listing.request_sample, self.index = lines.json_at(self.index + 1)
            elif status := _status_line(line):
                self._read_status(int(status["code"]), status["reason"])
            elif line.startswith(RESPONSE_CONTENT_TYPES):
                printed = line.removeprefix(RESPONSE_CONTENT_TYPES).split(",")
                listing.response_content_types = [content_type.strip() for content_type in printed]
                self.index += 1
            elif block := BLOCK_TITLE.match(line):
                in_response_blocks = True
                self._read_block(block)
            elif in_response_blocks:
                break  # the headings of the next operation
            else:
                first = self.index
                text, self.index = _read_paragraph(lines, self.index)
                self.loose.append((first, self.index - 1, text or ""))
        self._place_loose_paragraphs()
        return self.index

    def _read_parameter(self) -> None:
        printed = PARAMETER_LINE.match(self.lines[self.index])
        location = LOCATION_LINE.match(self.lines[self.index + 1])
        assert printed and location
        description, self.index = _read_paragraph(self.lines, self.index + 2)
        self.listing.parameters.append(
            _PrintedParameter(printed["name"], location["location"], printed["spec"].strip(), description)
        )

    def _read_status(self, code: int, reason: str) -> None:
        lines = self.lines
        if self.first_status_line is None:
            self.first_status_line = self.index
        description, index = _read_paragraph(lines, self.index + 1, stop_at="type")
        status = _PrintedStatus(reason, description)
        # "type" and, for a bare type, the type are artefacts of the rendering; the type
        # still says what a response without a sample holds.
        after = lines.skip_blank(index)
        if lines[after] == "type":
            index = after + 1
            if lines[index].strip() and not _is_structural(lines, index):
                status.printed_type = lines[index].strip()
                index += 1
        self.listing.statuses[code] = status
        self.index = index

    def _read_block(self, block: re.Match[str]) -> None:
        code = int(block["code"])
        self.listing.block_reasons[code] = block["reason"]
        if block["kind"] == "Example":
            self.listing.response_samples[code], self.index = self.lines.json_at(self.index + 1)
        else:
            self._read_headers(code)

    def _read_headers(self, code: int) -> None:
        lines = self.lines
        index = self.index + 1
        headers: list[_PrintedHeader] = []
        # Each header: name, blank, description ("undefined" when none), blank, type.
        while lines[index].strip() and lines[index + 1] == "" and not _is_structural(lines, index):
            if lines[index + 3] != "" or not lines[index + 4].strip():
                raise ValueError(f"line {index + 1}: unexpected response header layout")
            name, description, spec = lines[index].strip(), lines[index + 2], lines[index + 4].strip()
            headers.append(_PrintedHeader(name, short_description(description), spec))
            index += 5
        self.listing.response_headers[code] = headers
        self.index = index

    def _place_loose_paragraphs(self) -> None:
        description_line = self.lines.skip_blank(self.method_line + 1)
        for first, last, text in self.loose:
            if first == description_line:
                self.listing.description = text
            elif self.first_status_line is not None and first > self.first_status_line:
                self.listing.unplaced_text.append(text)
            elif self.first_status_line is not None and self.lines.skip_blank(last + 1) == self.first_status_line:
                self.listing.orphan_status_description = text
            # anything else names the request body or lists its flattened model


# ---------------------------------------------------------------------------------------
# Headings


def _is_heading(line: str) -> bool:
    """Group and tag headings are labels of a few words; prose and scope lists are not."""
    is_short = len(line.split()) <= 3 and len(line) <= 40
    return is_short and ":" not in line and not line.endswith((".", ",", ";", "!", "?"))


def _heading_run(lines: _Lines, start: int, stop: int) -> list[str]:
    """The headings printed in [start, stop), just before a title.

    Walking back from the title, prose (a tag's description) is passed over until the
    first heading; the run ends at the first line that is no heading.
    """
    run: list[str] = []
    for index in range(stop - 1, start - 1, -1):
        line = lines[index].strip()
        if not line:
            continue
        if _is_heading(line):
            run.append(line)
        elif run:
            break
    return run[::-1]


# ---------------------------------------------------------------------------------------
# Reading the whole document


@dataclass
class _Document:
    title: str
    version: str
    listings: list[_Listing]
    model_samples: dict[str, Any]


def _read_document(text: str) -> _Document:
    lines = _Lines(text.replace("\r\n", "\n"))
    definitions = lines.first(DEFINITIONS_HEADING)
    operations_end = definitions if definitions is not None else len(lines)
    return _Document(
        title=_api_title(lines[0]),
        version=_version(lines, operations_end),
        listings=_read_listings(lines, operations_end),
        model_samples=_read_model_samples(lines, operations_end + 1) if definitions is not None else {},
    )


def _api_title(first_line: str) -> str:
    """``Afosto Api API Reference`` -> ``Afosto API``."""
    name = first_line.strip().removesuffix(TITLE_SUFFIX)
    words = name.split()
    if words and words[-1].lower() == "api":
        words[-1] = "API"
    else:
        words.append("API")
    return " ".join(words)


def _version(lines: _Lines, stop: int) -> str:
    for index in range(stop):
        if match := VERSION_LINE.match(lines[index]):
            return match["version"]
    raise ValueError("the document prints no version")


def _read_listings(lines: _Lines, stop: int) -> list[_Listing]:
    method_lines = [index for index in range(stop) if METHOD_LINE.match(lines[index])]
    title_lines = [lines.previous_filled(index) for index in method_lines]
    listings: list[_Listing] = []
    group: str | None = None
    heading: str | None = None
    block_end = 0
    for position, (method_line, title_line) in enumerate(zip(method_lines, title_lines)):
        run = _heading_run(lines, block_end, title_line)
        if len(run) >= 2:  # a group heading opens the run: "Content" / "Barcode"
            group = run[0]
        heading = run[-1] if run else heading
        if heading is None:
            raise ValueError(f"line {method_line + 1}: an operation before any heading")
        method, path = METHOD_LINE.match(lines[method_line]).groups()  # type: ignore[union-attr]
        listing = _Listing(method_line + 1, method, path, lines[title_line].strip(), group, heading)
        block_stop = title_lines[position + 1] if position + 1 < len(title_lines) else stop
        block_end = _ListingReader(lines, listing, method_line, block_stop).read()
        listings.append(listing)
    return listings


def _read_model_samples(lines: _Lines, start: int) -> dict[str, Any]:
    """The sample of each model in the Schema Definitions section."""
    samples: dict[str, Any] = {}
    model: str | None = None
    index = start
    while index < len(lines):
        line = lines[index]
        header = MODEL_HEADER.match(line)
        if header and lines[index - 1] == "" and lines[index + 1] == "":
            model = header["model"]
        elif line == MODEL_SAMPLE and model is not None and model not in samples:
            samples[model], index = lines.json_at(index + 1)
            continue
        index += 1
    return samples


# ---------------------------------------------------------------------------------------
# Parameters


def _typed_value(printed: str, type_name: str) -> Any:
    if type_name == "integer":
        return int(printed)
    if type_name == "number":
        return float(printed)
    if type_name == "boolean":
        return printed == "true"
    return printed


def _enum_and_default(printed: str | None, type_name: str) -> tuple[list[Any] | None, Any]:
    """``"1, 0 0"`` -> (["1", "0"], "0"); ``"25"`` -> (None, "25").

    Values hold no spaces, so the space in the last one separates the default. A single
    value is read as a default: a one-value enum would print the same.
    """
    if not printed:
        return None, None
    if "," not in printed:
        return None, _typed_value(printed, type_name)
    *leading, last = [value.strip() for value in printed.split(",")]
    last_value, _, printed_default = last.partition(" ")
    enum = [_typed_value(value, type_name) for value in [*leading, last_value]]
    default = _typed_value(printed_default, type_name) if printed_default else None
    if default is not None and default not in enum:
        raise ValueError(f"default {printed_default!r} is not one of {enum}")
    return enum, default


def spec_schema(spec: str) -> JsonSchema:
    """The schema of a printed parameter or header type: ``string 1, 0 0``, ``integer (int64)``."""
    printed = TYPE_SPEC.match(spec)
    if not printed:
        raise ValueError(f"unreadable type {spec!r}")
    schema = _typed_schema(printed["type"], printed["format"])
    enum, default = _enum_and_default(printed["values"], printed["type"])
    if printed["array"]:
        if enum is not None or default is not None:
            raise ValueError(f"enum or default on an array type {spec!r}")
        return {"type": "array", "items": schema}
    if enum is not None:
        schema["enum"] = enum
    if default is not None:
        schema["default"] = default
    return schema


def _parameter(printed: _PrintedParameter) -> Parameter:
    # The `Accept` and `Authorization` header parameters are kept: OpenAPI says to ignore
    # them, but openapi-spec-validator and schemathesis accept them.
    return Parameter(
        name=printed.name,
        location=printed.location,
        schema=spec_schema(printed.spec),
        required=printed.location == "path",
        description=short_description(printed.description),
    )


def _request_bodies(listing: _Listing, leaf: LeafRule) -> list[RequestBody]:
    bodies: list[RequestBody] = []
    if listing.has_request_sample:
        sample = listing.request_sample
        content_type = listing.request_content_type or JSON_TYPE
        bodies.append(RequestBody(content_type, schema_from_sample(sample, leaf), example=_real_example(sample)))
    form_fields = [parameter for parameter in listing.parameters if parameter.location == "formData"]
    if form_fields:
        properties: dict[str, JsonSchema] = {}
        for form_field in form_fields:
            properties[form_field.name] = spec_schema(form_field.spec)
            if description := short_description(form_field.description):
                properties[form_field.name]["description"] = description
        bodies.append(RequestBody(MULTIPART, {"type": "object", "properties": properties}))
    return bodies


# ---------------------------------------------------------------------------------------
# Responses


def _orphan_code(listing: _Listing, codes: list[int]) -> int | None:
    """The status an orphan description belongs to: the first one printed without its line."""
    if listing.orphan_status_description is None:
        return None
    return next((code for code in codes if code not in listing.statuses), None)


def _responses(listing: _Listing, leaf: LeafRule, notes: list[str]) -> tuple[list[Response], bool]:
    """The responses of a listing, and whether one of them is a documented guess."""
    codes = sorted(set(listing.statuses) | set(listing.response_samples) | set(listing.response_headers))
    orphan_code = _orphan_code(listing, codes)
    if listing.orphan_status_description is not None and orphan_code is None:
        notes.append(f"{listing.method} {listing.path}: text before the status lines belongs to no status")
    responses: list[Response] = []
    guessed = False
    for code in codes:
        status = listing.statuses.get(code)
        printed = status.description if status else None
        if code == orphan_code:
            printed = listing.orphan_status_description
        reason = status.reason if status else listing.block_reasons.get(code) or _reason(code) or "Response"
        description = short_description(printed) or reason
        if code >= 400:
            responses.append(Response(code, description, schema=dict(ERROR_REF)))
            continue
        response, is_guess = _success_response(listing, code, description, leaf, notes)
        responses.append(response)
        guessed = guessed or is_guess
    return responses, guessed


def _success_response(
    listing: _Listing, code: int, description: str, leaf: LeafRule, notes: list[str]
) -> tuple[Response, bool]:
    """A 1xx-3xx response: its body (if any) in the fitting content type, and whether it is a guess."""
    printed_headers = listing.response_headers.get(code, [])
    media_header = next((header for header in printed_headers if header.name.lower() == "content-type"), None)
    headers = [
        Header(header.name, spec_schema(header.spec), header.description)
        for header in printed_headers
        if header is not media_header  # OpenAPI ignores a Content-Type header; it names the media type
    ]
    response = Response(code, description, headers=headers)
    sample = listing.response_samples.get(code)
    has_sample = code in listing.response_samples
    status = listing.statuses.get(code)
    printed_type = status.printed_type if status else None
    if code == 204 or 300 <= code < 400:
        if has_sample:
            notes.append(f"{listing.method} {listing.path}: the {code} sample is dropped (no body)")
        return response, False
    binary_media = (media_header.description if media_header else None) or _binary_content_type(listing)
    if sample == "file" or printed_type == "file":
        response.content_type, response.schema = binary_media or OCTET_STREAM, dict(BINARY)
    elif has_sample:
        response.schema = schema_from_sample(sample, leaf)
        response.example = _real_example(sample)
    elif printed_type in PRINTED_TYPE_SCHEMAS:
        response.schema = dict(PRINTED_TYPE_SCHEMAS[printed_type])
    elif binary_media:
        response.content_type, response.schema = binary_media, dict(BINARY)
    elif printed_headers:
        pass  # only headers are documented: a response without a body
    else:
        response.content_type, response.schema = _media_in_wording(listing, description), dict(BINARY)
        notes.append(f"{listing.method} {listing.path}: {code} prints no body; guessed {response.content_type}")
        return response, True
    return response, False


def _binary_content_type(listing: _Listing) -> str | None:
    """The response content type the listing prints when it is not JSON (``image/png``)."""
    printed = listing.response_content_types
    if printed and not any(content_type.endswith("json") for content_type in printed):
        return printed[0]
    return None


def _media_in_wording(listing: _Listing, description: str) -> str:
    wording = f"{description} {listing.description or ''}".split()
    return next((media for word, media in MEDIA_IN_WORDING.items() if word in wording), OCTET_STREAM)


# ---------------------------------------------------------------------------------------
# Operations


@dataclass
class _Merged:
    """One operation and every listing of it."""

    listing: _Listing
    listings: list[_Listing]


def _merge_duplicates(listings: list[_Listing], notes: list[str]) -> list[_Merged]:
    merged: dict[tuple[str, str], _Merged] = {}
    for listing in listings:
        key = (listing.method, listing.path)
        if key not in merged:
            merged[key] = _Merged(listing, [listing])
            continue
        first = merged[key].listing
        if first.content() != listing.content():
            differing = sorted(k for k, v in first.content().items() if listing.content()[k] != v)
            notes.append(
                f"{listing.method} {listing.path}: listings at lines {first.line} and {listing.line}"
                f" differ in {differing}; the first is kept"
            )
        merged[key].listings.append(listing)
    return list(merged.values())


def _tag_names(merged: list[_Merged]) -> dict[tuple[str | None, str], str]:
    """The tag of each (group, heading).

    A heading is its own tag, unless two sections with that heading list the same
    operation (Content/Proxy and Meilisearch/Proxy): then every section with that heading
    is told apart by its group, "Content / Proxy".
    """
    shared_headings = {
        listing.heading
        for operation in merged
        for listing in operation.listings[1:]
        if listing.heading == operation.listing.heading and listing.group != operation.listing.group
    }
    names: dict[tuple[str | None, str], str] = {}
    for operation in merged:
        for listing in operation.listings:
            key = (listing.group, listing.heading)
            qualified = listing.heading in shared_headings and listing.group
            names[key] = f"{listing.group} / {listing.heading}" if qualified else listing.heading
    return names


def _operation(
    operation: _Merged, tag_names: dict[tuple[str | None, str], str], leaf: LeafRule, notes: list[str]
) -> Operation:
    listing = operation.listing
    tags: list[str] = []
    for each in operation.listings:
        tag = tag_names[(each.group, each.heading)]
        if tag not in tags:
            tags.append(tag)
    if len(operation.listings) > len(tags):
        notes.append(f"{listing.method} {listing.path}: listed {len(operation.listings)} times under {tags}")
    for text in listing.unplaced_text:
        notes.append(f"{listing.method} {listing.path}: unplaced text after the status lines: {text[:40]!r}")
    responses, guessed = _responses(listing, leaf, notes)
    return Operation(
        method=listing.method,
        path=listing.path,
        operation_id="",
        summary=listing.title,
        tags=tags,
        parameters=[_parameter(printed) for printed in listing.parameters if printed.location != "formData"],
        request_bodies=_request_bodies(listing, leaf),
        # The document marks nothing required, bodies included.
        body_required=False,
        responses=responses,
        description=short_description(listing.description),
        inferred=guessed,
    )


def _assign_operation_ids(operations: list[Operation]) -> None:
    """camelCase titles; colliding ones add their tag, then their path, then their method."""
    refinements: list[Callable[[Operation], str]] = [
        lambda operation: camel_identifier(operation.summary),
        lambda operation: camel_identifier(f"{operation.summary} {operation.tags[0]}"),
        lambda operation: camel_identifier(f"{operation.summary} {operation.path}"),
        lambda operation: camel_identifier(f"{operation.summary} {operation.method.lower()} {operation.path}"),
    ]
    ids = {id(operation): refinements[0](operation) for operation in operations}
    for refine in refinements[1:]:
        counts = Counter(ids.values())
        for operation in operations:
            if counts[ids[id(operation)]] > 1:
                ids[id(operation)] = refine(operation)
    if len(set(ids.values())) != len(operations):
        raise ValueError("operation ids are not unique")
    for operation in operations:
        operation.operation_id = ids[id(operation)]


# ---------------------------------------------------------------------------------------
# Path templates


def _template_names(path: str) -> list[str]:
    return TEMPLATE_NAME.findall(path)


def _unify_template_names(operations: list[Operation], notes: list[str]) -> None:
    """Paths equal but for their parameter names take the names of the first one printed."""
    first_spelling: dict[str, str] = {}
    for operation in operations:
        skeleton = TEMPLATE_NAME.sub("{}", operation.path)
        spelling = first_spelling.setdefault(skeleton, operation.path)
        if spelling == operation.path:
            continue
        renames = dict(zip(_template_names(operation.path), _template_names(spelling)))
        notes.append(f"{operation.method} {operation.path}: renamed to {spelling}")
        operation.path = spelling
        for parameter in operation.parameters:
            if parameter.location == "path":
                parameter.name = renames.get(parameter.name, parameter.name)


def _declare_template_parameters(operation: Operation, notes: list[str]) -> None:
    """Every template name declared as a path parameter, and no other path parameter."""
    names = _template_names(operation.path)
    declared = [parameter.name for parameter in operation.parameters if parameter.location == "path"]
    for name in names:
        if name not in declared:
            notes.append(f"{operation.method} {operation.path}: declared missing path parameter {name!r}")
            operation.parameters.append(Parameter(name, "path", {"type": "string"}, required=True))
    for parameter in list(operation.parameters):
        if parameter.location == "path" and parameter.name not in names:
            notes.append(f"{operation.method} {operation.path}: dropped path parameter {parameter.name!r}")
            operation.parameters.remove(parameter)


def _unify_parameter_types(operations: list[Operation], notes: list[str]) -> None:
    """A path parameter naming an object takes the type it has on that object's own path
    (`/spl/hubs/{id}/logs` names the hub of `/spl/hubs/{id}`, whose `id` is a string)."""
    own: dict[str, JsonSchema] = {}
    for operation in operations:
        if operation.method == "GET" and TEMPLATE_NAME.fullmatch(operation.path.rsplit("/", 1)[-1]):
            name = _template_names(operation.path)[-1]
            parameter = next((p for p in operation.parameters if p.location == "path" and p.name == name), None)
            if parameter is not None:
                own.setdefault(TEMPLATE_NAME.sub("{}", operation.path), parameter.schema)
    for operation in operations:
        segments = operation.path.split("/")
        for index, segment in enumerate(segments[:-1]):
            if not TEMPLATE_NAME.fullmatch(segment):
                continue
            owner = own.get(TEMPLATE_NAME.sub("{}", "/".join(segments[: index + 1])))
            parameter = next((p for p in operation.parameters if p.location == "path" and p.name == segment[1:-1]), None)
            if owner is not None and parameter is not None and owner.get("type") != parameter.schema.get("type"):
                notes.append(f"{operation.method} {operation.path}: {parameter.name} typed as on its object's own path")
                parameter.schema = copy.deepcopy(owner)


def _repair_paths(operations: list[Operation], notes: list[str]) -> None:
    _unify_template_names(operations, notes)
    for operation in operations:
        _declare_template_parameters(operation, notes)
    _unify_parameter_types(operations, notes)
    keys = Counter((operation.method, operation.path) for operation in operations)
    if any(count > 1 for count in keys.values()):
        raise ValueError("two operations share a method and path after the path repairs")


# ---------------------------------------------------------------------------------------
# Shared schemas


def _model_schemas(document: _Document, samples: list[Any], notes: list[str]) -> dict[str, JsonSchema]:
    """The Error model and every model a sample refers to, directly or through other models."""
    wanted: set[str] = set()
    pending = set().union(*(_models_referenced(sample) for sample in samples))
    while pending:
        model = pending.pop()
        if model in wanted or model not in document.model_samples:
            if model not in document.model_samples:
                notes.append(f"model {model} is referred to but not defined; read as an object")
            continue
        wanted.add(model)
        pending |= _models_referenced(document.model_samples[model])
    leaf = _leaf_rule(wanted)
    schemas = {ERROR_MODEL: _error_schema(document, notes)}
    for model in sorted(wanted):
        schemas[model] = schema_from_sample(document.model_samples[model], leaf)
    return schemas


def _error_schema(document: _Document, notes: list[str]) -> JsonSchema:
    error_samples = [
        (listing, code, sample)
        for listing in document.listings
        for code, sample in listing.response_samples.items()
        if code >= 400
    ]
    printed = document.model_samples.get(ERROR_MODEL)
    if printed is None:
        printed = error_samples[0][2]
    for listing, code, sample in error_samples:
        if sample == [printed]:
            notes.append(f"{listing.method} {listing.path}: the {code} sample is a list of errors; Error kept")
        elif sample != printed:
            notes.append(f"{listing.method} {listing.path}: the {code} sample differs from the Error model")
    # The arrays hold "property1": names of properties, strings.
    return schema_from_sample(printed, _leaf_rule(()))


# ---------------------------------------------------------------------------------------
# Entry points


def _samples(listing: _Listing) -> list[Any]:
    return [listing.request_sample, *listing.response_samples.values()]


def parse_afosto_with_notes(text: str) -> tuple[ApiContract, list[str]]:
    """The contract, and notes on what the document left open and how it was read."""
    notes: list[str] = []
    document = _read_document(text)
    merged = _merge_duplicates(document.listings, notes)
    samples = [sample for listing in document.listings for sample in _samples(listing)]
    schemas = _model_schemas(document, samples, notes)
    leaf = _leaf_rule(set(schemas) - {ERROR_MODEL})
    tag_names = _tag_names(merged)
    operations = [_operation(operation, tag_names, leaf, notes) for operation in merged]
    _repair_paths(operations, notes)
    _assign_operation_ids(operations)
    tags = list(dict.fromkeys(tag_names[(listing.group, listing.heading)] for listing in document.listings))
    contract = ApiContract(
        name=NAME,
        title=document.title,
        version=document.version,
        description=DESCRIPTION,
        security_schemes=copy.deepcopy(SECURITY_SCHEMES),
        default_security=copy.deepcopy(DEFAULT_SECURITY),
        operations=operations,
        schemas=schemas,
        tags=tags,
    )
    return contract, notes


def parse_afosto(text: str) -> ApiContract:
    """The Afosto contract read from the text of its API reference."""
    return parse_afosto_with_notes(text)[0]

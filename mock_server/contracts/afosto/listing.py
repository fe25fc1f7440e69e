"""One `METHOD /path` block of the Afosto reference as printed, and the reader of its parts.

A block holds, after its title and `METHOD /path` line: the description, the parameters
(``name: type`` then ``in <location>``), the request content types and sample, the status
lines with their descriptions, the response content types, samples and headers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from ..prose import short_description
from .lines import Lines

PARAMETER_LINE = re.compile(r"^(?P<name>[^\s:]+): (?P<spec>.+)$")
LOCATION_LINE = re.compile(r"^in (?P<location>path|query|header|formData)$")
STATUS_LINE = re.compile(r"^(?P<code>[1-5]\d\d) (?P<reason>[A-Z][A-Za-z -]+)$")
BLOCK_TITLE = re.compile(r"^Response (?P<kind>Example|Headers) \((?P<code>\d{3}) (?P<reason>[^)]+)\)$")
REQUEST_CONTENT_TYPES = "Request Content-Types: "
RESPONSE_CONTENT_TYPES = "Response Content-Types: "


@dataclass
class PrintedParameter:
    """A parameter as printed: its name, where it goes, its type spec and description."""

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
class Listing:
    """One `METHOD /path` block as the document prints it."""

    line: int
    method: str
    path: str
    title: str
    group: str | None
    heading: str
    description: str | None = None
    parameters: list[PrintedParameter] = field(default_factory=list)
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


def reason_phrase(code: int) -> str | None:
    """The standard reason phrase of a status code, or None for a code HTTP does not define."""
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return None


def _status_line(line: str) -> re.Match[str] | None:
    match = STATUS_LINE.match(line)
    return match if match and reason_phrase(int(match["code"])) == match["reason"] else None


def _is_parameter_start(lines: Lines, index: int) -> bool:
    return bool(PARAMETER_LINE.match(lines[index]) and LOCATION_LINE.match(lines[index + 1]))


def _is_structural(lines: Lines, index: int) -> bool:
    """Whether the line opens one of the parts of an operation block."""
    line = lines[index]
    return (
        line in ("undefined", "Request Example")
        or line.startswith((REQUEST_CONTENT_TYPES, RESPONSE_CONTENT_TYPES))
        or _status_line(line) is not None
        or BLOCK_TITLE.match(line) is not None
        or _is_parameter_start(lines, index)
    )


def _read_paragraph(lines: Lines, index: int, stop_at: str | None = None) -> tuple[str | None, int]:
    """Consecutive non-blank, non-structural lines from ``index`` on (after blank lines)."""
    index = lines.skip_blank(index)
    paragraph: list[str] = []
    while lines[index].strip() and lines[index] != stop_at and not _is_structural(lines, index):
        paragraph.append(lines[index].strip())
        index += 1
    return ("\n".join(paragraph) or None), index


class ListingReader:
    """Reads the parts of one operation block, from the line after `METHOD /path`."""

    def __init__(self, lines: Lines, listing: Listing, method_line: int, stop: int) -> None:
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
            PrintedParameter(printed["name"], location["location"], printed["spec"].strip(), description)
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


"""The whole Afosto reference read: its title and version, every operation block under
its group and tag headings, and the model samples of its "Schema Definitions" section."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .lines import Lines
from .listing import Listing, ListingReader

METHOD_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (/\S*)$")
MODEL_HEADER = re.compile(r"^(?P<model>[A-Z]\w*): (?:object|array)$")
VERSION_LINE = re.compile(r"^Version: (?P<version>\S+)$")
DEFINITIONS_HEADING = "Schema Definitions"
MODEL_SAMPLE = "Example"
TITLE_SUFFIX = " API Reference"


def _is_heading(line: str) -> bool:
    """Group and tag headings are labels of a few words; prose and scope lists are not."""
    is_short = len(line.split()) <= 3 and len(line) <= 40
    return is_short and ":" not in line and not line.endswith((".", ",", ";", "!", "?"))


def _heading_run(lines: Lines, start: int, stop: int) -> list[str]:
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


@dataclass
class Document:
    """The reference as read, before any of it becomes a contract."""

    title: str
    version: str
    listings: list[Listing]
    model_samples: dict[str, Any]


def read_document(text: str) -> Document:
    """Read the reference's title, version, operation blocks and model samples."""
    lines = Lines(text.replace("\r\n", "\n"))
    definitions = lines.first(DEFINITIONS_HEADING)
    operations_end = definitions if definitions is not None else len(lines)
    return Document(
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


def _version(lines: Lines, stop: int) -> str:
    for index in range(stop):
        if match := VERSION_LINE.match(lines[index]):
            return match["version"]
    raise ValueError("the document prints no version")


def _read_listings(lines: Lines, stop: int) -> list[Listing]:
    method_lines = [index for index in range(stop) if METHOD_LINE.match(lines[index])]
    title_lines = [lines.previous_filled(index) for index in method_lines]
    listings: list[Listing] = []
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
        listing = Listing(method_line + 1, method, path, lines[title_line].strip(), group, heading)
        block_stop = title_lines[position + 1] if position + 1 < len(title_lines) else stop
        block_end = ListingReader(lines, listing, method_line, block_stop).read()
        listings.append(listing)
    return listings


def _read_model_samples(lines: Lines, start: int) -> dict[str, Any]:
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


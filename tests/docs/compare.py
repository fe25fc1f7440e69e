"""Comparing what an example printed with the output its page shows.

Both sides are normalised the same way first: instants, UUIDs and 24-hex-digit ids are
replaced by placeholders, and the values of the JSON keys a block declares volatile are
dropped. Text that parses as a sequence of JSON values is compared as data (so a page may
show an answer pretty-printed); other text line by line, trailing spaces ignored.
"""

from __future__ import annotations

import json
import re
from typing import Any

_VOLATILE_TEXT = (
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)"), "<instant>"),
    (re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"), "<uuid>"),
    (re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{24}(?![0-9a-fA-F])"), "<hex-id>"),
    (re.compile(r"(?im)^(date|content-length):.*$"), r"\1: <varies>"),
    (re.compile(r"(?<= in )\d+(?:\.\d+)?s\b"), "<seconds>"),  # pytest's closing line
)
ELLIPSIS = "..."
VOLATILE_VALUE = "<volatile>"


def normalise_text(text: str) -> str:
    for pattern, replacement in _VOLATILE_TEXT:
        text = pattern.sub(replacement, text)
    return text


def json_values(text: str) -> list[Any] | None:
    """The JSON values the text holds one after another, or None when it is not only JSON."""
    decoder = json.JSONDecoder()
    values, position, stripped = [], 0, text.strip()
    if not stripped:
        return None
    while position < len(stripped):
        try:
            value, end = decoder.raw_decode(stripped, position)
        except ValueError:
            return None
        values.append(value)
        position = end
        while position < len(stripped) and stripped[position].isspace():
            position += 1
    return values


def _drop_volatile(value: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {key: VOLATILE_VALUE if key in keys else _drop_volatile(item, keys) for key, item in value.items()}
    if isinstance(value, list):
        return [_drop_volatile(item, keys) for item in value]
    return value


def contained(expected: Any, actual: Any) -> bool:
    """An abridged JSON value: every key shown is there with a contained value; a list shows
    its first items, each contained in the actual item at the same position."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(key in actual and contained(item, actual[key]) for key, item in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(actual, list) and len(expected) <= len(actual)
            and all(contained(item, actual[index]) for index, item in enumerate(expected))
        )
    return expected == actual


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _lines_in_order(expected: list[str], actual: list[str]) -> bool:
    position = 0
    for line in expected:
        if line.strip() == ELLIPSIS:
            continue
        while position < len(actual) and actual[position] != line:
            position += 1
        if position == len(actual):
            return False
        position += 1
    return True


def output_matches(expected: str, actual: str, *, abridged: bool = False, volatile: tuple[str, ...] = ()) -> bool:
    """Whether an example's output is what the page shows."""
    expected_text, actual_text = normalise_text(expected), normalise_text(actual)
    expected_values, actual_values = json_values(expected_text), json_values(actual_text)
    if expected_values is not None and actual_values is not None:
        expected_data = _drop_volatile(expected_values, volatile)
        actual_data = _drop_volatile(actual_values, volatile)
        return contained(expected_data, actual_data) if abridged else expected_data == actual_data
    if abridged:
        return _lines_in_order(_lines(expected_text), _lines(actual_text))
    return _lines(expected_text) == _lines(actual_text)

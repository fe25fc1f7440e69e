"""Matching stored objects and recorded requests: a list filtered by equality, text search
over an object's words, and predicates written as the part of a request they expect to
find (for override rules and the journal): `{"eventName": "contact_created"}` matches
every body whose `eventName` is `contact_created`, whatever else the body holds.
"""

from __future__ import annotations

from typing import Any

from ..state.store import Record


def contains(actual: Any, expected: Any) -> bool:
    """Whether ``expected`` is part of ``actual``.

    Objects match when every field of ``expected`` matches the same field of ``actual``
    (other fields may be present); arrays when each expected item matches some item of
    ``actual``; other values when they are equal (`1` equals `1.0`, `true` is not `1`).
    """
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(
            key in actual and contains(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and all(any(contains(item, wanted) for item in actual) for wanted in expected)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (int, float)):
        return isinstance(actual, (int, float)) and expected == actual
    return type(expected) is type(actual) and expected == actual


def query_contains(query: list[tuple[str, str]], expected: dict[str, str | list[str]]) -> bool:
    """Whether the query string carries every expected parameter with every expected value."""
    for name, wanted in expected.items():
        values = [value for key, value in query if key == name or key == name + "[]"]
        for value in wanted if isinstance(wanted, list) else [wanted]:
            if value not in values:
                return False
    return True


def filtered(records: Any, criteria: dict[str, Any]) -> Any:
    for record in records:
        if all(matches(record.get(name), wanted) for name, wanted in criteria.items()):
            yield record


def matches(actual: Any, wanted: Any) -> bool:
    """Equality, membership for lists, case-insensitive for text."""
    if isinstance(wanted, list):
        return any(matches(actual, item) for item in wanted)
    if isinstance(actual, list):
        return any(matches(item, wanted) for item in actual)
    if isinstance(actual, str) and isinstance(wanted, str):
        return actual.lower() == wanted.lower()
    if isinstance(actual, (int, float)) and isinstance(wanted, str):
        return str(actual) == wanted
    return actual == wanted


def contains_words(record: Record, text: str) -> bool:
    """Every word of ``text`` occurs in the object's text fields (without regard to case)."""
    haystack = " ".join(strings_of(record)).lower()
    return all(word in haystack for word in text.lower().split())


def strings_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_of(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_of(item)]
    return []

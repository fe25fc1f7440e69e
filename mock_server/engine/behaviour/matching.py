"""Partial matching of request bodies and query strings, for override rules and the journal.

A predicate is written as the part of a request it expects to find:
`{"eventName": "contact_created"}` matches every body whose `eventName` is
`contact_created`, whatever else the body holds.
"""

from __future__ import annotations

from typing import Any


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

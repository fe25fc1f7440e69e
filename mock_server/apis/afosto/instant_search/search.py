"""The search itself: one query against the stored documents of one index (words,
filters, distinct values, facets and their number statistics, display fields, paging)."""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ....engine.behaviour.matching import strings_of
from ....engine.errors import ApiError, Problem
from ....engine.runtime import ApiRuntime
from ..criteria import as_number, as_text, holds
from .index_updates import DOCUMENTS, settings_of
from .query import Query


def _flat(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return [item for element in value for item in _flat(element)]
    if isinstance(value, dict):
        return []
    return [value]


def field_values(document: dict[str, Any], key: str) -> list[Any]:
    """The values a filter or facet key names in a document (see the package's description)."""
    if "." in key:
        return _flat(_at(document, key))
    for section in ("filters", "metadata"):
        holder = document.get(section)
        if isinstance(holder, dict) and key in holder:
            return _flat(holder[key])
    return _flat(document.get(key))


def _words(document: dict[str, Any], settings: dict[str, Any]) -> str:
    """The text query words are matched against: the search fields, or every string."""
    fields = settings.get("search_fields") or []
    if fields:
        return " ".join(text for name in fields for text in strings_of(_at(document, name))).lower()
    return " ".join(strings_of(document)).lower()


def _at(document: dict[str, Any], dotted: str) -> Any:
    value: Any = document
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _matches_text(haystack: str, words: list[str], synonyms: dict[str, list[str]]) -> bool:
    return all(any(form in haystack for form in (word, *(s.lower() for s in synonyms.get(word, ())))) for word in words)


@dataclass
class Found:
    """What one index answers to one query."""

    count: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]]
    stats: dict[str, dict[str, float]]


def search(runtime: ApiRuntime, account: str, index_id: str, query: Query) -> Found:
    """Run one query against the stored documents of one index."""
    settings = settings_of(runtime, account, index_id)
    filterable = [entry.get("key") for entry in settings.get("filters") or [] if isinstance(entry, dict)]
    for condition in query.filters:
        if filterable and condition.key not in filterable:
            raise ApiError(400, f'body field "{Problem("body", (*condition.where, "key"), "x").field}": '
                                f'{condition.key!r} is not filterable; filterable: {", ".join(filterable)}',
                           [Problem("body", (*condition.where, "key"), "invalid")])
    stop_words = {word.lower() for word in settings.get("stop_words") or []}
    words = [word for word in query.text.lower().split() if word not in stop_words]
    synonyms = {str(word).lower(): list(alternatives) for word, alternatives in (settings.get("synonyms") or {}).items()}
    matches = []
    seen_distinct: set[str] = set()
    distinct = settings.get("distinct_field")
    for document in runtime.store.collection(account, DOCUMENTS, (index_id,)).values():
        if words and not _matches_text(_words(document, settings), words, synonyms):
            continue
        if not all(holds(field_values(document, condition.key), condition) for condition in query.filters):
            continue
        if distinct:
            marks = [as_text(value) for value in field_values(document, distinct)]
            if marks and marks[0] in seen_distinct:
                continue
            seen_distinct.update(marks[:1])
        matches.append(document)
    facets, stats = _facets(matches, query.facets, settings, filterable)
    shown = settings.get("display_fields") or []
    page = matches[query.offset : query.offset + query.limit]
    hits = [_displayed(document, shown) for document in page]
    return Found(len(matches), hits, facets, stats)


def _displayed(document: dict[str, Any], shown: list[str]) -> dict[str, Any]:
    if not shown:
        return copy.deepcopy(document)
    return {name: copy.deepcopy(document[name]) for name in ("reference", *shown) if name in document}


def _facets(
    documents: list[dict[str, Any]], asked: list[str], settings: dict[str, Any], filterable: list[str]
) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, float]]]:
    allowed = settings.get("facet_fields") or []
    keys: list[str] = []
    for name in asked:
        if name == "*":
            every = allowed or filterable or sorted({k for d in documents for k in (d.get("filters") or {}) if isinstance(d.get("filters"), dict)})
            keys.extend(key for key in every if key not in keys)
        elif name not in keys and (not allowed or name in allowed):
            keys.append(name)
    facets: dict[str, dict[str, int]] = {}
    stats: dict[str, dict[str, float]] = {}
    for key in keys:
        counts: dict[str, int] = {}
        numbers: list[int | float] = []
        numeric = True
        for document in documents:
            for value in field_values(document, key):
                counts[as_text(value)] = counts.get(as_text(value), 0) + 1
                number = as_number(value) if not isinstance(value, str) else None
                if number is None:
                    numeric = False
                else:
                    numbers.append(number)
        facets[key] = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
        if numbers and numeric:
            stats[key] = number_stats(numbers)
    return facets, stats


def number_stats(numbers: list[int | float]) -> dict[str, int | float]:
    """`min`, `max`, `avg` and `sum` of a facet's numbers, each one JSON can carry: min and
    max are values of the facet; the sum of integers is exact; a sum or average of doubles
    is a double (the average to 6 decimals), or, beyond a double's range, the exact value
    rounded to the nearest integer (a JSON number has no range; a double would be infinite)."""
    if all(type(number) is int for number in numbers):
        total: int | float = sum(numbers)
        average = _nearest(Fraction(total, len(numbers)))
    else:
        try:
            total = math.fsum(numbers)
        except OverflowError:  # an integer beyond a double, or a sum beyond one
            total = math.inf
        if math.isfinite(total):
            average = round(total / len(numbers), 6)
        else:
            exact = sum(map(Fraction, numbers), Fraction(0))
            total, average = _nearest(exact), _nearest(exact / len(numbers))
    return {"min": _plain(min(numbers)), "max": _plain(max(numbers)), "avg": _plain(average), "sum": _plain(total)}


def _nearest(exact: Fraction) -> int | float:
    """An exact value as JSON carries it: whole ones as integers, others as the nearest
    double to 6 decimals, or, beyond a double's range, as the nearest integer."""
    if exact.denominator == 1:
        return int(exact)
    try:
        return round(float(exact), 6)
    except OverflowError:
        return round(exact)


def _plain(number: int | float) -> int | float:
    """A whole double as an integer (`32`, not `32.0`)."""
    return int(number) if isinstance(number, float) and number.is_integer() else number

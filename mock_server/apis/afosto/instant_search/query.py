"""The query language of instant search: a documented JSON body, or the vendor client's
`{"data": [query, ...]}`, each query read into a `Query` with every value checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ....engine.errors import ApiError, Problem
from ..criteria import Condition, read_conditions

DEFAULT_LIMIT = 10
MAX_LIMIT = 1000


@dataclass
class Query:
    """One search request: what the documented body or one entry of `data` asks."""

    text: str = ""
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    indices: list[str] | None = None
    filters: list[Condition] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    query_id: str | None = None
    where: tuple[str | int, ...] = ()


def read_queries(body: Any) -> tuple[list[Query], bool]:
    """The queries of a request body, and whether they came wrapped in `data`."""
    if isinstance(body, dict) and "data" in body:
        entries = body["data"]
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise ApiError(400, 'body field "data" must be a list of queries', [Problem("body", ("data",), "type", "array")])
        return [read_query(entry, ("data", position)) for position, entry in enumerate(entries)], True
    return [read_query(body if isinstance(body, dict) else {}, ())], False


def read_query(raw: dict[str, Any], where: tuple[str | int, ...]) -> Query:
    """A query from its JSON, every value checked; 400 naming the field otherwise."""

    def bad(name: str | int, *more: str | int, kind: str = "type", expected: Any = None) -> ApiError:
        return ApiError(400, problems=[Problem("body", (*where, name, *more), kind, expected)])

    text = raw.get("q")
    if text is not None and not isinstance(text, str):
        raise bad("q", expected="string")
    numbers = {}
    for name, default, low, high in (("offset", 0, 0, None), ("limit", DEFAULT_LIMIT, 0, MAX_LIMIT)):
        value = raw.get(name)
        if value is None:
            numbers[name] = default
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad(name, expected="integer")
        if value < low:
            raise bad(name, kind="minimum", expected=low)
        if high is not None and value > high:
            raise bad(name, kind="maximum", expected=high)
        numbers[name] = value
    indices = raw.get("indices")
    if indices is not None and not (isinstance(indices, list) and all(isinstance(item, str) for item in indices)):
        raise bad("indices", expected="array")
    facets = raw.get("facets") or []
    if not (isinstance(facets, list) and all(isinstance(item, str) for item in facets)):
        raise bad("facets", expected="array")
    query_id = raw.get("__queryID")
    return Query(
        text=text or "",
        offset=numbers["offset"],
        limit=numbers["limit"],
        indices=indices or None,
        filters=read_conditions(raw.get("filters"), (*where, "filters"), "values"),
        facets=facets,
        query_id=str(query_id) if query_id is not None else None,
        where=where,
    )

"""The two answer formats of a search: the documented JSON answer to one query, and the
vendor's JavaScript client's (`application/vnd.instantsearch+json`), one entry per query
with results keyed by index alias."""

from __future__ import annotations

import math
from typing import Any

from ....engine.vendor import Call
from .query import Query
from .search import Found

VENDOR_MEDIA_TYPE = "application/vnd.instantsearch+json"
JSON_MEDIA_TYPE = "application/json"
# What each target of a query found: (alias, index id, found).
Results = list[tuple[str, str, Found]]


def wants_vendor_answer(call: Call) -> bool:
    """Whether the client asked for the instant-search answer (its JavaScript client does):
    its `Accept` names the vendor's media type and ranks it no lower than JSON. `Accept`
    is a preference: a client that takes anything (`*/*`) gets the documented JSON."""
    return prefers_vendor_type(call.incoming.headers.get("accept", ""))


def prefers_vendor_type(accept: str) -> bool:
    """`application/vnd.instantsearch+json` -> True; `*/*`, `application/json, <vendor>;q=0.5`,
    `<vendor>;q=0` -> False. A range's weight is that of its most specific entry."""
    weights: dict[str, float] = {}
    for entry in accept.lower().split(","):
        media, *parameters = [part.strip() for part in entry.split(";")]
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media and (media not in weights or weight > weights[media]):
            weights[media] = weight if math.isfinite(weight) else 0.0
    vendor = weights.get(VENDOR_MEDIA_TYPE)
    if not vendor or vendor <= 0:
        return False
    json_weight = next((weights[media] for media in (JSON_MEDIA_TYPE, "application/*", "*/*") if media in weights), 0.0)
    return vendor >= json_weight


def vendor_body(answers: list[tuple[Query, Results]]) -> list[dict[str, Any]]:
    """The vendor client's answer: one entry per query, echoing its `__queryID` when it sent one."""
    body = [
        {
            "__queryID": query.query_id,
            "results": [
                {
                    "id": alias,
                    "hits": [{"objectID": hit.get("reference"), **hit} for hit in found.hits],
                    "count": found.count,
                    "facets": found.facets,
                    "facets_stats": found.stats,
                }
                for alias, _, found in results
            ],
        }
        for query, results in answers
    ]
    for entry in body:
        if entry["__queryID"] is None:
            del entry["__queryID"]
    return body


def documented_body(query: Query, results: Results) -> dict[str, Any]:
    """The documented answer to one query: each index's hits and facet buckets, and the total."""
    return {
        "results": [
            {
                "id": index_id,
                "count": found.count,
                "hits": found.hits,
                "facets": [
                    {"key": name, "buckets": [{"value": value, "count": str(count)} for value, count in counts.items()]}
                    for name, counts in found.facets.items()
                ],
            }
            for _, index_id, found in results
        ],
        "offset": query.offset,
        "limit": query.limit,
        "count": sum(found.count for _, _, found in results),
        "q": query.text,
    }

"""What the Afosto contract holds beyond the reference document: what the sandbox's
documented behaviour needs to be described, each part marked `x-inferred`.

- 409 Conflict on the operations whose rules refuse a request in the current state
  (the batch lifecycle, locked datasets, taken proxy keys, deleting an object that
  another still names), from the Afosto module's own table of them;
- `application/vnd.instantsearch+json`, which the document lists as a second answer of
  its two search operations, in the shape the vendor's published JavaScript client reads
  (one answer per query, echoing its `__queryID`, results keyed by index alias);
- on proxy search, a `text/plain` body (that client sends its JSON as text) with the
  client's `data` wrapper, and no bearer token (the proxy key names the tenant);
- `GET /cnt/instant/search/{id}/settings`, which that client calls for the proxy's
  index aliases.
"""

from __future__ import annotations

import copy

from ..apis.afosto.conflicts import conflict_routes
from .afosto import ERROR_REF
from .model import ApiContract, JsonSchema, Operation, Parameter, RequestBody, Response

VENDOR_MEDIA_TYPE = "application/vnd.instantsearch+json"
PROXY_SEARCH = ("POST", "/cnt/instant/search/{id}")
INDEX_SEARCH = ("POST", "/cnt/instant/indexes/{id}/search")
SETTINGS_PATH = "/cnt/instant/search/{id}/settings"

_STRING: JsonSchema = {"type": "string"}
_STRINGS: JsonSchema = {"type": "array", "items": {"type": "string"}}
_NUMBER: JsonSchema = {"type": "number"}
INSTANT_SEARCH_ANSWERS: JsonSchema = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "__queryID": _STRING,
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": _STRING,
                        "count": {"type": "integer"},
                        "hits": {"type": "array", "items": {"type": "object"}},
                        "facets": {
                            "type": "object",
                            "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}},
                        },
                        "facets_stats": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "properties": {"min": _NUMBER, "max": _NUMBER, "avg": _NUMBER, "sum": _NUMBER},
                            },
                        },
                    },
                    "required": ["id", "count", "hits", "facets", "facets_stats"],
                },
            },
        },
        "required": ["results"],
    },
}
CLIENT_QUERY_FIELDS: dict[str, JsonSchema] = {
    "offset": {"type": "integer", "nullable": True},
    "__queryID": _STRING,
    "session_id": _STRING,
    "user_id": _STRING,
}
PROXY_SETTINGS: JsonSchema = {
    "type": "object",
    "properties": {
        "data": {
            "type": "object",
            "properties": {
                "key": _STRING,
                "indexes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "alias": _STRING,
                            "index_id": _STRING,
                            "name": _STRING,
                            "filters": {
                                "type": "array",
                                "items": {"type": "object", "properties": {"key": _STRING, "type": _STRING}},
                            },
                            "facet_fields": _STRINGS,
                            "search_fields": _STRINGS,
                        },
                        "required": ["alias", "index_id"],
                    },
                },
            },
            "required": ["indexes"],
        }
    },
    "required": ["data"],
}


def add_sandbox_rules(contract: ApiContract) -> ApiContract:
    """The contract with the additions this module describes (changed in place)."""
    by_route = {(operation.method, operation.path): operation for operation in contract.operations}
    _add_conflicts(by_route)
    for route in (PROXY_SEARCH, INDEX_SEARCH):
        _add_vendor_answer(by_route[route])
    proxy_search = by_route[PROXY_SEARCH]
    _add_text_body(proxy_search)
    proxy_search.security = []
    contract.operations.append(_settings_operation(proxy_search))
    return contract


def _add_conflicts(by_route: dict[tuple[str, str], Operation]) -> None:
    for route, reason in conflict_routes(by_route).items():
        operation = by_route[route]
        if not any(response.status == 409 for response in operation.responses):
            operation.responses.append(Response(409, f"Conflict: {reason}", schema=dict(ERROR_REF), inferred=True))


def _success(operation: Operation) -> Response:
    return next(response for response in operation.responses if 200 <= response.status < 300)


def _add_vendor_answer(operation: Operation) -> None:
    _success(operation).more_content[VENDOR_MEDIA_TYPE] = copy.deepcopy(INSTANT_SEARCH_ANSWERS)


def _add_text_body(operation: Operation) -> None:
    documented = next(body for body in operation.request_bodies if body.content_type.endswith("json"))
    query = copy.deepcopy(documented.schema)
    client_query = {**query, "properties": {**query.get("properties", {}), **copy.deepcopy(CLIENT_QUERY_FIELDS)}}
    text_schema = {**query, "properties": {**query.get("properties", {}), "data": {"type": "array", "items": client_query}}}
    operation.request_bodies.append(RequestBody("text/plain", text_schema))


def _settings_operation(search: Operation) -> Operation:
    errors = [copy.deepcopy(response) for response in search.responses if response.status >= 400 and response.status != 409]
    return Operation(
        method="GET",
        path=SETTINGS_PATH,
        operation_id="getProxySearchSettings",
        summary="Proxy search settings",
        tags=list(search.tags),
        parameters=[Parameter("id", "path", {"type": "string"}, required=True)],
        body_required=False,
        responses=[Response(200, "The indexes the proxy publishes, by alias", schema=copy.deepcopy(PROXY_SETTINGS)), *errors],
        security=[],
        description="What the vendor's instant-search client reads: the proxy's index aliases.",
        inferred=True,
    )

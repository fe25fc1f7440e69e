"""What the Afosto contract holds beyond the reference document: what the sandbox's
documented behaviour needs to be described, each part marked `x-inferred`.

- 409 Conflict on the operations whose rules refuse a request in the current state
  (the batch lifecycle, locked datasets, taken proxy keys, deleting an object that
  another still names), from the Afosto module's own table of them;
- `application/vnd.instantsearch+json`, which the document lists as a second answer of
  its two search operations, in the shape the vendor's published JavaScript client reads
  (one answer per query, echoing its `__queryID`, results keyed by index alias), chosen
  by an `Accept` header that is a preference (any value; the document lists two);
- on proxy search, a `text/plain` body (that client sends its JSON as text) with the
  client's `data` wrapper, and no bearer token (the proxy key names the tenant);
- `GET /cnt/instant/search/{id}/settings`, which that client calls for the proxy's
  index aliases;
- the values the sandbox's rules accept where the document prints only `string` or
  `object`: the operators of search conditions (with the values each one takes), the
  events of webhook subscriptions (the sandbox's own catalogue) and their endpoint URL,
  and the entries of a batch's import mapping (each names its `column`);
- what the module reads where the document is silent, in the shape it reads it: the
  index settings search uses (`distinct_field`, `facet_fields`, `search_fields`,
  `display_fields`, synonyms as lists of words, filters that name their `key`), the
  bounds of a search's `offset` and `limit`, a document's `reference` and a dataset row's
  `data` (required), the file a dataset reads (`file_id`) and the file part of an upload
  (required), a proxy `key` that is one segment of the search URL, and the `ids` and
  `emails` a contact search takes.
"""

from __future__ import annotations

import copy

from ..apis.afosto.batches import COLUMN_TYPES, TYPE_ALIASES
from ..apis.afosto.conflicts import conflict_routes
from ..apis.afosto.criteria import ALIASES, OPERATORS
from ..apis.afosto.instant_search import MAX_LIMIT, PROXY_KEY
from ..apis.afosto.webhooks import event_names
from .afosto.components import ERROR_REF
from .afosto.operations import JSON_TYPE
from .model import ApiContract, JsonSchema, Operation, Parameter, RequestBody, Response
from .urls import delivery_url_pattern

VENDOR_MEDIA_TYPE = "application/vnd.instantsearch+json"
PROXY_SEARCH = ("POST", "/cnt/instant/search/{id}")
INDEX_SEARCH = ("POST", "/cnt/instant/indexes/{id}/search")
SETTINGS_PATH = "/cnt/instant/search/{id}/settings"
# Where search conditions are, and what each calls its values.
CONDITIONS = {
    ("POST", "/rel/contacts"): ("constraints", "value"),
    INDEX_SEARCH: ("filters", "values"),
    PROXY_SEARCH: ("filters", "values"),
}
INDEX_SETTINGS = ("POST", "/cnt/instant/indexes/{id}/settings")
DOCUMENTS = ("PUT", "/cnt/instant/indexes/{id}/documents")
DATASET_ROWS = ("POST", "/cnt/datasets/{id}/upload")
DATASET_FILE = ("POST", "/cnt/datasets/{id}/attach")
FILE_UPLOAD = ("POST", "/cnt/files/upload/{signature}")
PROXIES = ("POST", "/cnt/instant/proxies")
CONTACT_SEARCH = ("POST", "/rel/contacts")
SUBSCRIPTIONS = ("POST", "/mes/webhooks/subscriptions")
SUBSCRIPTION = ("PUT", "/mes/webhooks/subscriptions/{id}")
TRIGGER = ("POST", "/mes/webhooks/subscriptions/{id}/trigger")
BATCH_WRITES = (("POST", "/cnt/batches"), ("PUT", "/cnt/batches/{id}"))
# A number as the conditions read it from text: any size, compared exactly.
NUMBER_TEXT = r"^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$"
# Text that is not blank once trimmed.
NOT_BLANK = r"[^\s\x1c-\x1f\x85]"
# A URL with a host that a webhook can be sent to.
WEBHOOK_URL = delivery_url_pattern()

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
    "offset": {"type": "integer", "nullable": True, "minimum": 0},
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
    for route, (field, values_field) in CONDITIONS.items():
        _describe_conditions(_json_body(by_route[route]), field, values_field)
    _describe_subscriptions(by_route)
    for route in BATCH_WRITES:
        _describe_mapping(_json_body(by_route[route]))
    _describe_read_fields(by_route)
    for route in (PROXY_SEARCH, INDEX_SEARCH):
        _add_vendor_answer(by_route[route])
        _accept_as_preference(by_route[route])
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


def _json_body(operation: Operation) -> RequestBody:
    return next(body for body in operation.request_bodies if body.content_type.endswith("json"))


def _property(schema: JsonSchema, name: str) -> JsonSchema:
    found = schema.get("properties", {}).get(name)
    if found is None:
        raise ValueError(f"the documented body has no field {name!r} to describe")
    return found


def _describe_conditions(body: RequestBody, field: str, values_field: str) -> None:
    """`{key, operator, <values>}` entries: a known operator, with the values it takes."""
    conditions = _property(body.schema, field)
    conditions["items"] = condition_schema(values_field)


def condition_schema(values_field: str) -> JsonSchema:
    """One search condition: the operators the sandbox knows (and their spellings), each
    with the number and kind of values it takes; without an operator, `in`."""
    groups: dict[tuple[bool, int | None], list[str]] = {}
    for name, rule in OPERATORS.items():
        groups.setdefault(rule, []).append(name)
    for alias, name in ALIASES.items():
        groups[OPERATORS[name]].append(alias)
    every = [name for names in groups.values() for name in names]

    def entry(operators: list[str], values: JsonSchema, required: list[str]) -> JsonSchema:
        return {
            "type": "object",
            "properties": {
                "key": {"type": "string", "minLength": 1},
                "operator": {"type": "string", "enum": operators},
                values_field: values,
            },
            "required": required,
        }

    options = []
    # Operators of the same rule share an option; the open ones (one or more values) come
    # first, and only they may leave the operator out.
    for (numeric, count), names in sorted(groups.items(), key=lambda item: (item[0][1] is not None, item[0][1] or 0)):
        item: JsonSchema = {"type": "string", "pattern": NUMBER_TEXT} if numeric else {"type": "string"}
        values: JsonSchema = {"type": "array", "items": item}
        if count is None:
            options.append(entry(names, {**values, "minItems": 1}, ["key", values_field]))
        elif count == 0:
            options.append(entry(names, values, ["key", "operator"]))
        else:
            options.append(entry(names, {**values, "minItems": count, "maxItems": count}, ["key", "operator", values_field]))
    schema = entry(every, {"type": "array", "items": {"type": "string"}}, ["key"])
    schema["anyOf"] = options
    schema["x-inferred"] = True
    return schema


def _describe_subscriptions(by_route: dict[tuple[str, str], Operation]) -> None:
    """Events of the sandbox's catalogue, an http(s) endpoint, a rate of at least 1."""
    events = event_names()
    for route in (SUBSCRIPTIONS, SUBSCRIPTION):
        schema = _json_body(by_route[route]).schema
        _property(schema, "events").update({"items": {"type": "string", "enum": list(events)}, "minItems": 1})
        _property(schema, "endpoint").update({"pattern": WEBHOOK_URL})
        _property(schema, "delivery_rate").update({"minimum": 1})
        schema["x-inferred"] = True
    creation = by_route[SUBSCRIPTIONS]
    creation.body_required = True
    _json_body(creation).schema["required"] = ["events", "endpoint"]
    trigger = by_route[TRIGGER]
    trigger.body_required = True
    schema = _json_body(trigger).schema
    _property(schema, "event").update({"enum": list(events)})
    schema["required"] = ["event"]
    schema["x-inferred"] = True


def _describe_mapping(body: RequestBody) -> None:
    """Import mapping entries name their column; a type the rows are checked against."""
    mapping = _property(_property(body.schema, "import"), "mapping")
    mapping["items"] = {
        "type": "object",
        "properties": {
            "column": {"type": "string", "pattern": NOT_BLANK},
            "type": {"type": "string", "enum": [*COLUMN_TYPES, *TYPE_ALIASES]},
            "required": {"type": "boolean"},
        },
        "required": ["column"],
        "x-inferred": True,
    }


def _inferred(schema: JsonSchema) -> JsonSchema:
    return {**copy.deepcopy(schema), "x-inferred": True}


def _describe_read_fields(by_route: dict[tuple[str, str], Operation]) -> None:
    """The fields the module reads where the document is silent on their shape, each
    marked inferred (see the module's description)."""
    settings = _json_body(by_route[INDEX_SETTINGS]).schema
    properties = settings.setdefault("properties", {})
    properties["distinct_field"] = {"type": "string", "minLength": 1, "nullable": True, "x-inferred": True}
    for name in ("facet_fields", "search_fields", "display_fields"):
        properties[name] = _inferred(_STRINGS)
    _property(settings, "synonyms").update({"additionalProperties": copy.deepcopy(_STRINGS), "x-inferred": True})
    entry = _property(settings, "filters")["items"]
    _property(entry, "key")["minLength"] = 1
    entry.update({"required": ["key"], "x-inferred": True})
    for route in (INDEX_SEARCH, PROXY_SEARCH):
        query = _json_body(by_route[route]).schema
        _property(query, "offset").update({"minimum": 0, "x-inferred": True})
        _property(query, "limit").update({"minimum": 0, "maximum": MAX_LIMIT, "x-inferred": True})
    document = _json_body(by_route[DOCUMENTS]).schema["items"]
    _property(document, "reference")["minLength"] = 1
    document.update({"required": ["reference"], "x-inferred": True})
    row = _json_body(by_route[DATASET_ROWS]).schema["items"]
    row.update({"required": ["data"], "x-inferred": True})
    attach = by_route[DATASET_FILE]
    attach.body_required = True
    named_file = _json_body(attach).schema
    _property(named_file, "file_id")["minLength"] = 1
    named_file.update({"required": ["file_id"], "x-inferred": True})
    upload = by_route[FILE_UPLOAD]
    upload.body_required = True
    form = next(body for body in upload.request_bodies if body.content_type.startswith("multipart/")).schema
    _property(form, "file")
    form.update({"required": ["file"], "x-inferred": True})
    _property(_json_body(by_route[PROXIES]).schema, "key").update({"pattern": PROXY_KEY.pattern, "x-inferred": True})
    contacts = _json_body(by_route[CONTACT_SEARCH]).schema.setdefault("properties", {})
    contacts["ids"] = _inferred(_STRINGS)
    contacts["emails"] = _inferred(_STRINGS)


def _success(operation: Operation) -> Response:
    return next(response for response in operation.responses if 200 <= response.status < 300)


def _add_vendor_answer(operation: Operation) -> None:
    _success(operation).more_content[VENDOR_MEDIA_TYPE] = copy.deepcopy(INSTANT_SEARCH_ANSWERS)


def _accept_as_preference(operation: Operation) -> None:
    """`Accept` chooses between the two answers as HTTP content negotiation does: any value
    is taken (`*/*`, a list with weights), so the document's list of two is no closed enum."""
    accept = next(parameter for parameter in operation.parameters if parameter.location == "header" and parameter.name == "Accept")
    accept.schema = {"type": "string", "default": JSON_TYPE, "x-inferred": True}
    accept.description = (
        f"A preference: {VENDOR_MEDIA_TYPE} (ranked no lower than {JSON_TYPE}) answers in the instant-search "
        f"client's shape; any other value answers {JSON_TYPE}"
    )


def _add_text_body(operation: Operation) -> None:
    documented = _json_body(operation)
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

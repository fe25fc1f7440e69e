"""The generic behaviour of every kind of operation (see kinds.py).

Objects are stored as the client wrote them plus the fields the server manages
(identifier, timestamps); answers are shaped into the operation's documented response.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

from .errors import ApiError, Problem
from .kinds import last_segment
from .runtime import CREATED_FIELDS, UPDATED_FIELDS, CollectionInfo, noun_of, template_parameters
from .store import Collection, Record, concrete_path
from .vendor import Call, Paging, Reply

_IDENTIFIER_FIELDS = ("id", "code", "key", "sku", "secret", "reference", "uuid")
_LIST_WRAPPERS = ("rows", "items", "data", "results", "hits", "records")
_TOTAL_FIELDS = {"count", "total", "totalCount", "total_count", "totalHits", "total_hits", "nbHits"}
_PAGE_FIELDS = {"page", "currentPage", "current_page"}
_PAGE_COUNT_FIELDS = {"pageCount", "page_count", "pages", "totalPages", "total_pages"}


def answer(call: Call) -> Reply:
    """Answer a validated, authenticated call by its operation's kind."""
    behaviour = _BEHAVIOURS[call.operation.kind]
    if call.operation.kind != "process":
        call.runtime.require_parents(call.account, call.operation, call.incoming.path_parameters)
    return behaviour(call)


# --- helpers --------------------------------------------------------------------------


def info_of(call: Call) -> CollectionInfo:
    template = call.operation.resource or call.operation.path
    found = call.runtime.collections.get(template)
    if found is None:
        return CollectionInfo(template, {"type": "object", "properties": {}}, "id", False)
    return found


def collection_of(call: Call, info: CollectionInfo | None = None) -> Collection:
    info = info or info_of(call)
    parents = call.runtime.parents_of(info.template, call.incoming.path_parameters)
    return call.runtime.collection(call.account, info.template, parents)


def object_key(call: Call) -> str:
    """The identifier the path names (its last parameter)."""
    name = last_segment(call.operation.path)[1:-1]
    return str(call.incoming.path_parameters[name])


def find(call: Call, collection: Collection, key: str) -> Record:
    record = collection.get(key)
    if record is None:
        raise ApiError(call.operation.error_status(404), f"{noun_of(info_of(call).template)} {key!r} not found")
    return record


def success(call: Call, value: Any, key: str) -> Reply:
    """The documented success answer, shaped from ``value``."""
    spec = call.operation.success
    headers = documented_headers(call, key)
    if spec.status == 204 or spec.schema is None:
        return Reply(spec.status, None, headers)
    if not spec.is_json:
        return Reply(spec.status, binary_body(spec.content_type or ""), headers, spec.content_type)
    schema = spec.schema
    if schema.get("type") in ("integer", "number", "string") and isinstance(value, dict):
        value = value.get("id")
    elif schema.get("type") == "array" and isinstance(value, dict):
        # Some reads are documented as answering a list holding the object.
        value = [value]
    shaped = call.runtime.shaper.shape(value, schema, f"{call.runtime.name}/{call.operation.operation_id}/{key}")
    return Reply(spec.status, shaped, headers, spec.content_type)


def documented_headers(call: Call, key: str) -> dict[str, str]:
    """Values for the response headers the operation documents."""
    headers = {}
    for name, schema in call.operation.success.headers.items():
        if name.lower() in ("x-page", "content-type"):
            continue
        value = call.runtime.fake.value(schema, f"{call.runtime.name}/header/{name}/{key}", name)
        headers[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return headers


def binary_body(content_type: str) -> bytes:
    """A small, valid-looking payload for documented non-JSON answers."""
    if content_type == "image/png":
        return b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    if content_type == "application/pdf":
        return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n%%EOF\n"
    if content_type.startswith("text/"):
        return b"sandbox"
    return b"\x00sandbox\x00"


def body_fields(call: Call) -> dict[str, Any]:
    """The request body when it is an object (a copy), else an empty object."""
    body = call.body
    return copy.deepcopy(body) if isinstance(body, dict) else {}


def with_defaults(call: Call, record: Record) -> Record:
    """Fields the client left out take the defaults the request model documents."""
    spec = call.request.body_spec
    schema = spec.schema if spec is not None else {}
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    for name, prop in schema.get("properties", {}).items():
        if name not in record and "default" in prop:
            record[name] = copy.deepcopy(prop["default"])
    return record


def stamp_new(call: Call, info: CollectionInfo, record: Record, key: str | None = None) -> Record:
    """Server-managed fields of a new object: identifier, documented defaults, timestamps."""
    with_defaults(call, record)
    properties = info.item_schema.get("properties", {})
    if key is not None:
        record[info.id_field] = _typed_identifier(info, key)
    elif record.get(info.id_field) in (None, "") or not call.runtime.vendor.client_supplies_ids:
        record[info.id_field] = call.runtime.new_identifier(info, call.operation.operation_id)
    now = call.runtime.now()
    for name in (*CREATED_FIELDS, *UPDATED_FIELDS):
        if name in properties:
            record[name] = now
    call.runtime.vendor.prepare_new(call, info.template, record)
    return record


def stamp_change(call: Call, info: CollectionInfo, before: Record, after: Record) -> Record:
    """Keep identifier and creation time, move the update time on."""
    after[info.id_field] = before.get(info.id_field)
    for name in CREATED_FIELDS:
        if name in before:
            after[name] = before[name]
    now = call.runtime.now()
    for name in UPDATED_FIELDS:
        if name in info.item_schema.get("properties", {}) or name in before:
            after[name] = now
    call.runtime.vendor.prepare_change(call, info.template, before, after)
    return after


def _typed_identifier(info: CollectionInfo, key: str) -> Any:
    if info.id_schema.get("type") == "integer" and re.fullmatch(r"-?\d{1,18}", key):
        return int(key)
    return key


def store_new(call: Call, info: CollectionInfo, collection: Collection, record: Record) -> Record:
    key = str(record[info.id_field])
    if key in collection:
        raise ApiError(
            call.operation.error_status(409, 400),
            problems=[Problem("body", (info.id_field,), "invalid", f"{key!r} exists already")],
        )
    collection.put(key, record)
    if isinstance(record[info.id_field], int):
        call.runtime.store.bump_counter(info.template, record[info.id_field])
    return record


# --- kinds ----------------------------------------------------------------------------


def create(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    items = call.body if isinstance(call.body, list) else [call.body if call.body is not None else {}]
    created = []
    for item in items:
        record = copy.deepcopy(item) if isinstance(item, dict) else {"value": item}
        created.append(store_new(call, info, collection, stamp_new(call, info, record)))
    result: Any = created if isinstance(call.body, list) else created[0]
    key = ",".join(str(record[info.id_field]) for record in created)
    if isinstance(call.body, list) and call.operation.success.schema and call.operation.success.schema.get("type") != "array":
        result = created[0] if created else {}
    return success(call, result, key)


def create_at(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    key = object_key(call)
    record = stamp_new(call, info, body_fields(call), key)
    store_new(call, info, collection, record)
    return success(call, record, key)


def read(call: Call) -> Reply:
    key = object_key(call)
    return success(call, find(call, collection_of(call), key), key)


def list_objects(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    criteria = _query_criteria(call, info)
    if criteria:
        return list_reply(call, list(filtered(collection.values(), criteria)), info)
    # Unfiltered lists read only the requested page.
    paging = call.runtime.vendor.paging(call)
    return page_reply(call, collection.page(paging.offset, paging.limit), len(collection), info, paging)


def list_reply(call: Call, records: list[Record], info: CollectionInfo) -> Reply:
    """A page of ``records`` in the operation's list shape, paged as the API pages."""
    paging = call.runtime.vendor.paging(call)
    return page_reply(call, records[paging.offset : paging.offset + paging.limit], len(records), info, paging)


def page_reply(call: Call, page: list[Record], total: int, info: CollectionInfo, paging: Paging) -> Reply:
    body = wrap_list(call, page, total, paging.page, paging.limit)
    reply = success(call, body, f"list/{info.template}")
    reply.headers.update(paging.headers)
    return reply


def wrap_list(call: Call, page: list[Record], total: int, page_number: int, page_size: int) -> Any:
    """The list in the response's shape: a bare array, or an object holding the array."""
    schema = call.operation.success.schema or {}
    if schema.get("type") != "object":
        return page
    properties = schema.get("properties", {})
    if not properties:
        # A list documented only as "an object": rows and paging in the common `rows` shape.
        return {"rows": page, "page": page_number, "pageCount": max(1, -(-total // page_size)) if page_size < 10**9 else 1}
    wrapper = next(
        (name for name in properties if name in _LIST_WRAPPERS or name == last_segment(info_of(call).template)),
        next((name for name, prop in properties.items() if prop.get("type") == "array"), None),
    )
    body: dict[str, Any] = {wrapper: page} if wrapper else {}
    pages = max(1, -(-total // page_size)) if page_size < 10**9 else 1
    for name in properties:
        if name in _TOTAL_FIELDS:
            body[name] = total
        elif name in _PAGE_FIELDS:
            body[name] = page_number
        elif name in _PAGE_COUNT_FIELDS:
            body[name] = pages
    return body


def _query_criteria(call: Call, info: CollectionInfo) -> dict[str, Any]:
    """Query parameters naming fields of the objects filter the list by equality."""
    properties = info.item_schema.get("properties", {})
    path_names = set(template_parameters(call.operation.path))
    return {
        name: value
        for name, value in call.request.parameters.items()
        if name in properties and name not in path_names
    }


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


def _change(call: Call, combine: Callable[[Record, dict[str, Any]], Record]) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    key = object_key(call)
    before = find(call, collection, key)
    after = stamp_change(call, info, before, combine(before, body_fields(call)))
    collection.put(key, after)
    return success(call, after, key)


def replace(call: Call) -> Reply:
    """PUT: the body replaces the object (documented defaults fill what it leaves out)."""
    return _change(call, lambda before, fields: with_defaults(call, fields))


def update(call: Call) -> Reply:
    """PATCH: the body is merged into the object."""
    return _change(call, merged)


def merged(base: Record, changes: dict[str, Any]) -> Record:
    """A PATCH merge: nested objects merge, everything else is replaced."""
    result = copy.deepcopy(base)
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name] = merged(result[name], value)
        else:
            result[name] = value
    return result


def update_by_body(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    items = call.body if isinstance(call.body, list) else [call.body]
    changed = []
    for item in items:
        fields = item if isinstance(item, dict) else {}
        key = identifier_in(fields, info)
        if key is None:
            raise ApiError(400, problems=[Problem("body", (info.id_field,), "required")])
        before = find(call, collection, key)
        after = stamp_change(call, info, before, merged(before, fields))
        collection.put(key, after)
        changed.append(after)
    return success(call, changed if isinstance(call.body, list) else changed[0], "update")


def identifier_in(fields: dict[str, Any], info: CollectionInfo) -> str | None:
    for name in (info.id_field, *_IDENTIFIER_FIELDS):
        if fields.get(name) not in (None, ""):
            return str(fields[name])
    return None


def upsert(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    items, wrapper = _upsert_items(call.body)
    results = []
    for item in items:
        fields = copy.deepcopy(item) if isinstance(item, dict) else {"value": item}
        key = identifier_in(fields, info)
        before = collection.get(key) if key is not None else None
        if before is None:
            record = stamp_new(call, info, fields, key)
            collection.put(str(record[info.id_field]), record)
        else:
            record = stamp_change(call, info, before, merged(before, fields))
            collection.put(str(key), record)
        results.append(record)
    if wrapper is not None:
        result: Any = {wrapper: results}
    elif isinstance(call.body, list):
        result = results
    else:
        result = results[0] if results else {}
    return success(call, result, "upsert")


def _upsert_items(body: Any) -> tuple[list[Any], str | None]:
    """Bodies are one object, a list, or an object wrapping a list (`{properties: [...]}`)."""
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict):
        lists = [name for name, value in body.items() if isinstance(value, list) and value and isinstance(value[0], dict)]
        if len(lists) == 1 and not any(body.get(name) not in (None, "") for name in _IDENTIFIER_FIELDS):
            return body[lists[0]], lists[0]
        return [body], None
    return [], None


def delete(call: Call) -> Reply:
    collection = collection_of(call)
    key = object_key(call)
    record = find(call, collection, key)
    collection.delete(key)
    return success(call, record, key)


def delete_matching(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    wanted = _named_identifiers(call.body) | {
        str(value) for name, value in call.request.parameters.items() if name in _IDENTIFIER_FIELDS or name == info.id_field
    }
    removed = []
    for record in list(collection.values()):
        if wanted and str(record.get(info.id_field)) in wanted:
            collection.delete(str(record.get(info.id_field)))
            removed.append(record)
    if not wanted and "{" in info.template:
        # A nested collection cleared as a whole ("clears all documents").
        for key in collection.keys():
            removed.append(collection.delete(key))
    return success(call, removed, "delete")


def _named_identifiers(body: Any) -> set[str]:
    if isinstance(body, list):
        return {str(item.get("id", item)) if isinstance(item, dict) else str(item) for item in body}
    if isinstance(body, dict):
        found: set[str] = set()
        for name, value in body.items():
            if name in ("ids", "keys", "codes", "skus", "items", "documents") and isinstance(value, list):
                found |= _named_identifiers(value)
            elif name in _IDENTIFIER_FIELDS and value is not None:
                found.add(str(value))
        return found
    return set()


def search(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    criteria = _search_criteria(call, info)
    text = _query_text(call)
    records = [
        record
        for record in filtered(collection.values(), criteria)
        if not text or _contains_words(record, text)
    ]
    return list_reply(call, records, info)


def _search_criteria(call: Call, info: CollectionInfo) -> dict[str, Any]:
    """Body and query fields naming object fields (plural names match singular fields)."""
    properties = info.item_schema.get("properties", {})
    criteria: dict[str, Any] = {}
    sources = [call.request.parameters]
    if isinstance(call.body, dict):
        sources.append(call.body)
        if isinstance(call.body.get("filters"), dict):
            sources.append(call.body["filters"])
    path_names = set(template_parameters(call.operation.path))
    for source in sources:
        for name, value in source.items():
            if name in path_names or value in (None, "", [], {}):
                continue
            field = name if name in properties else name[:-1] if name.endswith("s") and name[:-1] in properties else None
            if field is not None and not isinstance(value, dict):
                criteria[field] = value
    return criteria


def _query_text(call: Call) -> str:
    for source in (call.body if isinstance(call.body, dict) else {}, call.request.parameters):
        for name in ("q", "query", "search", "term"):
            value = source.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip().lower()
    return ""


def _contains_words(record: Record, text: str) -> bool:
    haystack = " ".join(_strings(record)).lower()
    return all(word in haystack for word in text.split())


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def action(call: Call) -> Reply:
    """The object the path names changes: the body's fields, and the state the action names."""
    info = info_of(call)
    collection = collection_of(call, info)
    key = _action_target(call, info)
    before = find(call, collection, key)
    after = merged(before, {k: v for k, v in body_fields(call).items() if k in info.item_schema.get("properties", {})})
    apply_state_word(after, last_segment(call.operation.path), info)
    after = stamp_change(call, info, before, after)
    collection.put(key, after)
    return success(call, after, key)


def _action_target(call: Call, info: CollectionInfo) -> str:
    names = template_parameters(call.operation.path)
    own = [name for name in names if name not in template_parameters(info.template)]
    name = own[0] if own else names[-1]
    return str(call.incoming.path_parameters[name])


def apply_state_word(record: Record, word: str, info: CollectionInfo) -> None:
    """`confirm` sets `is_confirmed`; `cancel` moves a `status` enum to `cancelled`, ..."""
    _apply_forms(record, _word_forms(word.lower()), info.item_schema.get("properties", {}))


def _apply_forms(record: Record, forms: set[str], properties: dict[str, Any]) -> None:
    for name, schema in properties.items():
        plain = re.sub(r"[^a-z]", "", name.lower())
        if schema.get("type") == "boolean" and any(plain in (form, "is" + form, "has" + form) for form in forms):
            record[name] = True
        elif name in ("status", "state") and schema.get("enum"):
            for option in schema["enum"]:
                if isinstance(option, str) and re.sub(r"[^a-z]", "", option.lower()) in forms:
                    record[name] = option
        elif name in ("status", "state") and schema.get("properties"):
            # State kept as a set of flags: `state: {is_canceled, is_confirmed, ...}`.
            nested = record.get(name) if isinstance(record.get(name), dict) else {}
            _apply_forms(nested, forms, schema["properties"])
            if nested:
                record[name] = nested


def _word_forms(word: str) -> set[str]:
    stem = word[:-1] if word.endswith("e") else word
    return {word, word + "ed", word + "d", stem + "ed", word + "led", word + "ing", stem + "ing", word[:-1] + "ied"}


def singleton_read(call: Call) -> Reply:
    path = concrete_path(call.operation.path, tuple(_path_values(call)))
    record = call.runtime.data(call.account).singletons.get(path)
    return success(call, record if record is not None else _default_singleton(call, path), path)


def singleton_write(call: Call) -> Reply:
    path = concrete_path(call.operation.path, tuple(_path_values(call)))
    singletons = call.runtime.data(call.account).singletons
    before = singletons.get(path) or {}
    after = merged(before, body_fields(call)) if isinstance(call.body, dict) else {"value": call.body}
    singletons[path] = after
    return success(call, after, path)


def _path_values(call: Call) -> list[str]:
    return [str(call.incoming.path_parameters[name]) for name in template_parameters(call.operation.path)]


def _default_singleton(call: Call, path: str) -> Any:
    schema = call.operation.success.schema or {}
    return call.runtime.fake.value(schema, f"{call.runtime.name}/{call.account.name}/singleton{path}")


def process(call: Call) -> Reply:
    """Computed answers depend on the request only, so repeating a request repeats its answer."""
    fingerprint = json.dumps(
        [call.request.parameters, call.body if not isinstance(call.body, bytes) else len(call.body)],
        sort_keys=True,
        default=str,
    )
    schema = call.operation.success.schema or {}
    value = call.runtime.fake.value(schema, f"{call.runtime.name}/{call.operation.operation_id}/{fingerprint}")
    return success(call, value, fingerprint)


_BEHAVIOURS: dict[str, Callable[[Call], Reply]] = {
    "create": create,
    "create_at": create_at,
    "read": read,
    "list": list_objects,
    "replace": replace,
    "update": update,
    "update_by_body": update_by_body,
    "upsert": upsert,
    "delete": delete,
    "delete_matching": delete_matching,
    "search": search,
    "action": action,
    "singleton_read": singleton_read,
    "singleton_write": singleton_write,
    "process": process,
}

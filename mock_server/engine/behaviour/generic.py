"""The generic handler of every kind of operation (see `contract/kinds.py`): what it does
to the store.

Objects are stored as the client wrote them plus the fields the server manages
(identifier, documented defaults); every change goes through the store's write path
(`toolkit.py`), which stamps timestamps and announces it. `replies.py` shapes what the
client gets back.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from .. import jsonio
from ..contract.collections import CollectionInfo, positional_names, template_parameters
from ..contract.kinds import last_segment
from ..errors import ApiError, Problem
from ..inflection import word_forms
from ..state.changes import FROM_API
from ..state.store import SINGLE, Record, concrete_path
from ..values.identifiers import identifier_key
from ..vendor import Call, Reply
from .matching import contains_words, filtered
from .replies import list_reply, page_reply, success
from .toolkit import (
    IDENTIFIER_FIELDS,
    answered_object,
    body_fields,
    check_model_fields,
    collection_of,
    described,
    find,
    identifier_in,
    info_of,
    kept_identity,
    listed,
    merged,
    new_record,
    object_key,
    remove,
    save,
    store_new,
    with_defaults,
)


def generic_handler(call: Call) -> Reply:
    """Carry out a validated, authenticated call by its operation's kind (the handler of
    every operation its API module does not handle itself)."""
    behaviour = GENERIC_HANDLERS[call.operation.kind]
    if call.operation.kind != "process":
        call.runtime.require_parents(call.account, call.operation, call.incoming.path_parameters)
    return behaviour(call)


# --- where the objects are ------------------------------------------------------------------


# --- writing through the store --------------------------------------------------------------


# --- kinds ------------------------------------------------------------------------------------


def create(call: Call) -> Reply:
    info = info_of(call)
    body = call.body
    many = isinstance(body, list)
    items = body if many else [body if body is not None else {}]
    records = []
    for index, item in enumerate(items):
        # The body was parsed for this call alone: its objects are stored as they are,
        # uploads among them as their descriptions.
        uploads = bool(call.request.files) or isinstance(item, (bytes, bytearray))
        value = described(call, item) if uploads else item
        record = value if isinstance(value, dict) else {"value": value}
        check_model_fields(call, info, record, (index,) if many else ())
        records.append(record)
    created = [store_new(call, info, new_record(call, info, record)) for record in records]
    if not many:
        return success(call, answered_object(call, info, created[0]), str(created[0][info.id_field]))
    result: Any = created
    key = ",".join([str(record[info.id_field]) for record in created])
    if call.operation.success.schema and call.operation.success.schema.get("type") != "array":
        result = created[0] if created else {}
    return success(call, answered_object(call, info, result), key)


def create_at(call: Call) -> Reply:
    info = info_of(call)
    key = object_key(call)
    fields = body_fields(call)
    check_model_fields(call, info, fields)
    record = store_new(call, info, new_record(call, info, fields, key), from_path=last_segment(call.operation.path)[1:-1])
    return success(call, answered_object(call, info, record), key)


def read(call: Call) -> Reply:
    key = object_key(call)
    info = info_of(call)
    return success(call, answered_object(call, info, find(call, collection_of(call, info), key, info)), key)


def list_objects(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    criteria = _query_criteria(call, info)
    if criteria:
        return list_reply(call, listed(call, info, list(filtered(collection.values(), criteria))), info)
    # Unfiltered lists read only the requested page.
    paging = call.vendor.paging(call)
    return page_reply(call, listed(call, info, collection.page(paging.offset, paging.limit)), len(collection), info, paging)


def _query_criteria(call: Call, info: CollectionInfo) -> dict[str, Any]:
    """Query parameters the client sent that name fields of the objects filter the list by
    equality (a documented default filters nothing the client did not ask for)."""
    properties = info.item_schema.get("properties", {})
    path_names = set(template_parameters(call.operation.path))
    sent = {name.removesuffix("[]") for name, _ in call.incoming.query}
    return {
        name: value
        for name, value in call.request.parameters.items()
        if name in properties and name not in path_names and name in sent
    }


def _change(call: Call, combine: Callable[[Record, dict[str, Any]], Record]) -> Reply:
    info = info_of(call)
    key = object_key(call)
    before = find(call, collection_of(call, info), key, info)
    fields = body_fields(call)
    after = combine(before, fields)
    check_model_fields(call, info, {name: after.get(name) for name in fields})
    after = save(call, info, key, kept_identity(info, before, after))
    return success(call, after, key)


def replace(call: Call) -> Reply:
    """PUT: the body replaces the object (documented defaults fill what it leaves out)."""
    return _change(call, lambda before, fields: with_defaults(call, fields))


def update(call: Call) -> Reply:
    """PATCH: the body is merged into the object."""
    return _change(call, merged)


def update_by_body(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    many = isinstance(call.body, list)
    items = call.body if many else [call.body]
    planned = []
    for index, item in enumerate(items):
        fields = item if isinstance(item, dict) else {}
        key = identifier_in(fields, info)
        if key is None:
            raise ApiError(400, problems=[Problem("body", (info.id_field,), "required")])
        before = find(call, collection, key, info)
        after = merged(before, fields)
        check_model_fields(call, info, {name: after.get(name) for name in fields}, (index,) if many else ())
        planned.append((key, kept_identity(info, before, after)))
    changed = [save(call, info, key, after) for key, after in planned]
    return success(call, changed if isinstance(call.body, list) else changed[0], "update")


def upsert(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    items, wrapper = _upsert_items(call.body)
    where: tuple[str, ...] = (wrapper,) if wrapper is not None else ()
    listed = isinstance(call.body, list) or wrapper is not None
    fields_of = []
    for index, item in enumerate(items):
        fields = jsonio.copied(item) if isinstance(item, dict) else {"value": item}
        check_model_fields(call, info, fields, (*where, index) if listed else ())
        fields_of.append(fields)
    results = []
    for fields in fields_of:
        key = identifier_in(fields, info)
        before = collection.get(key) if key is not None else None
        if before is None:
            record = new_record(call, info, fields, key)
            results.append(save(call, info, str(record[info.id_field]), record))
        else:
            results.append(save(call, info, str(key), kept_identity(info, before, merged(before, fields))))
    answered_list = (call.operation.success.schema or {}).get("type") == "array"
    if wrapper is not None and not answered_list:
        result: Any = {wrapper: results}
    elif isinstance(call.body, list) or answered_list:
        result = results
    else:
        result = results[0] if results else {}
    return success(call, result, "upsert")


def _upsert_items(body: Any) -> tuple[list[Any], str | None]:
    """Bodies are one object, a list, or an object wrapping a list (`{properties: [...]}`);
    the wrapper's other plain fields apply to every item (`{location_id, items: [...]}`)."""
    if isinstance(body, list):
        return body, None
    if isinstance(body, dict):
        lists = [name for name, value in body.items() if isinstance(value, list) and value and isinstance(value[0], dict)]
        if len(lists) == 1 and not any(body.get(name) not in (None, "") for name in IDENTIFIER_FIELDS):
            shared = {name: value for name, value in body.items() if name != lists[0] and not isinstance(value, (dict, list))}
            items = [{**shared, **item} if isinstance(item, dict) else item for item in body[lists[0]]]
            return items, lists[0]
        return [body], None
    return [], None


def delete(call: Call) -> Reply:
    info = info_of(call)
    key = object_key(call)
    record = find(call, collection_of(call, info), key, info)
    remove(call, info, key)
    return success(call, record, key)


def delete_matching(call: Call) -> Reply:
    info = info_of(call)
    collection = collection_of(call, info)
    wanted = _named_identifiers(call.body) | {
        identifier_key(value) for name, value in call.request.parameters.items() if name in IDENTIFIER_FIELDS or name == info.id_field
    }
    removed = []
    for record in list(collection.values()):
        if wanted and str(record.get(info.id_field)) in wanted:
            removed.append(remove(call, info, str(record.get(info.id_field))))
    if not wanted and "{" in info.template:
        # A nested collection cleared as a whole ("clears all documents").
        for key in collection.keys():
            removed.append(remove(call, info, key))
    return success(call, removed, "delete")


def _named_identifiers(body: Any) -> set[str]:
    if isinstance(body, list):
        return {identifier_key(item.get("id", item)) if isinstance(item, dict) else identifier_key(item) for item in body}
    if isinstance(body, dict):
        found: set[str] = set()
        for name, value in body.items():
            if name in ("ids", "keys", "codes", "skus", "items", "documents") and isinstance(value, list):
                found |= _named_identifiers(value)
            elif name in IDENTIFIER_FIELDS and value is not None:
                found.add(identifier_key(value))
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
        if not text or contains_words(record, text)
    ]
    return list_reply(call, listed(call, info, records), info)


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


def action(call: Call) -> Reply:
    """The object the path names changes: the body's fields, and the state the action names."""
    info = info_of(call)
    key = _action_target(call, info)
    before = find(call, collection_of(call, info), key, info)
    fields = {k: v for k, v in body_fields(call).items() if k in info.item_schema.get("properties", {})}
    after = merged(before, fields)
    check_model_fields(call, info, {name: after.get(name) for name in fields})
    apply_state_word(after, last_segment(call.operation.path), info)
    after = save(call, info, key, kept_identity(info, before, after))
    return success(call, after, key)


def _action_target(call: Call, info: CollectionInfo) -> str:
    names = template_parameters(call.operation.path)
    parents = positional_names(info.template, call.operation.path)
    if parents is not None:
        own = list(names[len(parents):])
    else:
        own = [name for name in names if name not in template_parameters(info.template)]
    name = own[0] if own else names[-1]
    return str(call.incoming.path_parameters[name])


def apply_state_word(record: Record, word: str, info: CollectionInfo) -> None:
    """`confirm` sets `is_confirmed`; `cancel` moves a `status` enum to `cancelled`, ..."""
    _apply_forms(record, word_forms(word.lower()), info.item_schema.get("properties", {}))


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


def singleton_read(call: Call) -> Reply:
    parents = tuple(_path_values(call))
    record = call.runtime.data(call.account).collection(call.operation.path, parents).get(SINGLE)
    path = concrete_path(call.operation.path, parents)
    return success(call, record if record is not None else _default_singleton(call, path), path)


def singleton_write(call: Call) -> Reply:
    parents = tuple(_path_values(call))
    before = call.runtime.data(call.account).collection(call.operation.path, parents).get(SINGLE) or {}
    after = merged(before, body_fields(call)) if isinstance(call.body, dict) else {"value": described(call, call.body)}
    call.runtime.store.put(call.account.name, call.operation.path, parents, SINGLE, after, origin=FROM_API)
    return success(call, after, concrete_path(call.operation.path, parents))


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


# The generic handler of each kind of operation (see `contract/kinds.py`).
GENERIC_HANDLERS: dict[str, Callable[[Call], Reply]] = {
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

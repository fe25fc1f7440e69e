"""The generic behaviour of every kind of operation (see kinds.py): what it does to the store.

Objects are stored as the client wrote them plus the fields the server manages
(identifier, documented defaults); every change goes through the store's write path,
which stamps timestamps and announces it. `answers.py` shapes what the client gets back.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

from .. import jsonio
from ..contract.collections import NATURAL_KEYS, CollectionInfo, positional_names, template_parameters
from ..contract.kinds import last_segment
from ..contract.references import noun_of
from ..errors import ApiError, Problem
from ..http.requests import UploadedFile
from ..http.validation import problems_of
from ..state.changes import FROM_API
from ..state.store import SINGLE, Collection, Record, concrete_path
from ..values.identifiers import canonical_identifier, identifier_key, typed_identifier
from ..vendor import Call, Reply
from .replies import list_reply, page_reply, success

# Fields that identify an object in a body: `id`, or a natural key.
IDENTIFIER_FIELDS = ("id", *NATURAL_KEYS)


def answer(call: Call) -> Reply:
    """Answer a validated, authenticated call by its operation's kind."""
    behaviour = _BEHAVIOURS[call.operation.kind]
    if call.operation.kind != "process":
        call.runtime.require_parents(call.account, call.operation, call.incoming.path_parameters)
    return behaviour(call)


# --- where the objects are ------------------------------------------------------------------


def info_of(call: Call) -> CollectionInfo:
    template = call.operation.collection_template
    found = call.runtime.collections.get(template) or call.runtime.named_only.get(template)
    if found is None:
        # No collection: the operation's path names no object of one.
        return CollectionInfo(template, {"type": "object", "properties": {}}, "id", False, made_by_operations=False)
    return found


def parents_of(call: Call, info: CollectionInfo) -> tuple[str, ...]:
    return call.runtime.parents_of(info.template, call.incoming.path_parameters, call.operation.path)


def collection_of(call: Call, info: CollectionInfo | None = None) -> Collection:
    """The collection of ``info`` (by default the operation's own) the call's path names."""
    own = info is None or info.template == call.operation.collection_template
    if own and call.own_collection is not None:
        return call.own_collection
    info = info or info_of(call)
    collection = call.runtime.collection(call.account, info.template, parents_of(call, info))
    if own:
        call.own_collection = collection
    return collection


def object_key(call: Call) -> str:
    """The identifier the path names (its last parameter)."""
    return str(call.incoming.path_parameters[call.operation.key_parameter])


def find_in(call: Call, info: CollectionInfo, key: str) -> Record:
    """The object ``key`` of the collection ``info`` the call's path names; 404 when there is none."""
    return find(call, collection_of(call, info), key, info)


def find(call: Call, collection: Collection, key: str, info: CollectionInfo | None = None) -> Record:
    record = collection.get(key)
    if record is None:
        info = info or info_of(call)
        record = call.runtime.existing(call.account, info, parents_of(call, info), key)
    if record is None:
        raise ApiError(call.operation.error_status(404), f"{noun_of(info.template)} {key!r} not found")
    return record


# --- writing through the store --------------------------------------------------------------


def save(call: Call, info: CollectionInfo, key: str, record: Record) -> Record:
    """Store ``record`` as the object ``key`` of the call's collection (the one write path)."""
    return call.runtime.store.put(call.account.name, info.template, parents_of(call, info), key, record, origin=FROM_API)


def remove(call: Call, info: CollectionInfo, key: str) -> Record | None:
    return call.runtime.store.delete(call.account.name, info.template, parents_of(call, info), key, origin=FROM_API)


def body_fields(call: Call) -> dict[str, Any]:
    """The request body when it is an object (a copy), else an empty object."""
    body = call.body
    if not isinstance(body, dict):
        return {}
    return described(call, body) if call.request.files else jsonio.copied(body)


def described(call: Call, value: Any) -> Any:
    """A request value as it is kept: uploaded bytes are described (name, type, size), never stored."""
    if isinstance(value, UploadedFile):
        return value.describe()
    if isinstance(value, (bytes, bytearray)):
        return {"contentType": call.incoming.content_type or "application/octet-stream", "size": len(value)}
    if isinstance(value, dict):
        return {key: described(call, item) for key, item in value.items()}
    if isinstance(value, list):
        return [described(call, item) for item in value]
    return value


def check_model_fields(call: Call, info: CollectionInfo, fields: dict[str, Any], where: tuple[str | int, ...] = ()) -> None:
    """The fields a write stores that the request's model does not describe (so its
    validation did not check them) but the object's model does hold values of the model's
    type: otherwise 400 naming each, and nothing is stored. What is stored can then be
    answered as it was written (the answer's shaping would replace it)."""
    properties = info.item_schema.get("properties")
    if not properties:
        return
    spec = call.request.body_spec
    described = spec.described_fields if spec is not None else frozenset()
    problems: list[Problem] = []
    for name, value in fields.items():
        if name in described or name not in properties or name == info.id_field:
            continue
        validator = info.field_validator(name, call.runtime.contract.schemas)
        if validator is not None:
            problems.extend(problems_of(validator, value, "body", (*where, name)))
    if problems:
        raise ApiError(400, problems=problems)


def with_defaults(call: Call, record: Record) -> Record:
    """Fields the client left out take the defaults the request model documents."""
    spec = call.request.body_spec
    if spec is not None:
        for name, default in spec.defaults:
            if name not in record:
                record[name] = copy.deepcopy(default)
    return record


def new_record(call: Call, info: CollectionInfo, record: Record, key: str | None = None) -> Record:
    """A new object's identifier and documented defaults.

    The path's identifier wins; otherwise a key the client chose is kept where the
    collection is keyed by one (`code`, `key`, `sku`, ...) or the API lets clients choose
    ids, and the server makes one (a counter or a UUID) where it does not.
    """
    with_defaults(call, record)
    collection_of(call, info)  # demo objects first: new numbers follow theirs
    chosen = record.get(info.id_field)
    if key is not None:
        record[info.id_field] = typed_identifier(info, key)
    elif chosen in (None, "") or _server_identifies(call, info):
        record[info.id_field] = call.runtime.new_identifier(info, call.operation.operation_id, call.account.name)
    else:
        record[info.id_field] = canonical_identifier(chosen)
    return record


def _server_identifies(call: Call, info: CollectionInfo) -> bool:
    """The server makes `id`s where the API does not let clients choose them, and wherever
    the request model marks the identifier `readOnly` (sent back, never taken)."""
    if info.id_field == "id" and not call.runtime.rules.client_supplies_ids:
        return True
    spec = call.request.body_spec
    schema = spec.schema if spec is not None else {}
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    return bool(schema.get("properties", {}).get(info.id_field, {}).get("readOnly"))


def kept_identity(info: CollectionInfo, before: Record, after: Record) -> Record:
    """A changed object keeps its identifier."""
    after[info.id_field] = before.get(info.id_field)
    return after


def store_new(call: Call, info: CollectionInfo, record: Record, from_path: str | None = None) -> Record:
    """Store a new object; an identifier that exists already is a clash (409 where the
    contract documents it). ``from_path`` names the path parameter the identifier came from."""
    key = identifier_key(record[info.id_field])
    if key in collection_of(call, info):
        where = Problem("path", (from_path,), "invalid", f"{key!r} exists already") if from_path else None
        problem = where or Problem("body", (info.id_field,), "invalid", f"{key!r} exists already")
        raise ApiError(call.operation.error_status(409, 400), problems=[problem])
    if isinstance(record[info.id_field], int):
        call.runtime.store.bump_counter(call.runtime.sequence(call.account.name, info.template), record[info.id_field])
    return save(call, info, key, record)


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


def answered_object(call: Call, info: CollectionInfo, record: Any) -> Any:
    """The object where the answer's model holds it: itself, or under the property whose
    model carries the identifier (`{tenant: {id, ...}, user: {...}}`, `{parcelShop: [...]}`)."""
    schema = call.operation.success.schema or {}
    properties = schema.get("properties", {})
    if not isinstance(record, dict) or schema.get("type") != "object" or info.id_field in properties:
        return record
    for name, prop in properties.items():
        if name in record:
            continue
        if prop.get("type") == "object" and info.id_field in prop.get("properties", {}):
            return {**record, name: record}
        if prop.get("type") == "array" and info.id_field in prop.get("items", {}).get("properties", {}):
            return {**record, name: [record]}
    return record


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


def listed(call: Call, info: CollectionInfo, records: list[Record]) -> list[Any]:
    """Rows as the list documents them: the objects, or their identifiers where the list
    holds plain values (`GET /odr/filters/keys` -> `["color", ...]`)."""
    schema = call.operation.success.schema or {}
    items = schema.get("items", {}) if schema.get("type") == "array" else {}
    if items.get("type") in ("string", "integer", "number"):
        return [record.get(info.id_field) for record in records]
    return records


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


def merged(base: Record, changes: dict[str, Any]) -> Record:
    """A PATCH merge: nested objects merge, everything else is replaced."""
    result = jsonio.copied(base)
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name] = merged(result[name], value)
        else:
            result[name] = jsonio.copied(value)
    return result


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


def identifier_in(fields: dict[str, Any], info: CollectionInfo) -> str | None:
    for name in (info.id_field, *IDENTIFIER_FIELDS):
        if fields.get(name) not in (None, ""):
            return identifier_key(fields[name])
    return None


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

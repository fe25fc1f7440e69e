"""The toolkit vendor handlers build on, as the generic handlers do: where a call's objects
are, finding them (404 when missing), and writing through the store's one write path
(identifiers, documented defaults, a clash on an identifier that exists, a type check of
fields the request's model does not describe)."""

from __future__ import annotations

import copy
from typing import Any

from .. import jsonio
from ..contract.collections import NATURAL_KEYS, CollectionInfo
from ..contract.references import noun_of
from ..errors import ApiError, Problem
from ..http.requests import UploadedFile
from ..http.validation import problems_of
from ..state.changes import FROM_API
from ..state.store import Collection, Record
from ..values.identifiers import canonical_identifier, identifier_key, typed_identifier
from ..vendor import Call

# Fields that identify an object in a body: `id`, or a natural key.
IDENTIFIER_FIELDS = ("id", *NATURAL_KEYS)


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
    if info.id_field == "id" and not call.runtime.data_model.client_supplies_ids:
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


def listed(call: Call, info: CollectionInfo, records: list[Record]) -> list[Any]:
    """Rows as the list documents them: the objects, or their identifiers where the list
    holds plain values (`GET /odr/filters/keys` -> `["color", ...]`)."""
    schema = call.operation.success.schema or {}
    items = schema.get("items", {}) if schema.get("type") == "array" else {}
    if items.get("type") in ("string", "integer", "number"):
        return [record.get(info.id_field) for record in records]
    return records


def merged(base: Record, changes: dict[str, Any]) -> Record:
    """A PATCH merge: nested objects merge, everything else is replaced."""
    result = jsonio.copied(base)
    for name, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(name), dict):
            result[name] = merged(result[name], value)
        else:
            result[name] = jsonio.copied(value)
    return result


def identifier_in(fields: dict[str, Any], info: CollectionInfo) -> str | None:
    for name in (info.id_field, *IDENTIFIER_FIELDS):
        if fields.get(name) not in (None, ""):
            return identifier_key(fields[name])
    return None

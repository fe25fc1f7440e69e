"""Contacts (`/rel/contacts`): `PUT` upserts by email address, `POST` is a search.

`PUT /rel/contacts` updates the contact with the body's email address (without regard
to case) or creates one. Of the lists a contact keeps as `{primary, secondary}`
(organisations, billing and shipping addresses, phone numbers), a new primary replaces
the old one, which moves to the front of the secondary list; secondaries the body names
are added. Without an email address the body's `id` names the contact, as for any upsert.

`POST /rel/contacts` searches by `constraints: [{key, operator, value: [...]}]` (see
`criteria.py`; `key` is a field of the contact, dotted for nested ones), and by `ids` or
`emails` lists; it stores nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import list_reply, success
from ...engine.errors import ApiError, Problem
from ...engine.vendor import Call, Reply
from .criteria import holds, read_conditions

CONTACTS = "/rel/contacts"
LISTS = ("organisations", "billing", "shipping", "phone_numbers")


def with_new_primaries(before: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """``before`` with the body's fields; a replaced primary moves to the secondaries."""
    after = toolkit.merged(before, {name: value for name, value in changes.items() if name not in LISTS})
    for name in LISTS:
        given = changes.get(name)
        if not isinstance(given, dict):
            continue
        kept = before.get(name) if isinstance(before.get(name), dict) else {}
        old, new = kept.get("primary"), given.get("primary", kept.get("primary"))
        secondary = list(kept.get("secondary") or [])
        if old is not None and new is not None and old != new:
            secondary.insert(0, old)
        for item in given.get("secondary") or []:
            if item not in secondary:
                secondary.append(item)
        after[name] = {"primary": copy.deepcopy(new), "secondary": [copy.deepcopy(item) for item in secondary if item != new]}
    return after


def upsert_contact(call: Call) -> Reply:
    """The contact with the body's email address changes, or a new one is made."""
    info = call.runtime.collections[CONTACTS]
    collection = toolkit.collection_of(call, info)  # demo contacts exist before the lookup
    body = toolkit.body_fields(call)
    email = body.get("email")
    before = None
    if isinstance(email, str) and email.strip():
        found = call.runtime.store.find(call.account.name, CONTACTS, "email", email.strip())
        before = found[0][1] if found else None
    elif body.get("id") not in (None, ""):
        before = collection.get(str(body["id"]))
    if before is None:
        stored = toolkit.store_new(call, info, toolkit.new_record(call, info, body))
    else:
        key = str(before[info.id_field])
        stored = toolkit.save(call, info, key, toolkit.kept_identity(info, before, with_new_primaries(before, body)))
    return success(call, stored, str(stored[info.id_field]))


def _values(contact: dict[str, Any], key: str) -> list[Any]:
    value: Any = contact
    for part in key.split("."):
        if not isinstance(value, dict):
            return []
        value = value.get(part)
    if isinstance(value, list):
        return [item for item in value if not isinstance(item, (dict, list))]
    return [] if value is None or isinstance(value, dict) else [value]


def _texts(body: dict[str, Any], name: str) -> list[str]:
    """A body field that lists texts (none when it is left out); 400 naming it otherwise."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(400, problems=[Problem("body", (name,), "type", "array")])
    for position, item in enumerate(value):
        if not isinstance(item, str):
            raise ApiError(400, problems=[Problem("body", (name, position), "type", "string")])
    return value


def search_contacts(call: Call) -> Reply:
    """The stored contacts that meet every constraint (and are among `ids` / `emails` when given)."""
    info = call.runtime.collections[CONTACTS]
    body = toolkit.body_fields(call)
    conditions = read_conditions(body.get("constraints"), ("constraints",), "value")
    ids = set(_texts(body, "ids"))
    emails = {item.lower() for item in _texts(body, "emails")}
    found = []
    for contact in toolkit.collection_of(call, info).values():
        if ids and str(contact.get("id")) not in ids:
            continue
        if emails and str(contact.get("email") or "").lower() not in emails:
            continue
        if all(holds(_values(contact, condition.key), condition) for condition in conditions):
            found.append(contact)
    return list_reply(call, found, info)

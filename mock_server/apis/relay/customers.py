"""Relay customers and their properties, as the account's own data."""

from __future__ import annotations

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import success
from ...engine.vendor import Call, Reply


def _account_id(call: Call) -> int:
    return int(call.account.attributes.get("accountId", 0))


def create_customer(call: Call) -> Reply:
    """The customer is stored with an id and its account; the answer echoes the request shape."""
    info = call.runtime.collections["/customers"]
    customer = dict(call.body.get("customer") or {})
    customer.pop("id", None)
    customer["accountId"] = _account_id(call)
    if call.body.get("casaviAccountId") is not None:
        customer["casaviTenantId"] = call.body["casaviAccountId"]
    stored = toolkit.store_new(call, info, toolkit.new_record(call, info, customer))
    answer = {"casaviAccountId": call.body.get("casaviAccountId"), "customer": stored}
    return success(call, answer, str(stored["id"]))


def create_or_update_properties(call: Call) -> Reply:
    """Each property is updated when its id names a stored one, created otherwise."""
    info = call.runtime.collections["/properties"]
    collection = call.runtime.collection(call.account, "/properties")
    results = []
    for item in call.body.get("properties", []):
        fields = dict(item)
        key = str(fields.pop("id", "") or "")
        before = collection.get(key) if key else None
        if before is not None:
            after = toolkit.kept_identity(info, before, toolkit.merged(before, fields))
            results.append(toolkit.save(call, info, key, after))
        else:
            results.append(toolkit.store_new(call, info, toolkit.new_record(call, info, fields)))
    return success(call, {"properties": results}, "properties")

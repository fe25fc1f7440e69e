"""Relay operations whose documented behaviour goes beyond storing the body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine import resources
from ...engine.errors import ApiError, Problem
from ...engine.validation import UploadedFile
from ...engine.vendor import Call, Reply

if TYPE_CHECKING:
    from .api import RelayApi

MAX_FILES = 10


def register(api: "RelayApi") -> None:
    api.handler("CreateCustomer")(create_customer)
    api.handler("CreateProperties")(create_or_update_properties)
    api.handler("CreateOrder")(create_order)
    api.handler("CreateOrderComment")(create_order_comment)
    api.handler("CreateOrderField")(create_order_field)
    api.handler("CreateOrderContactPerson")(create_order_contact_person)


def _account_id(call: Call) -> int:
    return int(call.account.attributes.get("accountId", 0))


def create_customer(call: Call) -> Reply:
    """The customer is stored with an id and its account; the answer echoes the request shape."""
    info = call.runtime.collections["/customers"]
    collection = call.runtime.collection(call.account, "/customers")
    customer = dict(call.body.get("customer") or {})
    customer.pop("id", None)
    customer["id"] = call.runtime.store.next_number("/customers")
    customer["accountId"] = _account_id(call)
    if call.body.get("casaviAccountId") is not None:
        customer["casaviTenantId"] = call.body["casaviAccountId"]
    resources.store_new(call, info, collection, customer)
    answer = {"casaviAccountId": call.body.get("casaviAccountId"), "customer": customer}
    return resources.success(call, answer, str(customer["id"]))


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
            record = resources.stamp_change(call, info, before, resources.merged(before, fields))
        else:
            record = resources.stamp_new(call, info, fields)
        collection.put(str(record["id"]), record)
        results.append(record)
    return resources.success(call, {"properties": results}, "properties")


def _attachments(call: Call, files: list[UploadedFile]) -> list[dict[str, Any]]:
    if len(files) > MAX_FILES:
        raise ApiError(
            call.operation.error_status(413),
            problems=[Problem("form", ("files",), "max_items", MAX_FILES, len(files))],
        )
    now = call.runtime.now()
    return [{"name": item.filename, "itemType": item.content_type, "updatedAt": now} for item in files]


def create_order(call: Call) -> Reply:
    """`order` holds the order as JSON text; `files` become its attachments."""
    info = call.runtime.collections["/orders"]
    collection = call.runtime.collection(call.account, "/orders")
    attachments = _attachments(call, call.request.files)
    order = dict(call.body.get("order") or {})
    order.update(attachments=attachments, comments=[])
    order.setdefault("fields", [])
    order.setdefault("contactPersons", [])
    order.setdefault("status", "OPEN")
    record = resources.store_new(call, info, collection, resources.stamp_new(call, info, order))
    return resources.success(call, record, str(record["id"]))


def _order(call: Call, order_id: Any) -> dict[str, Any]:
    collection = call.runtime.collection(call.account, "/orders")
    order = collection.get(str(order_id))
    if order is None:
        status = call.operation.error_status(404)
        raise ApiError(status, f"order {order_id!r} not found")
    return order


def create_order_comment(call: Call) -> Reply:
    order_id = call.incoming.path_parameters["orderId"]
    order = _order(call, order_id)
    info = call.runtime.collections["/orders/{orderId}/comments"]
    collection = call.runtime.collection(call.account, info.template, (str(order_id),))
    comment = {
        "text": call.body.get("text"),
        "orderId": order["id"],
        "author": call.body.get("authorName"),
        "attachments": _attachments(call, call.request.files),
    }
    record = resources.store_new(call, info, collection, resources.stamp_new(call, info, comment))
    order.setdefault("comments", []).append(record)
    order["updatedAt"] = call.runtime.now()
    return resources.success(call, record, str(record["id"]))


def create_order_field(call: Call) -> Reply:
    """Fields belong to an existing order and are kept in `position` order."""
    order = _order(call, call.body.get("orderId"))
    record = _store_order_part(call, "/order-fields", {k: v for k, v in call.body.items() if k != "orderId"})
    fields = order.setdefault("fields", [])
    fields.append(record)
    fields.sort(key=lambda item: (item.get("position") or 0, item.get("id") or 0))
    order["updatedAt"] = call.runtime.now()
    return resources.success(call, record, str(record["id"]))


def create_order_contact_person(call: Call) -> Reply:
    order = _order(call, call.body.get("orderId"))
    person = {k: v for k, v in call.body.items() if k not in ("orderId", "email")}
    person["emailAddress"] = call.body.get("email")
    record = _store_order_part(call, "/order-contact-persons", person)
    order.setdefault("contactPersons", []).append(record)
    order["updatedAt"] = call.runtime.now()
    return resources.success(call, record, str(record["id"]))


def _store_order_part(call: Call, template: str, fields: dict[str, Any]) -> dict[str, Any]:
    collection = call.runtime.collection(call.account, template)
    fields["id"] = call.runtime.store.next_number(template)
    collection.put(str(fields["id"]), fields)
    return fields

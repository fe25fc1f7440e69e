"""Relay orders: an order made with its attachments and the parts it carries, and the
comments, fields and contact persons added to an order afterwards."""

from __future__ import annotations

from typing import Any

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import success
from ...engine.errors import ApiError, Problem
from ...engine.http.requests import UploadedFile
from ...engine.state.changes import FROM_API
from ...engine.values.identifiers import identifier_key
from ...engine.vendor import Call, Reply
from .parts import shown_parts

MAX_FILES = 10
# The parts an order's create may carry: where they are stored -> the order's list.
CARRIED_PARTS = {"/order-fields": "fields", "/order-contact-persons": "contactPersons"}


def _attachments(call: Call, files: list[UploadedFile]) -> list[dict[str, Any]]:
    if len(files) > MAX_FILES:
        raise ApiError(
            call.operation.error_status(413),
            problems=[Problem("form", ("files",), "max_items", MAX_FILES, len(files))],
        )
    now = call.runtime.now()
    return [{"name": item.filename, "itemType": item.content_type, "updatedAt": now} for item in files]


def create_order(call: Call) -> Reply:
    """`order` holds the order as JSON text; `files` become its attachments. The fields and
    contact persons it carries are stored as parts of the order, as POST /order-fields and
    POST /order-contact-persons store them."""
    info = call.runtime.collections["/orders"]
    attachments = _attachments(call, call.request.files)
    order = dict(call.body.get("order") or {})
    carried = {template: order.pop(name, None) or [] for template, name in CARRIED_PARTS.items()}
    order.update(attachments=attachments, comments=[], fields=[], contactPersons=[])
    order.setdefault("status", "OPEN")
    record = toolkit.new_record(call, info, order)
    # The parts first, so that the order is written once, showing all of them (written
    # after each part, a long list would cost its length squared).
    stored: list[tuple[str, dict[str, Any]]] = []
    try:
        for template, parts in carried.items():
            added = [_store_order_part(call, template, {**part, "orderId": record["id"]}) for part in parts]
            stored += [(template, part) for part in added]
            record[CARRIED_PARTS[template]] = shown_parts(CARRIED_PARTS[template], [], added)
        record = toolkit.store_new(call, info, record)
    except ApiError:  # no room for all of it: nothing of it stays
        for template, part in stored:
            call.runtime.store.delete(call.account.name, template, (), str(part["id"]), origin=FROM_API)
        raise
    return success(call, record, str(record["id"]))


def _require_order(call: Call, order_id: Any) -> dict[str, Any]:
    order = call.runtime.collection(call.account, "/orders").get(identifier_key(order_id))
    if order is None:
        raise ApiError(call.operation.error_status(404), f"order {order_id!r} not found")
    return order


def create_order_comment(call: Call) -> Reply:
    """A comment is stored under its order; the order shows it (see parts.py)."""
    order_id = call.incoming.path_parameters["orderId"]
    order = _require_order(call, order_id)
    info = call.runtime.collections["/orders/{orderId}/comments"]
    comment = {
        "text": call.body.get("text"),
        "orderId": order["id"],
        "author": call.body.get("authorName"),
        "attachments": _attachments(call, call.request.files),
    }
    record = toolkit.store_new(call, info, toolkit.new_record(call, info, comment))
    return success(call, record, str(record["id"]))


def create_order_field(call: Call) -> Reply:
    """Fields belong to an existing order; the order lists them in `position` order."""
    order = _require_order(call, call.body.get("orderId"))
    record = _store_order_part(call, "/order-fields", {**call.body, "orderId": order["id"]})
    return success(call, record, str(record["id"]))


def create_order_contact_person(call: Call) -> Reply:
    order = _require_order(call, call.body.get("orderId"))
    person = {k: v for k, v in call.body.items() if k != "email"}
    person.update(orderId=order["id"], emailAddress=call.body.get("email"))
    record = _store_order_part(call, "/order-contact-persons", person)
    return success(call, record, str(record["id"]))


def _store_order_part(call: Call, template: str, fields: dict[str, Any]) -> dict[str, Any]:
    fields["id"] = call.runtime.store.next_number(call.runtime.sequence(call.account.name, template))
    return call.runtime.store.put(call.account.name, template, (), str(fields["id"]), fields, origin=FROM_API)

"""An order shows its comments, fields and contact persons: each stored part is repeated
inside its order as it changes (fields in `position` order)."""

from __future__ import annotations

import copy
from typing import Any

from ...engine.runtime import ApiRuntime
from ...engine.state.changes import DELETED, Change
from ...engine.values.identifiers import identifier_key

# Where each kind of part is stored -> the order's list that shows it.
PART_LISTS = {
    "/orders/{orderId}/comments": "comments",
    "/order-fields": "fields",
    "/order-contact-persons": "contactPersons",
}


class OrderParts:
    """Listener of part changes: the order is rewritten through the store."""

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def __call__(self, change: Change) -> None:
        part = change.record
        order_key = identifier_key(part.get("orderId", change.parents[0] if change.parents else ""))
        order = self.runtime.store.collection(change.account, "/orders").get(order_key)
        if order is None:
            return
        name = PART_LISTS[change.collection]
        kept = [item for item in _parts(order.get(name)) if identifier_key(item.get("id")) != change.key]
        changed = copy.deepcopy(order)
        changed[name] = shown_parts(name, kept, [part] if change.kind != DELETED else [])
        self.runtime.store.put(change.account, "/orders", (), order_key, changed, origin=change.origin)


def shown_parts(name: str, shown: list[dict[str, Any]], added: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The order's list ``name`` once the stored parts ``added`` join the ones it ``shown``
    (fields and contact persons without their `orderId`; fields in `position` order)."""
    listed = shown + [{key: value for key, value in part.items() if key != "orderId" or name == "comments"} for part in added]
    if name == "fields":
        listed.sort(key=_position)
    return listed


def _parts(shown: Any) -> list[dict[str, Any]]:
    """The parts an order shows; what is no part (an order stored as given may hold
    anything in the list's place) is left out."""
    return [item for item in shown if isinstance(item, dict)] if isinstance(shown, list) else []


def _position(field: dict[str, Any]) -> tuple[int | float, int | float]:
    return (_number(field.get("position")), _number(field.get("id")))


def _number(value: Any) -> int | float:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else 0

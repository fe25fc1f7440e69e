"""An order shows its comments, fields and contact persons: each stored part is repeated
inside its order as it changes (fields in `position` order)."""

from __future__ import annotations

import copy
from typing import Any

from ...engine.changes import DELETED, Change
from ...engine.runtime import ApiRuntime

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
        order_key = str(part.get("orderId", change.parents[0] if change.parents else ""))
        order = self.runtime.store.collection(change.account, "/orders").get(order_key)
        if order is None:
            return
        name = PART_LISTS[change.collection]
        shown = [item for item in order.get(name) or [] if str(item.get("id")) != change.key]
        if change.kind != DELETED:
            shown.append({key: value for key, value in part.items() if key != "orderId" or name == "comments"})
        if name == "fields":
            shown.sort(key=_position)
        changed = copy.deepcopy(order)
        changed[name] = shown
        self.runtime.store.put(change.account, "/orders", (), order_key, changed, origin=change.origin)


def _position(field: dict[str, Any]) -> tuple[Any, Any]:
    return (field.get("position") or 0, field.get("id") or 0)

"""Order and invoice actions whose change the generic state words do not cover.

`accept`, `confirm` and `cancel` set the order's `state.is_accepted`, `is_confirmed` and
`is_canceled` by the generic handler. Here: `allocate` and `fulfil` move the order's
`state.progress` (`allocation: allocated`; `fulfilment: fulfilled`, and the order is
finished), both answered with the task behind them; `authorize` locks and accepts the
order and answers its transaction secret (the same on every authorization); an invoice
marked paid gets `is_paid` and `paid_at` (the body's date, else today).
"""

from __future__ import annotations

from typing import Any

from ...engine.behaviour import toolkit
from ...engine.behaviour.replies import success
from ...engine.vendor import Call, Reply
from .tasks import OPERATION, start_task, task_reply

ORDERS = "/odr/orders"
INVOICES = "/odr/invoices"
SECRET = "transaction_secret"  # kept on the order beside the documented fields


def _order(call: Call) -> tuple[str, dict[str, Any]]:
    info = call.runtime.collections[ORDERS]
    key = str(call.parameter("id"))
    return key, toolkit.find_in(call, info, key)


def _save_state(call: Call, key: str, order: dict[str, Any], **changes: Any) -> dict[str, Any]:
    state = dict(order.get("state") or {}) if isinstance(order.get("state"), dict) else {}
    progress = dict(state.get("progress") or {}) if isinstance(state.get("progress"), dict) else {}
    progress.update(changes.pop("progress", {}))
    state.update(changes)
    if progress:
        state["progress"] = progress
    return toolkit.save(call, call.runtime.collections[ORDERS], key, {**order, "state": state})


def allocate_order(call: Call) -> Reply:
    key, order = _order(call)
    _save_state(call, key, order, progress={"allocation": "allocated"})
    return task_reply(call, start_task(call, OPERATION, {"operation": call.operation.operation_id, "object": key}, f"allocate order {key}"))


def fulfil_order(call: Call) -> Reply:
    key, order = _order(call)
    _save_state(call, key, order, is_finished=True, progress={"fulfilment": "fulfilled"})
    return task_reply(call, start_task(call, OPERATION, {"operation": call.operation.operation_id, "object": key}, f"fulfil order {key}"))


def authorize_order(call: Call) -> Reply:
    key, order = _order(call)
    secret = order.get(SECRET) or call.runtime.fake.uuid(f"afosto/transaction/{key}").replace("-", "")
    stored = _save_state(call, key, {**order, SECRET: secret}, is_locked=True, is_accepted=True)
    state = stored["state"]
    answer = {
        "is_locked": True, "is_accepted": True, "is_confirmed": bool(state.get("is_confirmed")), "transaction_secret": secret,
    }
    return success(call, answer, key)


def mark_invoice_paid(call: Call) -> Reply:
    info = call.runtime.collections[INVOICES]
    key = str(call.parameter("id"))
    invoice = toolkit.find_in(call, info, key)
    paid_on = toolkit.body_fields(call).get("paid_at") or call.runtime.now()[:10]
    stored = toolkit.save(call, info, key, {**invoice, "is_paid": True, "paid_at": f"{str(paid_on)[:10]}T00:00:00.000Z"})
    return success(call, stored, key)

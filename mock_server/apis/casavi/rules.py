"""Fields casavi manages on its objects: internal ids, ticket numbers, state timestamps."""

from __future__ import annotations

from typing import Any

from ...engine.vendor import Call

APP_BASE = "https://app.casavi.sandbox"
TASK_TIMESTAMPS = {"ACCEPTED": "acceptedAt", "DECLINED": "declinedAt", "COMPLETED": "completedAt"}


def on_create(call: Call, template: str, record: dict[str, Any]) -> None:
    properties = _properties(call, template)
    if "internalId" in properties:
        record["internalId"] = call.runtime.store.next_number(f"internal{template}")
    if "appLink" in properties:
        record["appLink"] = app_link(template, record.get("id"))
    if template == "/tickets":
        if record.get("number") is None:
            sequence = f"ticket-numbers/{call.account.name}"
            record["number"] = call.runtime.store.next_number(sequence)
        record["number"] = str(record["number"])
        record.setdefault("status", "OPEN")
        record.setdefault("reportedAt", record.get("createdAt"))
        record["closedAt"] = record["lastModified"] if record["status"] == "CLOSED" else None
    elif template == "/tickets/{ticketId}/tasks":
        _task_state(call, {}, record)


def app_link(template: str, reference_id: object) -> str:
    """The object's page in the (sandboxed) casavi web app."""
    return f"{APP_BASE}{template.split('{')[0].rstrip('/')}/{reference_id}"


def on_change(call: Call, template: str, before: dict[str, Any], after: dict[str, Any]) -> None:
    for kept in ("internalId", "appLink", "reportedAt"):
        if kept in before:
            after[kept] = before[kept]
    if template == "/tickets":
        after["number"] = str(after.get("number") or before.get("number"))
        after.setdefault("status", before.get("status", "OPEN"))
        if after["status"] == "CLOSED":
            after["closedAt"] = before.get("closedAt") or after.get("lastModified")
        else:
            after["closedAt"] = None
    elif template == "/tickets/{ticketId}/tasks":
        _task_state(call, before, after)


def _task_state(call: Call, before: dict[str, Any], after: dict[str, Any]) -> None:
    """OPEN -> ACCEPTED / DECLINED -> COMPLETED; the deprecated `completed: true` means COMPLETED."""
    if after.get("completed") is True and after.get("status") in (None, "OPEN", "ACCEPTED"):
        after["status"] = "COMPLETED"
    after.setdefault("status", before.get("status", "OPEN"))
    after["completed"] = after["status"] == "COMPLETED"
    now = call.runtime.now()
    for status, field in TASK_TIMESTAMPS.items():
        after[field] = before.get(field)
        if after["status"] == status and after[field] is None:
            after[field] = now


def _properties(call: Call, template: str) -> dict[str, Any]:
    info = call.runtime.collections.get(template)
    return info.item_schema.get("properties", {}) if info else {}

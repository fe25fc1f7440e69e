"""Fields casavi manages on its objects, derived as they are stored: internal ids, app
links, ticket numbers, `closedAt`, task state timestamps; and the `/units` view of the
units stored under their properties.
"""

from __future__ import annotations

from typing import Any

from ...engine.runtime import ApiRuntime
from ...engine.state.changes import CREATED, DELETED, FROM_DEMO, FROM_VIEW, Change
from ...engine.values.identifiers import identifier_key
from .collection_paths import TASKS, TICKETS, UNITS

APP_BASE = "https://app.casavi.sandbox"
TASK_TIMESTAMPS = {"ACCEPTED": "acceptedAt", "DECLINED": "declinedAt", "COMPLETED": "completedAt"}


def app_link(template: str, reference_id: object) -> str:
    """The object's page in the (sandboxed) casavi web app: `/units/P-1-0001` for a unit of a property."""
    literals = [segment for segment in template.split("/") if segment and not segment.startswith("{")]
    return f"{APP_BASE}/{literals[-1]}/{reference_id}"


class DerivedFields:
    """Preparer of every write the server performs: fills what casavi manages itself."""

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def __call__(self, change: Change) -> None:
        after = change.after
        if after is None:
            return
        if change.kind == CREATED:
            self._new(change, after)
        else:
            self._changed(change, change.before or {}, after)

    def _properties(self, template: str) -> dict[str, Any]:
        info = self.runtime.collections.get(template)
        return info.item_schema.get("properties", {}) if info else {}

    def _new(self, change: Change, record: dict[str, Any]) -> None:
        template = change.collection
        properties = self._properties(template)
        if "internalId" in properties:
            record["internalId"] = self.runtime.store.next_number(f"internal{template}")
        if "appLink" in properties:
            record["appLink"] = app_link(template, record.get("id"))
        if template == TICKETS:
            if record.get("number") is None or change.origin == FROM_DEMO:
                record["number"] = self.runtime.store.next_number(f"ticket-numbers/{change.account}")
            record["number"] = identifier_key(record["number"])
            record.setdefault("status", "OPEN")
            record.setdefault("reportedAt", record.get("createdAt"))
            record["closedAt"] = record.get("lastModified") if record["status"] == "CLOSED" else None
        elif template == TASKS:
            self._task_state({}, record)

    def _changed(self, change: Change, before: dict[str, Any], after: dict[str, Any]) -> None:
        for kept in ("internalId", "appLink", "reportedAt"):
            if kept in before:
                after[kept] = before[kept]
        if change.collection == TICKETS:
            after["number"] = identifier_key(after.get("number") or before.get("number"))
            after.setdefault("status", before.get("status", "OPEN"))
            if after["status"] == "CLOSED":
                after["closedAt"] = before.get("closedAt") or after.get("lastModified")
            else:
                after["closedAt"] = None
        elif change.collection == TASKS:
            self._task_state(before, after)

    def _task_state(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """OPEN -> ACCEPTED / DECLINED -> COMPLETED; the deprecated `completed: true` means COMPLETED."""
        if after.get("completed") is True and after.get("status") in (None, "OPEN", "ACCEPTED"):
            after["status"] = "COMPLETED"
        after.setdefault("status", before.get("status", "OPEN"))
        after["completed"] = after["status"] == "COMPLETED"
        now = self.runtime.now()
        for status, field in TASK_TIMESTAMPS.items():
            after[field] = before.get(field)
            if after["status"] == status and after[field] is None:
                after[field] = now


class UnitsView:
    """`/units/{unitId}` reads the units stored under their properties: each change of
    one is repeated in the account's `/units` collection."""

    def __init__(self, runtime: ApiRuntime) -> None:
        self.runtime = runtime

    def __call__(self, change: Change) -> None:
        store = self.runtime.store
        if change.kind == DELETED:
            store.delete(change.account, UNITS, (), change.key, origin=FROM_VIEW)
        elif change.after is not None:
            store.put(change.account, UNITS, (), change.key, dict(change.after), origin=FROM_VIEW)

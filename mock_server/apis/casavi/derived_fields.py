"""Fields casavi manages on its objects, derived as they are stored: internal ids, app
links, ticket numbers, `closedAt`, task state timestamps; and the `/units` view of the
units stored under their properties.

A fixture's objects get them too, as if casavi had made them, but what the fixture gives
wins; numbers it gives move their sequence on, so the next object made does not reuse one.
"""

from __future__ import annotations

from typing import Any

from ...engine.runtime import ApiRuntime
from ...engine.state.changes import CREATED, DELETED, FROM_DEMO, FROM_FIXTURE, FROM_VIEW, Change
from ...engine.values.identifiers import identifier_key
from .collection_paths import CONTACTS, TASKS, TICKETS, UNITS

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
        given = change.origin == FROM_FIXTURE
        if "internalId" in properties:
            self._numbered(record, "internalId", f"internal{template}", given)
        if "appLink" in properties and not (given and record.get("appLink")):
            record["appLink"] = app_link(template, record.get("id"))
        if template == TICKETS:
            if change.origin == FROM_DEMO:
                record["number"] = None
                self._contact_of_demo_ticket(change.account, record)
            self._numbered(record, "number", f"ticket-numbers/{change.account}", record.get("number") is not None)
            record["number"] = identifier_key(record["number"])
            record.setdefault("status", "OPEN")
            record.setdefault("reportedAt", record.get("createdAt"))
            if record["status"] == "CLOSED":
                record["closedAt"] = record.get("closedAt") if given and record.get("closedAt") else record.get("lastModified")
            elif not (given and record.get("closedAt")):
                record["closedAt"] = None
        elif template == TASKS:
            self._task_state({}, record, given)

    def _contact_of_demo_ticket(self, account: str, ticket: dict[str, Any]) -> None:
        """A demo ticket's contact name, email and telephone are those of the contact it names."""
        contact = self.runtime.store.collection(account, CONTACTS).get(str(ticket.get("contactId")))
        if contact is None:
            return
        name = " ".join(str(contact[part]) for part in ("firstName", "lastName") if contact.get(part))
        details = {
            "contactName": name or contact.get("company"),
            "contactEmail": contact.get("email"),
            "contactTelephone": contact.get("telephone") or contact.get("mobile"),
        }
        for field, value in details.items():
            if value:
                ticket[field] = value
            else:
                ticket.pop(field, None)

    def _numbered(self, record: dict[str, Any], field: str, sequence: str, given: bool) -> None:
        """The next number of ``sequence``; a number given (a whole one) is kept and moves the sequence on."""
        store = self.runtime.store
        value = record.get(field)
        if not given or value is None:
            record[field] = store.next_number(sequence)
            return
        try:
            store.bump_counter(sequence, int(identifier_key(value)))
        except ValueError:
            pass  # not a whole number: the sequence has nothing to follow

    def _changed(self, change: Change, before: dict[str, Any], after: dict[str, Any]) -> None:
        given = change.origin == FROM_FIXTURE
        for kept in ("internalId", "appLink", "reportedAt"):
            if kept in before and not (given and after.get(kept) is not None):
                after[kept] = before[kept]
        if given and after.get("internalId") is not None:
            self._numbered(after, "internalId", f"internal{change.collection}", True)
        if change.collection == TICKETS:
            after["number"] = identifier_key(after.get("number") or before.get("number"))
            after.setdefault("status", before.get("status", "OPEN"))
            if after["status"] == "CLOSED":
                after["closedAt"] = (given and after.get("closedAt")) or before.get("closedAt") or after.get("lastModified")
            elif not (given and after.get("closedAt")):
                after["closedAt"] = None
        elif change.collection == TASKS:
            self._task_state(before, after, given)

    def _task_state(self, before: dict[str, Any], after: dict[str, Any], given: bool = False) -> None:
        """OPEN -> ACCEPTED / DECLINED -> COMPLETED; the deprecated `completed: true` means
        COMPLETED. ``given``: the state timestamps the object gives are kept."""
        if after.get("completed") is True and after.get("status") in (None, "OPEN", "ACCEPTED"):
            after["status"] = "COMPLETED"
        after.setdefault("status", before.get("status", "OPEN"))
        after["completed"] = after["status"] == "COMPLETED"
        now = self.runtime.now()
        for status, field in TASK_TIMESTAMPS.items():
            if not (given and after.get(field) is not None):
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

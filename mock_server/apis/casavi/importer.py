"""What an import applies, record by record, through the store's write path.

Contacts first, then properties, then their units (with contracts), then
responsibilities, then documents. A record that references something that does not
exist fails alone: a contract naming an unknown contact fails while its unit is
created; a responsibility naming an unknown property fails.
"""

from __future__ import annotations

import copy
from typing import Any

from ...engine.runtime import ApiRuntime
from ...engine.state.accounts import Account
from ...engine.state.changes import FROM_TASK
from .collection_paths import CONTACTS, DOCUMENTS, PROPERTIES, STAFF, UNITS_OF_PROPERTY
from .events import ARCHIVED, LAST_DOWNLOAD

# (kind, created|updated|failed, id of the failed record, why)
Outcome = tuple[str, str, str | None, str | None]
# What casavi keeps about downloads of a document, and their values before the first one.
DOWNLOAD_FIELDS: dict[str, Any] = {"downloadCount": 0, "firstDownloadAt": None, LAST_DOWNLOAD: None}


def responsibilities_of(stored: dict[str, Any]) -> list[dict[str, Any]]:
    """A stored property's responsibilities; what is none (a property loaded as given may
    hold anything there) is left out."""
    listed = stored.get("responsibilities")
    return [item for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []


class Importer:
    """Applies import records of one account to the casavi store."""

    def __init__(self, runtime: ApiRuntime, account: Account) -> None:
        self.runtime = runtime
        self.account = account

    def _upsert(self, template: str, record: dict[str, Any], parents: tuple[str, ...] = ()) -> str:
        """Create or update by reference id; returns `created` or `updated`."""
        key = str(record["id"])
        before = self.runtime.collection(self.account, template, parents).get(key)
        stored = {**copy.deepcopy(before or {}), **copy.deepcopy(record)}
        if before is None:
            stored.setdefault("customFields", {})
        self.runtime.store.put(self.account.name, template, parents, key, stored, origin=FROM_TASK)
        return "created" if before is None else "updated"

    def contact(self, record: dict[str, Any]) -> Outcome:
        """A contact; `archived: true` archives it (`false` restores it)."""
        fields = dict(record)
        if str(record["id"]) not in self.runtime.collection(self.account, CONTACTS):
            fields.setdefault("isRegistered", False)  # a new contact has not registered yet
        if ARCHIVED in fields:
            fields[ARCHIVED] = fields[ARCHIVED] is True
        outcome = self._upsert(CONTACTS, fields)
        return ("contacts", outcome, None, None)

    def property(self, record: dict[str, Any]) -> Outcome:
        """A property; the responsibilities it has stay unless the record gives its own."""
        fields = {key: value for key, value in record.items() if key != "units"}
        existing = self.runtime.collection(self.account, PROPERTIES).get(str(record["id"]))
        fields.setdefault("responsibilities", copy.deepcopy(responsibilities_of(existing or {})))
        return ("properties", self._upsert(PROPERTIES, fields), None, None)

    def unit(self, property_id: str, record: dict[str, Any]) -> list[Outcome]:
        """The unit is stored with the contracts whose contacts exist; the others fail."""
        contacts = self.runtime.collection(self.account, CONTACTS)
        outcomes: list[Outcome] = []
        accepted = []
        for contract in record.get("contracts") or []:
            missing = [contact for contact in contract.get("contactIds", []) if str(contact) not in contacts]
            if missing:
                outcomes.append(("contracts", "failed", str(contract.get("id")), f"unknown contact {missing[0]}"))
            else:
                accepted.append(contract)
                outcomes.append(("contracts", "created", None, None))
        unit = {**record, "contracts": accepted, "propertyMscNumber": record.get("propertyMscNumber")}
        unit = {key: value for key, value in unit.items() if value is not None}
        outcome = self._upsert(UNITS_OF_PROPERTY, unit, (property_id,))
        return [("units", outcome, None, None), *outcomes]

    def responsibility(self, record: dict[str, Any]) -> Outcome:
        target = self.runtime.collection(self.account, PROPERTIES).get(str(record["propertyId"]))
        if target is None:
            return ("responsibilities", "failed", str(record["propertyId"]), f"unknown property {record['propertyId']}")
        contact = str(record["contactId"])
        known = (
            contact in self.runtime.collection(self.account, CONTACTS)
            or contact in self.runtime.collection(self.account, STAFF)
        )
        if not known:
            return ("responsibilities", "failed", contact, f"unknown contact or staff member {contact}")
        current = responsibilities_of(target)
        replaced = any(item.get("contactId") == contact for item in current)
        changed = copy.deepcopy(target)
        changed["responsibilities"] = [*(item for item in current if item.get("contactId") != contact), dict(record)]
        self.runtime.store.put(self.account.name, PROPERTIES, (), str(target["id"]), changed, origin=FROM_TASK)
        return ("responsibilities", "updated" if replaced else "created", None, None)

    def document(self, record: dict[str, Any]) -> Outcome:
        key = str(record["id"])
        if record.get("delete"):
            removed = self.runtime.store.delete(self.account.name, DOCUMENTS, (), key, origin=FROM_TASK)
            if removed is None:
                return ("documents", "failed", key, "unknown document")
            return ("documents", "updated", None, None)
        # Downloads are counted by casavi, never imported.
        fields = {k: v for k, v in record.items() if k not in ("content", "delete", "location", *DOWNLOAD_FIELDS)}
        fields.setdefault("publishedAt", self.runtime.now()[:10])
        existing = self.runtime.collection(self.account, DOCUMENTS).get(key) or {}
        for name, default in DOWNLOAD_FIELDS.items():
            fields[name] = copy.deepcopy(existing.get(name, default))
        return ("documents", self._upsert(DOCUMENTS, fields), None, None)

"""What an import applies, record by record, in the documented order.

Contacts first, then properties, then their units (with contracts), then
responsibilities, then documents. A record that references something that does not
exist fails alone: a contract naming an unknown contact fails while its unit is
created; a responsibility naming an unknown property fails.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from .jobs import Job
from .rules import app_link

if TYPE_CHECKING:
    from ...engine.runtime import ApiRuntime
    from ...engine.vendor import Account

Outcome = tuple[str, str, str | None, str | None]
UNITS_OF_PROPERTY = "/properties/{propertyId}/units"


class Importer:
    """Applies import records of one account to the casavi store."""

    def __init__(self, runtime: "ApiRuntime", account: "Account") -> None:
        self.runtime = runtime
        self.account = account

    def plan(self, job: Job, body: dict[str, Any]) -> None:
        """Queue one step per record of an import envelope, in the documented order."""
        for contact in body.get("contacts") or []:
            job.steps.append(lambda record=contact: [self.contact(record)])
        properties = body.get("properties") or []
        for item in properties:
            job.steps.append(lambda record=item: [self.property(record)])
        for item in properties:
            for unit in item.get("units") or []:
                job.steps.append(lambda record=unit, owner=item["id"]: self.unit(str(owner), record))
        for responsibility in body.get("responsibilities") or []:
            job.steps.append(lambda record=responsibility: [self.responsibility(record)])

    def plan_document(self, job: Job, document: dict[str, Any]) -> None:
        job.steps.append(lambda record=document: [self.document(record)])

    # --- records --------------------------------------------------------------------

    def _upsert(self, template: str, record: dict[str, Any], parents: tuple[str, ...] = ()) -> str:
        """Create or update by reference id; returns `created` or `updated`."""
        collection = self.runtime.collection(self.account, template, parents)
        key = str(record["id"])
        before = collection.get(key)
        now = self.runtime.now()
        stored = {**(before or {}), **copy.deepcopy(record)}
        if before is None:
            stored["internalId"] = self.runtime.store.next_number(f"internal{template}")
            stored.setdefault("customFields", {})
        stored["appLink"] = app_link(template, key)
        stored.setdefault("createdAt", now)
        collection.put(key, stored)
        return "created" if before is None else "updated"

    def contact(self, record: dict[str, Any]) -> Outcome:
        outcome = self._upsert("/contacts", {"isRegistered": False, **record})
        return ("contacts", outcome, None, None)

    def property(self, record: dict[str, Any]) -> Outcome:
        fields = {key: value for key, value in record.items() if key != "units"}
        existing = self.runtime.collection(self.account, "/properties").get(str(record["id"]))
        fields.setdefault("responsibilities", (existing or {}).get("responsibilities", []))
        return ("properties", self._upsert("/properties", fields), None, None)

    def unit(self, property_id: str, record: dict[str, Any]) -> list[Outcome]:
        """The unit is stored with the contracts whose contacts exist; the others fail."""
        contacts = self.runtime.collection(self.account, "/contacts")
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
        stored = self.runtime.collection(self.account, UNITS_OF_PROPERTY, (property_id,)).get(str(record["id"]))
        self.runtime.collection(self.account, "/units").put(str(record["id"]), stored)
        return [("units", outcome, None, None), *outcomes]

    def responsibility(self, record: dict[str, Any]) -> Outcome:
        properties = self.runtime.collection(self.account, "/properties")
        target = properties.get(str(record["propertyId"]))
        if target is None:
            return ("responsibilities", "failed", str(record["propertyId"]), f"unknown property {record['propertyId']}")
        contact = str(record["contactId"])
        if contact not in self.runtime.collection(self.account, "/contacts") and contact not in self.runtime.collection(self.account, "/staff"):
            return ("responsibilities", "failed", contact, f"unknown contact or staff member {contact}")
        current = target.get("responsibilities", [])
        replaced = any(item.get("contactId") == contact for item in current)
        target["responsibilities"] = [*(item for item in current if item.get("contactId") != contact), dict(record)]
        return ("responsibilities", "updated" if replaced else "created", None, None)

    def document(self, record: dict[str, Any]) -> Outcome:
        documents = self.runtime.collection(self.account, "/documents")
        key = str(record["id"])
        if record.get("delete"):
            removed = documents.delete(key)
            if removed is None:
                return ("documents", "failed", key, "unknown document")
            return ("documents", "updated", None, None)
        fields = {k: v for k, v in record.items() if k not in ("content", "delete", "location")}
        fields.setdefault("publishedAt", self.runtime.now()[:10])
        fields.setdefault("downloadCount", 0)
        fields.setdefault("firstDownloadAt", None)
        return ("documents", self._upsert("/documents", fields), None, None)

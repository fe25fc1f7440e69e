"""casavi REST hook events, derived from the store's changes and delivered through the outbox.

Nothing that writes (an import, an API call, an admin call simulating casavi's own app)
knows about hooks: this listener looks at each change the server performs and decides
which documented events it means.

- a contact created -> `contact_created`; changed -> `contact_updated`; archived ->
  `contact_archived` (payload `{id, internalId, isRegistered}`)
- a unit whose existing contract got another end date -> `contract_enddate_updated`
  (`{contractId, tenantId, contactId, propertyId, unitId, startAt, endAt}`)
- a document downloaded (its download count rose) -> `document_downloaded`
  (`{id, internalId, title, downloadCount, contactId, propertyId, documentType}`)

Each event goes to every hook of the account subscribed to it, as the bare payload (what
casavi sends today) or, with `--webhook-envelope`, inside the documented envelope.
"""

from __future__ import annotations

from typing import Any

from ...engine import jsonio
from ...engine.clock import format_instant, parse_instant
from ...engine.runtime import ApiRuntime
from ...engine.state.changes import CREATED, SERVER_ORIGINS, UPDATED, Change
from .collection_paths import CONTACTS, DOCUMENTS, HOOKS, UNITS_OF_PROPERTY
from .hooks import hook_url_problem

# Kept on a contact that was archived (not part of the documented contact model).
ARCHIVED = "archived"
# Kept on a document: who downloaded it last (not part of the documented document model).
LAST_DOWNLOAD = "lastDownload"

Event = tuple[str, dict[str, Any]]


def tenant_id(runtime: ApiRuntime, account_name: str) -> int:
    """The account's `tenantId` from its fixture, else a stable number derived from the seed."""
    account = runtime.accounts.get(account_name)
    configured = account.attributes.get("tenantId") if account is not None else None
    if isinstance(configured, int) and not isinstance(configured, bool):
        return configured
    if isinstance(configured, str) and configured.isdigit():
        return int(configured)
    return runtime.fake.rng(f"casavi/tenant/{account_name}").randint(1000, 99999)


def as_instant(value: Any) -> Any:
    """`2020-09-01` or `2020-09-01T00:00:00Z` as the document writes dates: `2020-09-01T00:00:00.000Z`."""
    if not isinstance(value, str):
        return value
    try:
        return format_instant(parse_instant(value))
    except ValueError:
        return value


def count(value: Any) -> int:
    """A stored counter as a number (0 when it is none)."""
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def contact_payload(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record.get("id"), "internalId": record.get("internalId"), "isRegistered": bool(record.get("isRegistered"))}


def contact_events(change: Change) -> list[Event]:
    after = change.after
    if after is None:
        return []
    if change.kind == CREATED:
        return [("contact_created", contact_payload(after))]
    before = change.before or {}
    if after.get(ARCHIVED) and not before.get(ARCHIVED):
        return [("contact_archived", contact_payload(after))]
    if after != before:
        return [("contact_updated", contact_payload(after))]
    return []


def contract_events(change: Change, tenant: int) -> list[Event]:
    """An end date that changed on a contract the unit had before."""
    if change.kind != UPDATED or change.after is None:
        return []
    earlier = {
        str(contract.get("id")): contract
        for contract in (change.before or {}).get("contracts") or []
        if isinstance(contract, dict)
    }
    events = []
    for contract in change.after.get("contracts") or []:
        if not isinstance(contract, dict):
            continue
        before = earlier.get(str(contract.get("id")))
        if before is None or as_instant(before.get("endAt")) == as_instant(contract.get("endAt")):
            continue
        contacts = contract.get("contactIds") or [None]
        events.append((
            "contract_enddate_updated",
            {
                "contractId": contract.get("id"),
                "tenantId": tenant,
                "contactId": contacts[0],
                "propertyId": change.parents[0] if change.parents else None,
                "unitId": change.key,
                "startAt": as_instant(contract.get("startAt")),
                "endAt": as_instant(contract.get("endAt")),
            },
        ))
    return events


def download_events(change: Change) -> list[Event]:
    """A document whose download count rose."""
    if change.kind != UPDATED or change.after is None:
        return []
    after, before = change.after, change.before or {}
    if count(after.get("downloadCount")) <= count(before.get("downloadCount")):
        return []
    download = after.get(LAST_DOWNLOAD) or {}
    return [(
        "document_downloaded",
        {
            "id": after.get("id"),
            "internalId": after.get("internalId"),
            "title": after.get("title"),
            "downloadCount": after.get("downloadCount"),
            "contactId": download.get("contactId"),
            "propertyId": download.get("propertyId"),
            "documentType": document_type(after),
        },
    )]


def document_type(record: dict[str, Any]) -> str | None:
    """A document's type is imported as a list of names; the event names the first."""
    types = record.get("type")
    if isinstance(types, list):
        return str(types[0]) if types else None
    return types if isinstance(types, str) else None


class HookEvents:
    """Listener of the changes the server performs: the events they mean, to the subscribed hooks."""

    collections = (CONTACTS, UNITS_OF_PROPERTY, DOCUMENTS)
    origins = SERVER_ORIGINS

    def __init__(self, runtime: ApiRuntime, envelope: bool) -> None:
        self.runtime = runtime
        self.envelope = envelope

    def __call__(self, change: Change) -> None:
        if change.collection == CONTACTS:
            events = contact_events(change)
        elif change.collection == UNITS_OF_PROPERTY:
            events = contract_events(change, tenant_id(self.runtime, change.account))
        else:
            events = download_events(change)
        for name, payload in events:
            self.deliver(change.account, name, payload)

    def deliver(self, account: str, event: str, payload: dict[str, Any]) -> None:
        """Post the event to each of the account's hooks subscribed to it."""
        hooks = [
            hook
            for hook in self.runtime.store.collection(account, HOOKS).values()
            if hook.get("eventName") == event and hook_url_problem(str(hook.get("hookUrl")), allow_http=True) is None
        ]
        if not hooks:
            return
        body = jsonio.dumps(self.wrapped(account, event, payload) if self.envelope else payload)
        for hook in hooks:
            self.runtime.outbox.post(
                account=account, event=event, url=str(hook.get("hookUrl")), body=body, subscription=str(hook.get("id"))
            )

    def wrapped(self, account: str, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """The documented envelope; one event id per event, whatever the number of hooks."""
        number = self.runtime.store.next_number("hook-events")
        return {
            "eventId": self.runtime.fake.uuid(f"casavi/event/{number}"),
            "eventName": event,
            "eventTimestamp": self.runtime.now(),
            "tenantId": tenant_id(self.runtime, account),
            "payload": payload,
        }

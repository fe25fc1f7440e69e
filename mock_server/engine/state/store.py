"""The in-memory store: per API, per account, per collection, with one write path.

A collection is addressed by its template and the identifiers of its parents, e.g.
(`/tickets/{ticketId}/comments`, ("T-1",)); its concrete path (`/tickets/T-1/comments`)
is how fixtures and state exports name it. Accounts never share collections, so
isolation holds by construction.

Every change goes through `ApiStore.put` or `ApiStore.delete`: they stamp the
timestamps the server manages, keep the field indexes right and announce the change on
the API's `ChangeFeed`. Collections handed to other code are for reading. A write is
refused (nothing stored) only before it is stored, by the feed's preparers or the storage
budget; once stored it stands, whatever its listeners do.

The write path also writes each object as JSON once: an object that cannot be sent
back is refused before it is stored, and its size is counted against the server's
`StoreBudget` (per account and for the whole server), so a client that keeps writing
gets a 507 instead of the process running out of memory.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .. import jsonio
from ..clock import Clock
from ..contract.collections import UPDATED_FIELDS, TimestampFields
from ..errors import ApiError
from ..sizes import MIB
from ..values.identifiers import identifier_key
from .changes import CREATED, DELETED, FROM_FIXTURE, SERVER_ORIGINS, UPDATED, Change, ChangeFeed

Record = dict[str, Any]
CollectionKey = tuple[str, tuple[str, ...]]
# The key of the one object a singleton path (`/settings`) holds.
SINGLE = ""
_PARAMETER = re.compile(r"{[^}]+}")



class StoreBudget:
    """How much data (as JSON bytes) the server keeps: in total and per account.

    Shared by every API's store. Writes a client asks for are refused once they would
    pass a limit; data the server makes itself (demo objects, copies kept in step,
    fixtures checked beforehand) is counted but never refused. Uploads being read are
    held against the total while their request runs.
    """

    def __init__(self, total: int | None = None, per_account: int | None = None) -> None:
        self.total = total
        self.per_account = per_account
        self.used = 0  # bytes stored, all APIs
        self.held = 0  # bytes of uploads being read

    def room(self) -> int | None:
        """Bytes the server may still take (None: no limit)."""
        return None if self.total is None else self.total - self.used - self.held

    def check(self, growth: int, account_used: int) -> None:
        """ApiError(507) when ``growth`` more bytes would pass a limit."""
        if self.per_account is not None and account_used + growth > self.per_account:
            raise StoreFull(f"this account's stored data would exceed its budget of {_mb(self.per_account)}")
        room = self.room()
        if room is not None and growth > room:
            raise StoreFull(f"the sandbox's stored data would exceed its budget of {_mb(self.total or 0)}")

    def hold(self, size: int) -> None:
        """Count an upload being read against the total (507 when there is no room)."""
        room = self.room()
        if room is not None and size > room:
            raise StoreFull(f"the sandbox's storage budget of {_mb(self.total or 0)} leaves no room for this upload")
        self.held += size

    def release(self, size: int) -> None:
        self.held -= size


class StoreFull(ApiError):
    """A write the storage budget has no room for."""

    def __init__(self, message: str) -> None:
        super().__init__(507, message + " (see --max-store-mb and --max-account-store-mb; delete data or reset)")


def _mb(size: int) -> str:
    return f"{size / MIB:g} MB"


def record_size(record: Any) -> int:
    """What an object costs the budget: its size as JSON (NotJson when it is not JSON)."""
    return len(jsonio.dumps(record))


def concrete_path(template: str, parents: tuple[str, ...]) -> str:
    """`/tickets/{ticketId}/comments` with ("T-1",) -> `/tickets/T-1/comments`."""
    if not parents:
        return template
    values = iter(parents)
    return _PARAMETER.sub(lambda _: next(values), template)


class Collection:
    """Objects by identifier, in insertion order; a page costs O(page size).

    Read-only for everyone but the store: change objects with `ApiStore.put`/`delete`.
    """

    def __init__(self) -> None:
        self._items: dict[str, Record] = {}
        self._order: list[str] = []
        self._removed = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def get(self, key: str) -> Record | None:
        return self._items.get(key)

    def page(self, offset: int, limit: int) -> list[Record]:
        """`limit` records from position `offset`."""
        self._compact()
        return [self._items[key] for key in self._order[offset : offset + limit]]

    def values(self) -> Iterator[Record]:
        self._compact()
        return (self._items[key] for key in list(self._order))

    def keys(self) -> list[str]:
        self._compact()
        return list(self._order)

    def _store(self, key: str, record: Record) -> None:
        """Insert at the end, or replace in place."""
        if key not in self._items:
            self._order.append(key)
        self._items[key] = record

    def _discard(self, key: str) -> Record | None:
        record = self._items.pop(key, None)
        if record is not None:
            self._removed += 1
        return record

    def __deepcopy__(self, memo: dict[int, Any]) -> "Collection":
        """A copy whose objects are copies (stored objects are JSON data, copied by orjson)."""
        copied = Collection()
        copied._items = jsonio.copied(self._items)
        copied._order = list(self._order)
        copied._removed = self._removed
        return copied

    def _compact(self) -> None:
        # Removals leave their keys in the order list until the next read in order.
        if self._removed:
            self._order = [key for key in self._order if key in self._items]
            self._removed = 0


@dataclass
class AccountData:
    """Everything one account has stored in one API."""

    collections: dict[CollectionKey, Collection] = field(default_factory=dict)
    # Collections whose demo objects were generated already (they are made on first use).
    seeded: dict[CollectionKey, None] = field(default_factory=dict)  # ordered, so exports are stable
    # Objects of collections looked up on demand that were named once (template, parents, key).
    looked_up: dict[tuple[str, tuple[str, ...], str], None] = field(default_factory=dict)

    def collection(self, template: str, parents: tuple[str, ...] = ()) -> Collection:
        key = (template, parents)
        found = self.collections.get(key)
        if found is None:
            found = self.collections[key] = Collection()
        return found

    def owner(self, template: str, parents: tuple[str, ...]) -> Record | None:
        """The stored object a nested collection belongs to (`/orders/7` for `/orders/7/comments`),
        looked up without making anything."""
        if not parents:
            return None
        stored = self.collections.get((template[: template.rfind("/{")], parents[:-1]))
        return stored.get(parents[-1]) if stored is not None else None


def _index_value(value: Any) -> str | None:
    """What an indexed field is looked up by: text without case, numbers as text (`4.0` as `4`)."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    return identifier_key(value).lower()


class FieldIndex:
    """The objects of one collection template by the value of one field."""

    def __init__(self, template: str, field_name: str) -> None:
        self.template = template
        self.field = field_name
        # (account, parents) -> value -> keys, in the order they were indexed
        self._entries: dict[tuple[str, tuple[str, ...]], dict[str, dict[str, None]]] = {}

    def update(self, change: Change) -> None:
        entries = self._entries.setdefault((change.account, change.parents), {})
        old = _index_value((change.before or {}).get(self.field))
        new = _index_value((change.after or {}).get(self.field))
        if old is not None and old != new:
            entries.get(old, {}).pop(change.key, None)
        if new is not None:
            entries.setdefault(new, {})[change.key] = None

    def keys(self, account: str, parents: tuple[str, ...] | None, value: Any) -> list[tuple[tuple[str, ...], str]]:
        """(parents, key) of the objects whose field equals ``value`` (any parents when None)."""
        wanted = _index_value(value)
        if wanted is None:
            return []
        found = []
        for (owner, owner_parents), entries in self._entries.items():
            if owner == account and (parents is None or owner_parents == parents):
                found.extend((owner_parents, key) for key in entries.get(wanted, {}))
        return found


class ApiStore:
    """One API's data: the accounts' data, the identifier counters and the field indexes."""

    def __init__(
        self,
        api: str,
        feed: ChangeFeed,
        clock: Clock,
        timestamp_fields: Callable[[str], TimestampFields] = lambda template: ((), ()),
        indexes: list[FieldIndex] | None = None,
        budget: StoreBudget | None = None,
    ) -> None:
        self.api = api
        self.budget = budget or StoreBudget()
        self.used: dict[str, int] = {}  # account -> bytes it stores
        self.feed = feed
        self.clock = clock
        self.timestamp_fields = timestamp_fields
        self.accounts: dict[str, AccountData] = {}
        self.counters: dict[str, int] = {}
        self.indexes: dict[str, list[FieldIndex]] = {}
        for index in indexes or []:
            self.indexes.setdefault(index.template, []).append(index)

    def account(self, name: str) -> AccountData:
        found = self.accounts.get(name)
        if found is None:
            found = self.accounts[name] = AccountData()
        return found

    def collection(self, account: str, template: str, parents: tuple[str, ...] = ()) -> Collection:
        return self.account(account).collection(template, parents)

    def count(self, account: str, template: str, parents: tuple[str, ...] = ()) -> int:
        """How many objects a collection holds (0 for one never used), without making it."""
        data = self.accounts.get(account)
        found = data.collections.get((template, parents)) if data is not None else None
        return len(found) if found is not None else 0

    # --- the write path ---------------------------------------------------------------

    def put(
        self, account: str, template: str, parents: tuple[str, ...], key: str, record: Record, *, origin: str
    ) -> Record:
        """Store ``record`` under ``key`` (creating or replacing); returns what was stored."""
        collection = self.collection(account, template, parents)
        before = collection.get(key)
        change = Change(
            self.api, account, template, parents, key, CREATED if before is None else UPDATED, before, record, origin
        )
        by_server = origin in SERVER_ORIGINS
        if by_server or origin == FROM_FIXTURE:
            self._stamp(change, keep_given=not by_server)
        self.feed.before_store(change)
        growth = record_size(record) - (record_size(before) if before is not None else 0)
        self._count(account, growth, by_server and not self.feed.announcing)
        collection._store(key, record)
        self._commit(change)
        return record

    def delete(self, account: str, template: str, parents: tuple[str, ...], key: str, *, origin: str) -> Record | None:
        """Remove one object; returns it, or None when there was none."""
        collection = self.collection(account, template, parents)
        before = collection.get(key)
        if before is None:
            return None
        change = Change(self.api, account, template, parents, key, DELETED, before, None, origin)
        self.feed.before_store(change)
        self._count(account, -record_size(before), refusable=False)
        collection._discard(key)
        self._commit(change)
        return before

    def charge(self, account: str, size: int, *, refusable: bool = True) -> None:
        """Count data kept beside the objects (a queued task's payload) against the budget."""
        self._count(account, size, refusable=refusable)

    def _count(self, account: str, growth: int, refusable: bool) -> None:
        # Only what a client asks for directly is refused; what follows from it (a
        # listener keeping a copy in step) is counted, so derived data stays consistent.
        if refusable and growth > 0:
            self.budget.check(growth, self.used.get(account, 0))
        self.used[account] = self.used.get(account, 0) + growth
        self.budget.used += growth

    def release(self) -> None:
        """Give back everything this store counted (its API's state is being replaced)."""
        self.budget.used -= sum(self.used.values())
        self.used.clear()

    def claim(self) -> None:
        """Count everything this store holds against the budget (it was restored from a copy)."""
        self.budget.used += sum(self.used.values())

    def _commit(self, change: Change) -> None:
        for index in self.indexes.get(change.collection, ()):
            index.update(change)
        self.feed.announce(change)

    def _stamp(self, change: Change, *, keep_given: bool = False) -> None:
        """Creation and update times the server manages (kept from ``before`` on a change).

        ``keep_given`` (a fixture's objects): a time the object gives is kept, and one it
        lacks is stamped as if the object had been made when its given times say (the
        other given time), else now, so its times stay in order.
        """
        created_fields, updated_fields = self.timestamp_fields(change.collection)
        after, before = change.after, change.before
        assert after is not None
        now = self.clock.iso()
        given = [after[name] for name in (*created_fields, *updated_fields) if after.get(name) is not None] if keep_given else []
        if before is None:
            for name in (*created_fields, *updated_fields):
                if not (keep_given and after.get(name) is not None):
                    after[name] = given[0] if given else now
            return
        for name in created_fields:
            if name in before and not (keep_given and after.get(name) is not None):
                after[name] = before[name]
        for name in (*updated_fields, *(name for name in before if name in UPDATED_FIELDS)):
            if not (keep_given and after.get(name) is not None):
                after[name] = now

    # --- lookups ----------------------------------------------------------------------

    def find(
        self, account: str, template: str, field_name: str, value: Any, parents: tuple[str, ...] | None = None
    ) -> list[tuple[tuple[str, ...], Record]]:
        """(parents, object) of the indexed objects whose ``field_name`` equals ``value``."""
        for index in self.indexes.get(template, ()):
            if index.field == field_name:
                found = []
                for owner_parents, key in index.keys(account, parents, value):
                    record = self.collection(account, template, owner_parents).get(key)
                    if record is not None:
                        found.append((owner_parents, record))
                return found
        raise KeyError(f"no index on {template} by {field_name}")

    # --- counters ---------------------------------------------------------------------

    def next_number(self, sequence: str, start: int = 1) -> int:
        """The next integer of a named sequence."""
        value = self.counters.get(sequence, start - 1) + 1
        self.counters[sequence] = value
        return value

    def bump_counter(self, sequence: str, seen: int) -> None:
        """Keep a sequence ahead of identifiers that were loaded rather than generated."""
        if seen > self.counters.get(sequence, 0):
            self.counters[sequence] = seen

    # --- export -----------------------------------------------------------------------

    def export(self) -> dict[str, dict[str, Any]]:
        """Account name -> concrete collection path -> objects (or a singleton's object)."""
        data: dict[str, dict[str, Any]] = {}
        for name, account in self.accounts.items():
            collections: dict[str, Any] = {}
            for (template, parents), collection in account.collections.items():
                if not len(collection):
                    continue
                single = collection.get(SINGLE)
                path = concrete_path(template, parents)
                collections[path] = copy.deepcopy(single if single is not None else list(collection.values()))
            data[name] = collections
        return data

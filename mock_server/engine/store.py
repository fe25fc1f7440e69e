"""The in-memory store: per API, per account, per collection.

A collection is addressed by its template and the identifiers of its parents, e.g.
(`/tickets/{ticketId}/comments`, ("T-1",)); its concrete path (`/tickets/T-1/comments`)
is how fixtures and state exports name it. Accounts never share collections, so
isolation holds by construction.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

Record = dict[str, Any]
CollectionKey = tuple[str, tuple[str, ...]]
_PARAMETER = re.compile(r"{[^}]+}")


def concrete_path(template: str, parents: tuple[str, ...]) -> str:
    """`/tickets/{ticketId}/comments` with ("T-1",) -> `/tickets/T-1/comments`."""
    values = iter(parents)
    return _PARAMETER.sub(lambda _: next(values), template)


class Collection:
    """Objects by identifier, in insertion order; a page costs O(page size)."""

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

    def put(self, key: str, record: Record) -> None:
        """Insert at the end, or replace in place."""
        if key not in self._items:
            self._order.append(key)
        self._items[key] = record

    def delete(self, key: str) -> Record | None:
        record = self._items.pop(key, None)
        if record is not None:
            self._removed += 1
        return record

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

    def _compact(self) -> None:
        # Removals leave their keys in the order list until the next read in order.
        if self._removed:
            self._order = [key for key in self._order if key in self._items]
            self._removed = 0


@dataclass
class AccountData:
    """Everything one account has stored in one API."""

    collections: dict[CollectionKey, Collection] = field(default_factory=dict)
    singletons: dict[str, Record] = field(default_factory=dict)  # by concrete path
    # Collections whose demo objects were generated already (they are made on first use).
    seeded: dict[CollectionKey, None] = field(default_factory=dict)  # ordered, so exports are stable

    def collection(self, template: str, parents: tuple[str, ...] = ()) -> Collection:
        key = (template, parents)
        found = self.collections.get(key)
        if found is None:
            found = self.collections[key] = Collection()
        return found

    def existing(self, template: str, parents: tuple[str, ...] = ()) -> Collection | None:
        return self.collections.get((template, parents))


class ApiStore:
    """One API's data: the accounts' data and the identifier counters."""

    def __init__(self) -> None:
        self.accounts: dict[str, AccountData] = {}
        self.counters: dict[str, int] = {}

    def account(self, name: str) -> AccountData:
        found = self.accounts.get(name)
        if found is None:
            found = self.accounts[name] = AccountData()
        return found

    def next_number(self, sequence: str, start: int = 1) -> int:
        """The next integer of a named sequence (shared by all accounts, like a database's)."""
        value = self.counters.get(sequence, start - 1) + 1
        self.counters[sequence] = value
        return value

    def bump_counter(self, sequence: str, seen: int) -> None:
        """Keep a sequence ahead of identifiers that were loaded rather than generated."""
        if seen > self.counters.get(sequence, 0):
            self.counters[sequence] = seen

    def export(self) -> dict[str, dict[str, Any]]:
        """Account name -> concrete collection path -> objects (or the singleton object)."""
        data: dict[str, dict[str, Any]] = {}
        for name, account in self.accounts.items():
            collections: dict[str, Any] = {}
            for (template, parents), collection in account.collections.items():
                if len(collection):
                    collections[concrete_path(template, parents)] = copy.deepcopy(list(collection.values()))
            for path, record in account.singletons.items():
                collections[path] = copy.deepcopy(record)
            data[name] = collections
        return data

"""Change events: what the store announces about every write.

Every change to stored data goes through the store's one write path (`ApiStore.put`,
`ApiStore.delete`), which announces it here twice: first to *preparers*, which may still
adjust the object about to be stored (fields the vendor derives, such as a ticket's
number or `closedAt`), then, once it is stored, to *listeners*, which react to it
(webhooks, mirrors, dropping cached answers). Code that reacts to a change never needs
to know who made it; `origin` says where it came from when that matters.

Whatever may refuse a write is a preparer: what it raises (an `ApiError` in the API's
shape) stops the write before anything is stored. A listener cannot refuse: the change
is stored when it is told, so what a listener raises is contained, handed to the feed's
`on_failure` (logged with its traceback, kept where a user looks) and never reaches the
code that wrote, nor the client's answer; the other listeners are still told.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable

log = logging.getLogger("mock_server")

Record = dict[str, Any]

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"

# Where a change came from.
FROM_API = "api"  # an API call
FROM_TASK = "task"  # a background task (import job, batch validation, ...)
FROM_ADMIN = "admin"  # an admin call simulating something done in the vendor's own app
FROM_FIXTURE = "fixture"  # a fixture document
FROM_STATE = "state"  # a state import (restores objects exactly as exported)
FROM_DEMO = "demo"  # generated demo data
FROM_VIEW = "view"  # a copy kept in step with another collection (stored as given)
# The server itself performs these, so it manages timestamps and derived fields for them.
SERVER_ORIGINS = frozenset({FROM_API, FROM_TASK, FROM_ADMIN})


@dataclass(slots=True)
class Change:
    """One write: which object of which collection, what it was and what it became."""

    api: str
    account: str
    collection: str  # the collection's template, e.g. `/tickets/{ticketId}/comments`
    parents: tuple[str, ...]  # identifiers the template's parameters take
    key: str  # the object's identifier within the collection
    kind: str  # created, updated or deleted
    before: Record | None
    after: Record | None  # a preparer may still adjust it; listeners must not change it
    origin: str

    @property
    def record(self) -> Record:
        """The object as it is now, or as it was when deleted."""
        return self.after if self.after is not None else (self.before or {})


Listener = Callable[[Change], None]
# Told of a listener that raised: the listener, the change it was told of, what it raised.
FailureHandler = Callable[[Listener, Change, Exception], None]


@dataclass(frozen=True)
class _Subscription:
    listener: Listener
    collections: frozenset[str] | None
    kinds: frozenset[str] | None
    origins: frozenset[str] | None

    def wants(self, change: Change) -> bool:
        return (
            (self.collections is None or change.collection in self.collections)
            and (self.kinds is None or change.kind in self.kinds)
            and (self.origins is None or change.origin in self.origins)
        )


def listener_name(listener: Listener) -> str:
    """`mock_server.apis.relay.parts.OrderParts` for a callable object, `module.Class.method`
    for a method, `module.function` for a function."""
    name = getattr(listener, "__qualname__", None) or type(listener).__qualname__
    module = getattr(listener, "__module__", None) or type(listener).__module__
    return f"{module}.{name}" if module else name


def _optional(values: str | Iterable[str] | None) -> frozenset[str] | None:
    if values is None:
        return None
    return frozenset([values] if isinstance(values, str) else values)


class ChangeFeed:
    """Preparers and listeners of one API's changes, called in the order they registered."""

    def __init__(self, on_failure: FailureHandler | None = None) -> None:
        # Told of every listener that raised (after the exception was logged).
        self.on_failure = on_failure
        self._preparers: list[_Subscription] = []
        self._listeners: list[_Subscription] = []
        self._announcing = False
        self._queued: deque[Change] = deque()
        # (collection, kind, origin) -> the preparers and the listeners that want such changes
        self._wanting: dict[tuple[str, str, str], tuple[list[Listener], list[Listener]]] = {}

    def prepare(
        self,
        preparer: Listener,
        *,
        collections: str | Iterable[str] | None = None,
        kinds: str | Iterable[str] | None = None,
        origins: str | Iterable[str] | None = SERVER_ORIGINS,
    ) -> None:
        """Call ``preparer`` before matching writes are stored; it may adjust ``change.after``,
        or refuse the write by raising (`ApiError` answers in the API's shape; nothing is stored).

        By default only for changes the server performs (not fixtures, state or demo data,
        which are stored as given).
        """
        self._preparers.append(_Subscription(preparer, _optional(collections), _optional(kinds), _optional(origins)))
        self._wanting.clear()

    def subscribe(
        self,
        listener: Listener,
        *,
        collections: str | Iterable[str] | None = None,
        kinds: str | Iterable[str] | None = None,
        origins: str | Iterable[str] | None = None,
    ) -> None:
        """Call ``listener`` after every matching write is stored. It cannot refuse the
        write: what it raises is logged and recorded (see `on_failure`), and the write stands."""
        self._listeners.append(_Subscription(listener, _optional(collections), _optional(kinds), _optional(origins)))
        self._wanting.clear()

    @property
    def announcing(self) -> bool:
        """Whether a listener is being told of a change (writes now follow from another)."""
        return self._announcing

    def _subscribers(self, change: Change) -> tuple[list[Listener], list[Listener]]:
        """The preparers and the listeners that want ``change`` (worked out once per sort of change)."""
        sort = (change.collection, change.kind, change.origin)
        found = self._wanting.get(sort)
        if found is None:
            found = self._wanting[sort] = (
                [subscription.listener for subscription in self._preparers if subscription.wants(change)],
                [subscription.listener for subscription in self._listeners if subscription.wants(change)],
            )
        return found

    def before_store(self, change: Change) -> None:
        """Let the preparers adjust or refuse ``change`` (what they raise reaches the writer)."""
        if not self._preparers:
            return
        for preparer in self._subscribers(change)[0]:
            preparer(change)

    def announce(self, change: Change) -> None:
        """Tell every listener, in order. A change a listener makes is announced after
        the one it reacts to has reached every listener, so all see changes in the order
        they were stored. A listener that raises is reported and the others are still told."""
        if self._announcing:
            self._queued.append(change)
            return
        self._announcing = True
        try:
            current: Change | None = change
            while current is not None:
                for listener in self._subscribers(current)[1]:
                    try:
                        listener(current)
                    except Exception as error:  # the change is stored: it stands whatever a listener does
                        self._listener_failed(listener, current, error)
                current = self._queued.popleft() if self._queued else None
        finally:
            self._announcing = False
            self._queued.clear()

    def _listener_failed(self, listener: Listener, change: Change, error: Exception) -> None:
        log.error(
            "listener %s failed on %s %s %s %r (%s); the change stands", listener_name(listener), change.api,
            change.kind, change.collection, change.key, change.origin, exc_info=error,
        )
        if self.on_failure is not None:
            try:
                self.on_failure(listener, change, error)
            except Exception:  # recording must not undo the containment
                log.exception("recording the failure of listener %s failed", listener_name(listener))

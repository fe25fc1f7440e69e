"""Who is told of one kind of happening as it happens (a request answered, a task's step, a
webhook attempt, ...), for what watches the sandbox from outside, such as the admin
event stream.

Telling costs one check while nobody watches. A watcher cannot change what happened: one
that raises is logged and the others are still told. Watchers last as long as what they
watch, so a copy of the state (a reset) keeps them.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Generic, TypeVar

log = logging.getLogger("mock_server")

Subject = TypeVar("Subject")


class Watchers(Generic[Subject]):
    """The callables told of one kind of happening, in the order they were added."""

    __slots__ = ("_watchers",)

    def __init__(self) -> None:
        self._watchers: list[Callable[[Subject], None]] = []

    def __bool__(self) -> bool:
        return bool(self._watchers)

    def add(self, watcher: Callable[[Subject], None]) -> None:
        self._watchers.append(watcher)

    def discard(self, watcher: Callable[[Subject], None]) -> None:
        if watcher in self._watchers:
            self._watchers.remove(watcher)

    def tell(self, subject: Subject) -> None:
        """Tell every watcher of ``subject``; what one raises is logged, never passed on."""
        for watcher in tuple(self._watchers):
            try:
                watcher(subject)
            except Exception:
                log.exception("a watcher of the sandbox failed; what it watched stands")

    def __deepcopy__(self, memo: dict[int, Any]) -> "Watchers[Subject]":
        return self

"""Answers to reads, reused until the API's next write.

A read's answer depends only on the stored state and the request, so between two
writes the same request gets the same bytes. Any write to the API (any method but GET,
or an admin change) empties the cache, which keeps it trivially correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ_KINDS = frozenset({"read", "list", "singleton_read"})
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class CachedAnswer:
    status: int
    payload: bytes
    content_type: str | None
    headers: tuple[tuple[str, str], ...]


@dataclass
class AnswerCache:
    entries: dict[tuple, CachedAnswer] = field(default_factory=dict)

    def get(self, key: tuple) -> CachedAnswer | None:
        return self.entries.get(key)

    def put(self, key: tuple, answer: CachedAnswer) -> None:
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = answer

    def invalidate(self) -> None:
        self.entries.clear()

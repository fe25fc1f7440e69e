"""Answers to reads, reused until the API's next write.

A read's answer depends only on the stored state and the request, so between two
writes the same request gets the same bytes. Any write to the API (any method but GET,
or an admin change) empties the cache, which keeps it trivially correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

READ_KINDS = frozenset({"read", "list", "singleton_read"})
MAX_ENTRIES = 10_000
# Bytes of answers kept: many different queries over large objects must not pile up copies.
MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class CachedAnswer:
    status: int
    payload: bytes
    content_type: str | None
    headers: tuple[tuple[str, str], ...]


@dataclass
class AnswerCache:
    entries: dict[tuple, CachedAnswer] = field(default_factory=dict)
    size: int = 0  # bytes of the answers kept

    def get(self, key: tuple) -> CachedAnswer | None:
        return self.entries.get(key)

    def put(self, key: tuple, answer: CachedAnswer) -> None:
        if len(self.entries) >= MAX_ENTRIES or self.size + len(answer.payload) > MAX_BYTES:
            self.invalidate()
        if len(answer.payload) > MAX_BYTES:
            return
        previous = self.entries.get(key)
        if previous is not None:
            self.size -= len(previous.payload)
        self.entries[key] = answer
        self.size += len(answer.payload)

    def invalidate(self) -> None:
        self.entries.clear()
        self.size = 0

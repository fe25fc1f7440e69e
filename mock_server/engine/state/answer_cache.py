"""Answers to reads, reused until the API's next write.

A read's answer depends only on the stored state and the request, so between two
writes the same request gets the same bytes. Any write to the API (any method but GET,
or an admin change) empties the cache, which keeps it trivially correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

READ_KINDS = frozenset({"read", "list", "singleton_read"})
MAX_ENTRIES = 10_000
# Bytes of answers kept: many different queries over large objects must not pile up copies.
MAX_BYTES = 64 * 1024 * 1024


class WireAnswer(NamedTuple):
    """An answer as it goes on the wire."""

    status: int
    payload: bytes
    content_type: str | None
    # The content type and the other headers as the ASGI server takes them, encoded once.
    headers: tuple[tuple[bytes, bytes], ...] = ()

    def start_message(self, length: int | None = None) -> dict:
        """The `http.response.start` message, announcing ``length`` bytes (the payload's by default)."""
        size = len(self.payload) if length is None else length
        return {
            "type": "http.response.start",
            "status": self.status,
            "headers": [(b"content-length", str(size).encode()), *self.headers],
        }


def wire_headers(content_type: str | None, headers: dict[str, Any]) -> tuple[tuple[bytes, bytes], ...]:
    """A reply's headers as ASGI takes them: lower-case names, values as bytes, the
    content type first when there is one."""
    if not headers:
        return _content_type_header(content_type)
    encoded = list(_content_type_header(content_type))
    for name, value in headers.items():
        encoded.append((name.lower().encode("latin-1"), str(value).encode("latin-1", "replace")))
    return tuple(encoded)


@lru_cache(maxsize=64)
def _content_type_header(content_type: str | None) -> tuple[tuple[bytes, bytes], ...]:
    return ((b"content-type", content_type.encode("latin-1", "replace")),) if content_type else ()


@dataclass
class AnswerCache:
    entries: dict[tuple, WireAnswer] = field(default_factory=dict)
    size: int = 0  # bytes of the answers kept

    def get(self, key: tuple) -> WireAnswer | None:
        return self.entries.get(key)

    def put(self, key: tuple, answer: WireAnswer) -> None:
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

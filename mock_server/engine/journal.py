"""What the sandbox was asked and how it answered: the request journal and coverage."""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from . import jsonio
from .clock import format_instant
from .predicates import contains

BODY_LIMIT = 4096
NO_PREDICATE = object()  # `select` without a body predicate


@dataclass
class JournalEntry:
    """One answered request."""

    sequence: int
    time: datetime
    api: str | None
    method: str
    path: str
    query: str
    operation: str | None
    status: int
    duration_ms: float
    request_body: bytes  # the first BODY_LIMIT + 1 bytes; read as text when listed
    response_body: bytes
    # What features noted about the exchange: `override` (a rule that fired), `drift`, ...
    notes: dict[str, Any] | None = None

    def request_json(self) -> Any:
        """The request body as JSON, or None when it is not JSON or was cut."""
        if not self.request_body or len(self.request_body) > BODY_LIMIT:
            return None
        try:
            return jsonio.loads(self.request_body)
        except ValueError:
            return None

    def to_json(self) -> dict[str, Any]:
        entry = asdict(self)
        notes = entry.pop("notes")
        return {
            **entry,
            "time": format_instant(self.time),
            "request_body": excerpt(self.request_body),
            "response_body": excerpt(self.response_body),
            **(notes or {}),
        }


def kept(data: bytes) -> bytes:
    """What the journal keeps of a body: enough to show BODY_LIMIT bytes and whether it was cut."""
    return data[: BODY_LIMIT + 1]


def excerpt(data: bytes | None) -> str | None:
    """A body as text for the journal, cut at BODY_LIMIT bytes."""
    if not data:
        return None
    text = data[:BODY_LIMIT].decode("utf-8", "replace")
    return text + "…" if len(data) > BODY_LIMIT else text


def recorded_json(body: str | None) -> Any:
    """A body as the journal lists it (text, ending in `…` when cut), as JSON; None when it
    is not JSON or was cut."""
    if not body or body.endswith("…"):
        return None
    try:
        return jsonio.loads(body)
    except ValueError:
        return None


@dataclass
class RequestJournal:
    """The last N requests, and per operation how often each status was answered."""

    size: int = 1000
    entries: deque[JournalEntry] = field(init=False)
    statuses: dict[tuple[str, str], Counter[int]] = field(default_factory=dict)
    sequence: int = 0

    def __post_init__(self) -> None:
        self.entries = deque(maxlen=self.size)

    def record(self, entry: JournalEntry) -> None:
        self.entries.append(entry)
        if entry.api is not None and entry.operation is not None:
            self.statuses.setdefault((entry.api, entry.operation), Counter())[entry.status] += 1

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    def select(
        self,
        api: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        operation: str | None = None,
        body: Any = NO_PREDICATE,
        note: str | None = None,
    ) -> list[JournalEntry]:
        """Entries matching every filter given.

        `path` matches as a prefix; `body` is a predicate on the recorded request body
        (see `predicates.contains`); `note` keeps entries carrying that note (`override`).
        """
        return [
            entry
            for entry in self.entries
            if (api is None or entry.api == api)
            and (method is None or entry.method == method.upper())
            and (path is None or entry.path.startswith(path))
            and (status is None or entry.status == status)
            and (operation is None or entry.operation == operation)
            and (note is None or (entry.notes is not None and note in entry.notes))
            and (body is NO_PREDICATE or contains(entry.request_json(), body))
        ]

    def clear(self) -> None:
        self.entries.clear()
        self.statuses.clear()

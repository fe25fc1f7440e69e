"""What the sandbox was asked and how it answered: the request journal and coverage.

Entries keep what went over the wire (headers, query, body excerpts); credentials in
them are masked when the journal is read (`Redactor`), so the request path pays nothing
for it and no secret leaves through `GET /__admin/requests`.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, NamedTuple
from urllib.parse import unquote

from .. import jsonio
from ..behaviour.matching import contains
from ..clock import format_instant

BODY_LIMIT = 4096
NO_PREDICATE = object()  # `select` without a body predicate
MASK = "***"
# Headers that carry credentials in any API.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


class Redactor:
    """Masks the values of named credentials in headers, query strings and bodies.

    Names match without regard to case: `token` masks a `token` header, a `token`
    query parameter, `"token": "..."` in a JSON body and `token=...` in a form.
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names = frozenset(name.lower() for name in names) | SECRET_HEADERS
        alternatives = "|".join(re.escape(name) for name in sorted(self.names, key=len, reverse=True))
        # "name": "value" (also a truncated value at the end of an excerpt), or "name": 123
        self._json = re.compile(
            rf'("(?:{alternatives})"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^,}}\]\s]+)', re.IGNORECASE
        )
        self._form = re.compile(rf"((?:^|[&;?])(?:{alternatives})=)([^&;]*)", re.IGNORECASE)

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        """Credential headers masked; an `Authorization` header keeps its scheme (`Bearer ***`)."""
        return {name: _masked_header(value) if name.lower() in self.names else value for name, value in headers.items()}

    def query(self, query: str) -> str:
        return self._form.sub(rf"\g<1>{MASK}", query) if query else query

    def body(self, text: str | None) -> str | None:
        if not text:
            return text
        masked = self._json.sub(rf'\g<1>"{MASK}"', text)
        return self._form.sub(rf"\g<1>{MASK}", masked) if "=" in masked else masked


_new_entry = tuple.__new__  # a JournalEntry from all its fields at once, as `JournalEntry._make` without its checks

# Masks only the credential headers every API has.
COMMON_SECRETS = Redactor()


def _masked_header(value: str) -> str:
    scheme, _, credential = value.strip().partition(" ")
    return f"{scheme} {MASK}" if credential and scheme.isalpha() and len(scheme) <= 16 else MASK


class JournalEntry(NamedTuple):
    """One answered request, as kept: a plain tuple of what the request path had at hand,
    so keeping the last thousand costs little; it is put in words when the journal is read."""

    sequence: int
    time: float  # seconds since the epoch, by the sandbox's clock
    api: str | None
    method: str
    path: str  # as sent (percent-encoded)
    query: str
    operation: str | None
    status: int
    duration: float  # seconds
    request_body: bytes  # the first BODY_LIMIT + 1 bytes; read as text when listed
    response_body: bytes
    request_headers: dict[str, str]
    redactor: "Redactor"
    # What features noted about the exchange: `override` (a rule that fired), `drift`, ...
    notes: dict[str, Any] | None = None

    @property
    def decoded_path(self) -> str:
        return unquote(self.path) if "%" in self.path else self.path

    def request_json(self) -> Any:
        """The request body as JSON, or None when it is not JSON or was cut."""
        if not self.request_body or len(self.request_body) > BODY_LIMIT:
            return None
        try:
            return jsonio.loads(self.request_body)
        except ValueError:
            return None

    def to_json(self) -> dict[str, Any]:
        """The entry as `GET /__admin/requests` shows it, credentials masked."""
        redact = self.redactor
        return {
            "sequence": self.sequence,
            "time": format_instant(datetime.fromtimestamp(self.time, timezone.utc)),
            "api": self.api,
            "method": self.method,
            "path": self.decoded_path,
            "query": redact.query(self.query),
            "operation": self.operation,
            "status": self.status,
            "duration_ms": round(self.duration * 1000, 3),
            "request_headers": redact.headers(self.request_headers),
            "request_body": redact.body(excerpt(self.request_body)),
            "response_body": redact.body(excerpt(self.response_body)),
            **(self.notes or {}),
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
    sequence: int = 0
    # (api, operation, status) -> how often it was answered, since the last clear
    _answered: dict[tuple[str, str, int], int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.entries = deque(maxlen=self.size)

    def record(
        self, time: float, api: str | None, method: str, path: str, query: str, operation: str | None, status: int,
        duration: float, request_body: bytes, response_body: bytes, request_headers: dict[str, str],
        redactor: Redactor, notes: dict[str, Any] | None = None,
    ) -> None:
        """Keep one answered request (as the next in sequence); bodies are cut to what is shown."""
        self.sequence += 1
        self.entries.append(_new_entry(JournalEntry, (
            self.sequence, time, api, method, path, query, operation, status, duration,
            request_body if len(request_body) <= BODY_LIMIT else kept(request_body),
            response_body if len(response_body) <= BODY_LIMIT else kept(response_body),
            request_headers, redactor, notes,
        )))
        if api is not None and operation is not None:
            key = (api, operation, status)
            self._answered[key] = self._answered.get(key, 0) + 1

    @property
    def statuses(self) -> dict[tuple[str, str], Counter[int]]:
        """Per (api, operation): how often each status was answered."""
        found: dict[tuple[str, str], Counter[int]] = {}
        for (api, operation, status), count in self._answered.items():
            found.setdefault((api, operation), Counter())[status] = count
        return found

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
            and (path is None or entry.decoded_path.startswith(path))
            and (status is None or entry.status == status)
            and (operation is None or entry.operation == operation)
            and (note is None or (entry.notes is not None and note in entry.notes))
            and (body is NO_PREDICATE or contains(entry.request_json(), body))
        ]

    def clear(self) -> None:
        self.entries.clear()
        self._answered.clear()

    def forget(self, apis: list[str] | None = None) -> None:
        """Drop the entries and call counts of the given APIs; of all (numbering too, as in a
        journal just made) when None."""
        if apis is None:
            self.clear()
            self.sequence = 0
            return
        kept = [entry for entry in self.entries if entry.api not in apis]
        self.entries.clear()
        self.entries.extend(kept)
        self._answered = {key: count for key, count in self._answered.items() if key[0] not in apis}

"""What went wrong inside the sandbox, where a user looks: `GET /__admin/errors`.

Three kinds of failure are kept, the last `KEPT` of the whole sandbox:

- a *listener* that raised while reacting to a stored change (a webhook, a view, a
  cache): the change stays stored and the client's answer stays what it was;
- a background *task* step that raised: its task records the step as failed;
- an unexpected exception while answering a *request* (of an API, or of the admin API,
  whose entries name `admin` as their API), answered as a 500 whose `reference` names
  the entry.

Each entry names what failed (the listener's qualified name, the task and its step, or
the request), the exception's type, message and traceback, and the change that triggered it
by identifiers only (never the object's values). The request path pays nothing while
nothing fails: a request compares `sequence` before and after its handler.
"""

from __future__ import annotations

import traceback
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .changes import Change
from .store import concrete_path

KEPT = 200
# Longest exception message and traceback text an entry keeps (their ends are kept).
MESSAGE_LIMIT = 1000
TRACEBACK_LIMIT = 16 * 1024

LISTENER = "listener"
TASK = "task"
REQUEST = "request"
# What failures of the admin API name as their API.
ADMIN = "admin"


def _tail(text: str, limit: int) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


def change_summary(change: Change) -> dict[str, Any]:
    """The change by identifiers only: which object of which collection, how, from where."""
    return {
        "api": change.api,
        "account": change.account,
        "collection": change.collection,
        "path": concrete_path(change.collection, change.parents),
        "key": change.key,
        "kind": change.kind,
        "origin": change.origin,
    }


@dataclass(slots=True)
class Failure:
    """One exception the sandbox contained, as `GET /__admin/errors` lists it."""

    sequence: int
    time: str
    api: str
    source: str  # listener, task or request
    error_type: str
    message: str
    traceback: str
    listener: str | None = None  # the qualified name of the listener that raised
    change: dict[str, Any] | None = None
    task: dict[str, Any] | None = None  # {id, type, step}: the step that raised
    request: dict[str, Any] | None = None  # {method, path, operation, journal}: the request it happened in
    reference: str | None = None  # the reference of the 500 answered for it

    def to_json(self) -> dict[str, Any]:
        entry = {
            "sequence": self.sequence,
            "time": self.time,
            "api": self.api,
            "source": self.source,
            "error": {"type": self.error_type, "message": self.message},
            "traceback": self.traceback,
        }
        for name in ("listener", "change", "task", "request", "reference"):
            value = getattr(self, name)
            if value is not None:
                entry[name] = value
        return entry


class FailureLog:
    """The sandbox's last `KEPT` contained failures, numbered in the order they happened."""

    def __init__(self, now: Callable[[], str], size: int = KEPT) -> None:
        self.now = now
        self.entries: deque[Failure] = deque(maxlen=size)
        self.sequence = 0  # the number of the latest failure (grows, never reused)

    def record(
        self,
        api: str,
        source: str,
        error: BaseException,
        *,
        listener: str | None = None,
        change: Change | None = None,
        task: dict[str, Any] | None = None,
        request: dict[str, Any] | None = None,
        reference: str | None = None,
    ) -> Failure:
        """Keep one failure (the oldest goes once `KEPT` are kept); returns its entry."""
        self.sequence += 1
        failure = Failure(
            sequence=self.sequence,
            time=self.now(),
            api=api,
            source=source,
            error_type=type(error).__name__,
            message=_tail(str(error), MESSAGE_LIMIT),
            traceback=_tail("".join(traceback.format_exception(error)), TRACEBACK_LIMIT),
            listener=listener,
            change=change_summary(change) if change is not None else None,
            task=task,
            request=request,
            reference=reference,
        )
        self.entries.append(failure)
        return failure

    def since(self, sequence: int) -> list[Failure]:
        """The failures recorded after the one numbered ``sequence``, oldest first."""
        found = []
        for failure in reversed(self.entries):
            if failure.sequence <= sequence:
                break
            found.append(failure)
        found.reverse()
        return found

    def select(self, apis: Iterable[str] | None = None) -> list[Failure]:
        """The kept failures (of the given APIs), oldest first."""
        if apis is None:
            return list(self.entries)
        wanted = set(apis)
        return [failure for failure in self.entries if failure.api in wanted]

    def forget(self, apis: Iterable[str] | None = None) -> None:
        """Forget the failures of the given APIs; of all, numbering too (as in a log just
        made), when None."""
        self.clear(apis)
        if apis is None:
            self.sequence = 0

    def clear(self, apis: Iterable[str] | None = None) -> None:
        """Forget the failures of the given APIs (of every API when None); numbering goes on."""
        if apis is None:
            self.entries.clear()
            return
        gone = set(apis)
        kept = [failure for failure in self.entries if failure.api not in gone]
        self.entries.clear()
        self.entries.extend(kept)

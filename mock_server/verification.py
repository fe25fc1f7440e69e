"""Request verification: how many journalled calls match a pattern, and whether that is
what a test expects ("exactly one POST /hooks with eventName contact_created").

Works on journal entries in their JSON form (`GET /__admin/requests`), so the
`mock-server verify` command and in-process helpers share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from .engine import jsonio
from .engine.behaviour.matching import contains, query_contains
from .engine.tools.journal import NO_PREDICATE, recorded_json


@dataclass
class CallPattern:
    """What a call must look like to count; every part given must match."""

    api: str | None = None
    method: str | None = None
    path: str | None = None  # the whole path, or a template whose `{name}` segments match any value
    operation: str | None = None  # operation id
    status: int | None = None
    body: Any = NO_PREDICATE  # a predicate on the request body (`predicates.contains`)
    query: dict[str, str | list[str]] = field(default_factory=dict)

    def admin_params(self) -> dict[str, str]:
        """The filters `GET /__admin/requests` applies itself (the path is matched here, whole)."""
        params = {"api": self.api, "method": self.method, "operation": self.operation}
        filters = {name: value for name, value in params.items() if value is not None}
        if self.status is not None:
            filters["status"] = str(self.status)
        if self.body is not NO_PREDICATE:
            filters["body"] = jsonio.dumps(self.body).decode()
        return filters

    def matches(self, entry: dict[str, Any]) -> bool:
        """Whether a journal entry (JSON form) is a call of this pattern."""
        if self.api is not None and entry.get("api") != self.api:
            return False
        if self.method is not None and entry.get("method") != self.method.upper():
            return False
        if self.operation is not None and entry.get("operation") != self.operation:
            return False
        if self.status is not None and entry.get("status") != self.status:
            return False
        if self.path is not None and not path_matches(self.path, str(entry.get("path", ""))):
            return False
        if self.query and not query_contains(parse_qsl(entry.get("query") or "", keep_blank_values=True), self.query):
            return False
        return self.body is NO_PREDICATE or contains(recorded_json(entry.get("request_body")), self.body)

    def describe(self) -> str:
        parts = [self.method.upper() if self.method else "any method", self.path or "any path"]
        if self.api:
            parts.insert(0, f"{self.api}:")
        if self.operation:
            parts.append(f"(operation {self.operation})")
        if self.status is not None:
            parts.append(f"answered {self.status}")
        if self.query:
            parts.append(f"with query {self.query}")
        if self.body is not NO_PREDICATE:
            parts.append(f"with body containing {jsonio.dumps(self.body).decode()}")
        return " ".join(parts)


@dataclass(frozen=True)
class CallCount:
    """How many matching calls are expected: exactly, at least or at most a number."""

    bound: str  # "exactly", "at least", "at most"
    number: int

    @classmethod
    def of(cls, exactly: int | None = None, at_least: int | None = None, at_most: int | None = None) -> "CallCount":
        """The one bound given (at least 1 when none is)."""
        given = [(bound, value) for bound, value in (("exactly", exactly), ("at least", at_least), ("at most", at_most)) if value is not None]
        if len(given) > 1:
            raise ValueError("give one of exactly, at least, at most")
        bound, number = given[0] if given else ("at least", 1)
        if number < 0:
            raise ValueError("a call count is 0 or more")
        return cls(bound, number)

    def holds(self, count: int) -> bool:
        if self.bound == "exactly":
            return count == self.number
        if self.bound == "at least":
            return count >= self.number
        return count <= self.number

    def describe(self) -> str:
        return f"{self.bound} {self.number} call{'' if self.number == 1 else 's'}"


@dataclass
class Verification:
    """The outcome: the matching calls, and a message saying whether the count holds."""

    pattern: CallPattern
    expected: CallCount
    matched: list[dict[str, Any]]

    @property
    def holds(self) -> bool:
        return self.expected.holds(len(self.matched))

    @property
    def message(self) -> str:
        outcome = "as expected" if self.holds else "expected " + self.expected.describe()
        return f"{len(self.matched)} call(s) to {self.pattern.describe()}: {outcome}"


def verify_calls(entries: list[dict[str, Any]], pattern: CallPattern, expected: CallCount) -> Verification:
    """Count the journal entries matching ``pattern`` against ``expected``."""
    return Verification(pattern, expected, [entry for entry in entries if pattern.matches(entry)])


def path_matches(pattern: str, path: str) -> bool:
    """`/hooks/{id}` matches `/hooks/12`; a path without `{...}` matches only itself."""
    wanted = pattern.strip("/").split("/")
    actual = path.strip("/").split("/")
    if len(wanted) != len(actual):
        return False
    return all(
        (part.startswith("{") and part.endswith("}") and segment != "") or part == segment
        for part, segment in zip(wanted, actual)
    )

"""Cases and their messages: a case belongs to one partner and one provider account."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """A repair case both of its accounts may write to and read from."""

    guid: str
    case_id: int
    partner: str  # account names
    provider: str
    messages: list[dict[str, Any]] = field(default_factory=list)

    def role_of(self, account: str) -> str | None:
        if account == self.partner:
            return "partner"
        if account == self.provider:
            return "provider"
        return None

    def to_fixture(self) -> dict[str, Any]:
        return {"guid": self.guid, "caseId": self.case_id, "partner": self.partner, "provider": self.provider}


class CaseBook:
    """Every case by guid, and every message by id."""

    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.messages: dict[int, tuple[Case, dict[str, Any]]] = {}

    def add_case(self, definition: dict[str, Any]) -> Case:
        guid = str(definition["guid"]).lower()
        existing = self.cases.get(guid)
        case = Case(
            guid=guid,
            case_id=int(definition.get("caseId", len(self.cases) + 1)),
            partner=str(definition["partner"]),
            provider=str(definition["provider"]),
            messages=existing.messages if existing else [],
        )
        self.cases[guid] = case
        return case

    def add_message(self, case: Case, message: dict[str, Any]) -> None:
        case.messages.append(message)
        self.messages[message["id"]] = (case, message)

    def clear(self) -> None:
        self.cases.clear()
        self.messages.clear()

    def export(self) -> list[dict[str, Any]]:
        return [{**case.to_fixture(), "messages": copy.deepcopy(case.messages)} for case in self.cases.values()]

    def load(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            case = self.add_case(entry)
            for message in entry.get("messages", []):
                if message["id"] not in self.messages:
                    self.add_message(case, dict(message))

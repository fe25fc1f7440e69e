"""Cases: a case belongs to one partner and one provider account.

Messages are stored objects like any other: in the `/api/v3/case-messages` collection
of the case's partner account (both accounts of the case read them from there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MESSAGES = "/api/v3/case-messages"


@dataclass
class Case:
    """A repair case both of its accounts may write to and read from."""

    guid: str
    case_id: int
    partner: str  # account names
    provider: str

    def role_of(self, account: str) -> str | None:
        if account == self.partner:
            return "partner"
        if account == self.provider:
            return "provider"
        return None

    def to_fixture(self) -> dict[str, Any]:
        return {"guid": self.guid, "caseId": self.case_id, "partner": self.partner, "provider": self.provider}


class CaseBook:
    """Every case by guid."""

    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}

    def add_case(self, definition: dict[str, Any]) -> Case:
        guid = str(definition["guid"]).lower()
        case = Case(
            guid=guid,
            case_id=int(definition.get("caseId", len(self.cases) + 1)),
            partner=str(definition["partner"]),
            provider=str(definition["provider"]),
        )
        self.cases[guid] = case
        return case

    def partners(self) -> list[str]:
        """The accounts whose collections hold messages."""
        return list(dict.fromkeys(case.partner for case in self.cases.values()))

    def export(self) -> list[dict[str, Any]]:
        return [case.to_fixture() for case in self.cases.values()]

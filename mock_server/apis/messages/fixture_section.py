"""Case messages' part of a fixture document: accounts with their role, and the cases."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ...engine.state.fixture_models import AccountEntry, ApiSection, Credential, Name


class MessagesAccount(AccountEntry):
    token: Credential
    accountId: int | None = None
    role: Literal["partner", "provider"] | None = None


class CaseEntry(BaseModel):
    """A case, its two accounts by name."""

    model_config = ConfigDict(extra="forbid")

    guid: UUID
    caseId: int
    partner: Name
    provider: Name


class MessagesSection(ApiSection):
    accounts: list[MessagesAccount] = Field(default_factory=list)  # type: ignore[assignment]
    cases: list[CaseEntry] = Field(default_factory=list)

    def references(self, known_accounts: set[str]) -> list[str]:
        problems = []
        for index, case in enumerate(self.cases):
            for role in ("partner", "provider"):
                name = getattr(case, role)
                if name not in known_accounts:
                    problems.append(f"cases[{index}].{role}: unknown account {name!r}")
        return problems

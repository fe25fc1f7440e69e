"""casavi's part of a fixture document."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ...engine.state.fixture_models import AccountEntry, ApiSection, Credential


class CasaviAccount(AccountEntry):
    key: Credential
    secret: Credential
    tenantId: int | None = None


class TokenEntry(BaseModel):
    token: Credential
    account: str
    key: str | None = None  # the API key it was issued for (without it, any key of the account)
    expiresAt: str


class CasaviSection(ApiSection):
    accounts: list[CasaviAccount] = Field(default_factory=list)  # type: ignore[assignment]
    tokens: list[TokenEntry] = Field(default_factory=list)
    deactivatedKeys: list[str] = Field(default_factory=list)  # API keys that get no tokens

    def references(self, known_accounts: set[str]) -> list[str]:
        return [
            f"tokens[{index}].account: unknown account {entry.account!r}"
            for index, entry in enumerate(self.tokens)
            if entry.account not in known_accounts
        ]

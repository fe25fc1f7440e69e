"""Relay's part of a fixture document."""

from __future__ import annotations

from pydantic import Field

from ...engine.state.fixture_models import AccountEntry, ApiSection, Credential


class RelayAccount(AccountEntry):
    apiKey: Credential
    accountId: int | None = None


class RelaySection(ApiSection):
    accounts: list[RelayAccount] = Field(default_factory=list)  # type: ignore[assignment]

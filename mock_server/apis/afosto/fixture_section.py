"""Afosto's part of a fixture document."""

from __future__ import annotations

from pydantic import Field

from ...engine.state.fixture_models import AccountEntry, ApiSection, Credential


class AfostoAccount(AccountEntry):
    token: Credential


class AfostoSection(ApiSection):
    accounts: list[AfostoAccount] = Field(default_factory=list)  # type: ignore[assignment]

"""casavi access tokens: issued for a key and secret, refreshed, expiring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ...engine.clock import Clock, format_instant, parse_instant


@dataclass
class IssuedToken:
    account: str
    expires: datetime


class TokenBook:
    """Every token issued, until it expires, is refreshed away or its key is deactivated."""

    def __init__(self, ttl_seconds: int) -> None:
        self.ttl = timedelta(seconds=ttl_seconds)
        self.tokens: dict[str, IssuedToken] = {}

    def issue(self, account: str, token: str, clock: Clock) -> tuple[str, str]:
        """Record a new token; returns (token, expiresAt)."""
        expires = clock.now() + self.ttl
        self.tokens[token] = IssuedToken(account, expires)
        return token, format_instant(expires)

    def account_of(self, token: str | None, clock: Clock) -> str | None:
        issued = self.tokens.get(token or "")
        if issued is None:
            return None
        if issued.expires <= clock.now():
            del self.tokens[token or ""]
            return None
        return issued.account

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)

    def export(self) -> list[dict[str, Any]]:
        return [
            {"token": token, "account": issued.account, "expiresAt": format_instant(issued.expires)}
            for token, issued in self.tokens.items()
        ]

    def load(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.tokens[entry["token"]] = IssuedToken(entry["account"], parse_instant(entry["expiresAt"]))

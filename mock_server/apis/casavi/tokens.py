"""casavi access tokens: issued for a key and secret, refreshed, expiring, ended with their key.

A token is bound to the account and the key it was issued for: it stops working when it
expires, when it is refreshed away, when its key is deactivated, and when the account no
longer has that key. Tokens are random unless the server runs reproducibly (a frozen
clock): then they are derived from the seed, the account and a counter, so one account's
token is never another account's, not even after a reset.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from ...engine.clock import Clock, format_instant, parse_instant
from ...engine.state.accounts import Account


@dataclass
class IssuedToken:
    account: str
    key: str | None  # None for tokens a fixture lists without their key
    expires: datetime


def random_token() -> str:
    """A UUID-shaped token nobody can derive from the seed."""
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


class TokenBook:
    """Every token issued, until it expires, is refreshed away or its key is deactivated."""

    def __init__(self, ttl_seconds: int) -> None:
        self.ttl = timedelta(seconds=ttl_seconds)
        self.tokens: dict[str, IssuedToken] = {}
        self.deactivated: set[str] = set()  # keys that get no tokens and whose tokens ended

    def issue(self, account: str, key: str, clock: Clock, make_token: Callable[[], str]) -> tuple[str, str]:
        """Record a new token for ``account``'s ``key``; returns (token, expiresAt)."""
        token = make_token()
        while token in self.tokens:  # never hand out a token that is in use
            token = random_token()
        expires = clock.now() + self.ttl
        self.tokens[token] = IssuedToken(account, key, expires)
        return token, format_instant(expires)

    def holder(self, token: str | None, clock: Clock) -> IssuedToken | None:
        """The live token's record (expired ones are forgotten here)."""
        issued = self.tokens.get(token or "")
        if issued is None:
            return None
        if issued.expires <= clock.now():
            del self.tokens[token or ""]
            return None
        return issued

    def account_of(self, token: str | None, accounts: dict[str, Account], clock: Clock) -> Account | None:
        """The account a live token was issued to, while that account still has the token's key."""
        issued = self.holder(token, clock)
        if issued is None:
            return None
        account = accounts.get(issued.account)
        if account is None:
            return None
        if issued.key is not None and (account.credentials.get("key") != issued.key or issued.key in self.deactivated):
            return None
        return account

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)

    def deactivate(self, key: str) -> int:
        """The key gets no more tokens; the ones it has end now. Returns how many ended."""
        self.deactivated.add(key)
        ended = [token for token, issued in self.tokens.items() if issued.key == key]
        for token in ended:
            del self.tokens[token]
        return len(ended)

    def activate(self, key: str) -> None:
        self.deactivated.discard(key)

    def export(self) -> list[dict[str, Any]]:
        return [
            {"token": token, "account": issued.account, "key": issued.key, "expiresAt": format_instant(issued.expires)}
            for token, issued in self.tokens.items()
        ]

    def load(self, entries: list[dict[str, Any]], deactivated: list[str]) -> None:
        for entry in entries:
            self.tokens[entry["token"]] = IssuedToken(entry["account"], entry.get("key"), parse_instant(entry["expiresAt"]))
        self.deactivated.update(deactivated)

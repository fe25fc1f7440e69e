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
from ...engine.errors import ApiError
from ...engine.state.accounts import Account
from ...engine.vendor import Call, Reply


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


# --- the operations that issue tokens -------------------------------------------------------


def _tokens(call: Call) -> TokenBook:
    return call.state.tokens


def get_access_token(call: Call) -> Reply:
    """A known key and secret get a token for their account, unless the key was deactivated."""
    key, secret = call.body.get("key"), call.body.get("secret")
    account = next(
        (
            account
            for account in call.runtime.accounts.values()
            if account.credentials.get("key") == key and account.credentials.get("secret") == secret
        ),
        None,
    )
    if account is None or not key:
        raise ApiError(401, "unknown key or secret")
    if key in _tokens(call).deactivated:
        raise ApiError(401, "this key is deactivated")
    return _issue(call, account.name, str(key))


def refresh_access_token(call: Call) -> Reply:
    """A valid token of the key's account is exchanged for a new one; the old one ends."""
    tokens = _tokens(call)
    old = call.body.get("token")
    account = tokens.account_of(old, call.runtime.accounts, call.runtime.clock)
    key = call.body.get("apiKey")
    if account is None or account.credentials.get("key") != key:
        raise ApiError(401, "unknown key or invalid token")
    tokens.revoke(old)
    return _issue(call, account.name, str(key))


def _issue(call: Call, account: str, key: str) -> Reply:
    token, expires_at = _tokens(call).issue(account, key, call.runtime.clock, _token_maker(call, account))
    return Reply(200, {"token": token, "expiresAt": expires_at})


def _token_maker(call: Call, account: str) -> Callable[[], str]:
    """Random tokens; derived from the seed and the account when the server runs reproducibly."""
    if not call.vendor.settings.deterministic_tokens:
        return random_token
    runtime = call.runtime
    return lambda: runtime.fake.uuid(f"casavi/token/{account}/{runtime.store.next_number(f'tokens/{account}')}")

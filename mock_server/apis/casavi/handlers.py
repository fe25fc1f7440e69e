"""casavi operations whose documented behaviour goes beyond storing the body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.errors import ApiError
from ...engine.vendor import Call, Reply

if TYPE_CHECKING:
    from .api import CasaviApi


def register(api: "CasaviApi") -> None:
    @api.handler("getAccessToken")
    def get_access_token(call: Call) -> Reply:
        """A known key and secret get a token for their account."""
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
        return _issue(call, account.name)

    @api.handler("refreshAccessToken")
    def refresh_access_token(call: Call) -> Reply:
        """A valid token of the key's account is exchanged for a new one; the old one ends."""
        old = call.body.get("token")
        holder = api.tokens.account_of(old, call.runtime.clock)
        account = call.runtime.accounts.get(holder or "")
        if account is None or account.credentials.get("key") != call.body.get("apiKey"):
            raise ApiError(401, "unknown key or invalid token")
        api.tokens.revoke(old)
        return _issue(call, account.name)

    def _issue(call: Call, account: str) -> Reply:
        number = call.runtime.store.next_number("tokens")
        token = call.runtime.fake.uuid(f"casavi/token/{number}")
        token, expires_at = api.tokens.issue(account, token, call.runtime.clock)
        return Reply(200, {"token": token, "expiresAt": expires_at})

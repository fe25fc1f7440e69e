"""Relay: bearer API keys, integer identifiers, orders with their parts."""

from __future__ import annotations

from ...engine.auth import account_with, bearer_token, require_account
from ...engine.vendor import Account, VendorApi
from .errors import RelayErrorShape
from .handlers import register


class RelayApi(VendorApi):
    name = "relay"
    credential_fields = ("apiKey",)

    def __init__(self) -> None:
        super().__init__()
        self.error_shape = RelayErrorShape()
        register(self)

    def authenticate(self, runtime, operation, incoming) -> Account:
        key = bearer_token(incoming.headers)
        if operation.secured:
            return require_account(runtime, "apiKey", key, "API key")
        # Operations documented without authorization answer for the key's account, or the first one.
        return account_with(runtime, "apiKey", key) or next(iter(runtime.accounts.values()))

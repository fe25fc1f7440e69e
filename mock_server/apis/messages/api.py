"""Case messages: access tokens in the query decide partner or provider."""

from __future__ import annotations

from typing import Any

from ...engine.auth import require_account
from ...engine.fake import stable_int
from ...engine.vendor import Account, VendorApi
from .cases import CaseBook
from .errors import MessagesErrorShape
from .handlers import register


class MessagesApi(VendorApi):
    name = "messages"
    credential_fields = ("token",)

    def __init__(self) -> None:
        super().__init__()
        self.error_shape = MessagesErrorShape()
        self.cases = CaseBook()
        register(self)

    def account_from_fixture(self, definition: dict[str, Any]) -> Account:
        account = super().account_from_fixture(definition)
        # Messages name their sender by account id; an account defined without one gets a stable one.
        account.attributes.setdefault("accountId", 1000 + stable_int(account.name) % 9000)
        return account

    def authenticate(self, runtime, operation, incoming) -> Account:
        token = next((value for key, value in incoming.query if key == "accessToken"), None)
        return require_account(runtime, "token", token, "accessToken")

    def reset(self) -> None:
        self.cases.clear()

    def export_state(self) -> dict[str, Any]:
        return {"cases": self.cases.export()}

    def import_state(self, runtime, state: dict[str, Any]) -> None:
        self.cases.load(state.get("cases", []))
        highest = max(self.cases.messages, default=0)
        runtime.store.bump_counter("messages", highest)

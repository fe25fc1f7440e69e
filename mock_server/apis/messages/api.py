"""Case messages: access tokens in the query decide partner or provider."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...engine.behaviour.auth import require_account
from ...engine.contract.operations import OperationSpec
from ...engine.http.requests import IncomingRequest
from ...engine.runtime import ApiRuntime, DataModel
from ...engine.state.accounts import Account
from ...engine.values.fake import stable_int
from ...engine.vendor import VendorApi
from .cases import MESSAGES, CaseBook
from .errors import MessagesErrorShape
from .handlers import HANDLERS

if TYPE_CHECKING:
    from ...engine.state.fixture_models import ApiSection


class MessagesApi(VendorApi):
    name = "messages"
    credential_fields = ("token",)
    secret_names = frozenset({"accessToken"})  # masked in the request journal

    def __init__(self, settings: object = None) -> None:
        super().__init__(settings)
        self.error_shape = MessagesErrorShape()
        self.handlers.update(HANDLERS)

    def section_model(self) -> type[ApiSection]:
        from .fixture_section import MessagesSection  # built when a fixture is first checked (see VendorApi)

        return MessagesSection

    def data_model(self) -> DataModel:
        return DataModel(indexes=((MESSAGES, "guid"),), new_state=CaseBook, no_demo=frozenset({MESSAGES}))

    def account_from_fixture(self, definition: dict[str, Any]) -> Account:
        account = super().account_from_fixture(definition)
        # Messages name their sender by account id; an account defined without one gets a stable one.
        account.attributes.setdefault("accountId", 1000 + stable_int(account.name) % 9000)
        return account

    def authenticate(self, runtime: ApiRuntime, operation: OperationSpec, incoming: IncomingRequest) -> Account:
        token = next((value for key, value in incoming.query if key == "accessToken"), None)
        return require_account(runtime, "token", token, "accessToken")

    def export_state(self, runtime: ApiRuntime) -> dict[str, Any]:
        cases: CaseBook = runtime.state.vendor
        return {"cases": cases.export()}

    def import_state(self, runtime: ApiRuntime, state: dict[str, Any]) -> None:
        cases: CaseBook = runtime.state.vendor
        for entry in state.get("cases", []):
            cases.add_case(entry)

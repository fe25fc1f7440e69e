"""Relay: bearer API keys, integer identifiers, orders with their parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.behaviour.auth import bearer_token, require_account
from ...engine.behaviour.reference_checks import check_references
from ...engine.contract.operations import OperationSpec
from ...engine.contract.references import BodyReference
from ...engine.errors import ApiError, Problem
from ...engine.http.requests import IncomingRequest
from ...engine.runtime import ApiRuntime, DataModel
from ...engine.state.accounts import Account
from ...engine.vendor import VendorApi
from .errors import RelayErrorShape
from .handlers import HANDLERS
from .orders import MAX_FILES
from .parts import PART_LISTS, OrderParts

if TYPE_CHECKING:
    from ...engine.state.fixture_models import ApiSection

CUSTOMERS = "/customers"
# Body fields naming a customer of the account (400 naming the field otherwise).
REFERENCES = (
    BodyReference("POST", "/orders", "order.customerId", CUSTOMERS),
    BodyReference("POST", "/properties", "properties[].customerId", CUSTOMERS),
)


class RelayApi(VendorApi):
    name = "relay"
    credential_fields = ("apiKey",)

    def __init__(self, settings: object = None) -> None:
        super().__init__(settings)
        self.error_shape = RelayErrorShape()
        self.handlers.update(HANDLERS)

    def section_model(self) -> type[ApiSection]:
        from .fixture_section import RelaySection  # built when a fixture is first checked (see VendorApi)

        return RelaySection

    def data_model(self) -> DataModel:
        return DataModel(references=REFERENCES)

    def attach(self, runtime: ApiRuntime) -> None:
        runtime.feed.subscribe(OrderParts(runtime), collections=PART_LISTS)
        check_references(runtime, self.handlers, REFERENCES)

    def before_validation(self, operation: OperationSpec, incoming: IncomingRequest) -> None:
        """More file parts than documented is a request too large (413), before any other check."""
        files = [name for name, _ in incoming.form or [] if name == "files"]
        if len(files) > MAX_FILES and 413 in operation.error_statuses:
            raise ApiError(413, problems=[Problem("form", ("files",), "max_items", MAX_FILES, len(files))])

    def authenticate(self, runtime: ApiRuntime, operation: OperationSpec, incoming: IncomingRequest) -> Account:
        key = bearer_token(incoming.headers)
        if operation.secured:
            return require_account(runtime, "apiKey", key, "API key")
        # Operations documented without authorization answer for the key's account, or the
        # first one when no key is sent; a key that is sent must be right.
        if "authorization" in incoming.headers:
            return require_account(runtime, "apiKey", key, "API key")
        first = next(iter(runtime.accounts.values()), None)
        if first is None:
            raise ApiError(401, "no account is defined; add one with a fixture")
        return first

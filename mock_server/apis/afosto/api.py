"""Afosto: bearer tokens, header paging, UUID identifiers, tasks behind `x-task-id`, and
the processes the document describes (batches, datasets, instant search, webhooks, the
references between resources)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...engine.behaviour.auth import bearer_token, require_account
from ...engine.behaviour.reference_checks import check_references
from ...engine.contract.operations import OperationSpec
from ...engine.errors import ApiError
from ...engine.http.requests import IncomingRequest
from ...engine.runtime import ApiRuntime, DataModel
from ...engine.state.accounts import Account
from ...engine.vendor import Call, Paging, VendorApi
from . import batches, contacts, instant_search, webhooks
from .errors import AfostoErrorShape
from .handlers import HANDLERS
from .reference_table import MADE, PART_REFERENCES, PATH_REFERENCES, REFERENCES
from .tasks import OPERATION, OperationTask, start_task

if TYPE_CHECKING:
    from ...engine.state.fixture_models import ApiSection

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
# Collections that get no generated demo objects: their flags and links only mean
# something when the sandbox's own processes set them (and subscriptions would send
# webhooks to made-up addresses).
# Collections the module fills itself (the engine would otherwise make demo objects in the
# nested ones no operation fills).
NO_DEMO = frozenset({
    batches.BATCHES, batches.DATASETS, batches.ERRORS, batches.LINES, webhooks.SUBSCRIPTIONS, webhooks.MESSAGES,
    webhooks.ATTEMPTS, instant_search.DOCUMENTS, instant_search.UPDATES,
})


class AfostoApi(VendorApi):
    name = "afosto"
    credential_fields = ("token",)

    def __init__(self, settings: object = None) -> None:
        super().__init__(settings)
        self.error_shape = AfostoErrorShape()
        self.handlers.update(HANDLERS)

    def section_model(self) -> type[ApiSection]:
        from .fixture_section import AfostoSection  # built when a fixture is first checked (see VendorApi)

        return AfostoSection

    def data_model(self) -> DataModel:
        return DataModel(
            indexes=((contacts.CONTACTS, "email"),),
            no_demo=NO_DEMO,
            references=(*REFERENCES, *PATH_REFERENCES, *PART_REFERENCES),
            made=MADE,
            prerequisites=batches.PREREQUISITES,
        )

    def attach(self, runtime: ApiRuntime) -> None:
        runtime.register_task_type(OperationTask())
        runtime.register_task_type(batches.BatchValidation(runtime))
        runtime.register_task_type(batches.BatchProcessing(runtime))
        runtime.register_task_type(instant_search.IndexUpdate(runtime))
        webhooks.ChangeEvents(runtime).attach()
        check_references(runtime, self.handlers, REFERENCES)

    def authenticate(self, runtime: ApiRuntime, operation: OperationSpec, incoming: IncomingRequest) -> Account:
        """A bearer token; proxy search is public: the proxy key in the path names the account."""
        if operation.operation_id in instant_search.PUBLIC_OPERATIONS:
            key = str(incoming.path_parameters.get("id", ""))
            found = instant_search.proxy_of(runtime, key)
            if found is None:
                raise ApiError(operation.error_status(404), f"proxy {key!r} not found")
            return runtime.accounts[found[0]]
        return require_account(runtime, "token", bearer_token(incoming.headers), "bearer token")

    def paging(self, call: Call) -> Paging:
        """`x-page` (from 1) and `x-page-size` (default 25) headers; the answer tells the page,
        its size and the total count where it documents them."""
        page = _positive(call.incoming.headers.get("x-page"), 1)
        size = min(_positive(call.incoming.headers.get("x-page-size"), DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
        documented = {name.lower() for name in call.operation.success.headers}

        def headers(total: int) -> dict[str, str]:
            values = {"x-page": str(page), "x-page-size": str(size), "x-count": str(total)}
            return {name: value for name, value in values.items() if name in documented}

        return Paging(offset=(page - 1) * size, limit=size, page=page, headers=headers)

    def header_value(self, call: Call, name: str, key: str) -> str | None:
        if name == "x-task-id":
            return start_task(call, OPERATION, {"operation": call.operation.operation_id, "object": key}, call.operation.summary).id
        if name == "x-count":
            return "1"  # an answer about one object
        return None


def _positive(text: str | None, default: int) -> int:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return default
    return value if value >= 1 else default

"""Afosto: bearer tokens, header paging, UUID identifiers, tasks behind `x-task-id`."""

from __future__ import annotations

from ...engine.accounts import Account
from ...engine.auth import bearer_token, require_account
from ...engine.operations import OperationSpec
from ...engine.runtime import ApiRuntime
from ...engine.validation import IncomingRequest
from ..settings import VendorSettings
from .apps import HANDLERS as APP_HANDLERS
from .documents import AfostoSection
from ...engine.vendor import Call, Paging, VendorApi
from .errors import AfostoErrorShape
from .tasks import OPERATION, OperationTask, get_task, start_task

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000


class AfostoApi(VendorApi):
    name = "afosto"
    section_model = AfostoSection
    credential_fields = ("token",)

    def __init__(self, settings: VendorSettings) -> None:
        super().__init__(settings)
        self.error_shape = AfostoErrorShape()
        self.handlers["getTask"] = get_task
        self.handlers.update(APP_HANDLERS)

    def attach(self, runtime: ApiRuntime) -> None:
        runtime.register_task_type(OperationTask())

    def authenticate(self, runtime: ApiRuntime, operation: OperationSpec, incoming: IncomingRequest) -> Account:
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

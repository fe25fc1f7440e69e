"""casavi: token authentication, reference ids chosen by the client, page-numbered lists."""

from __future__ import annotations

from typing import Any

from ...engine import jsonio
from ...engine.errors import ApiError
from ...engine.vendor import Account, Call, Paging, VendorApi
from .errors import CasaviErrorShape
from .handlers import register
from .jobs import JobQueue
from .tokens import TokenBook

PAGE_SIZE = 25
# Lists whose page numbers start at 0 (the document says "zero based").
ZERO_BASED_PAGES = {"/properties/{propertyId}/units"}
# Reference id prefixes of demo objects, in the style of the document's samples.
DEMO_PREFIXES = {
    "/properties": "P-", "/contacts": "C-", "/tickets": "T-", "/staff": "M-",
    "/consumptions/resources": "R-", "/consumptions/meters": "Z-",
}
FILES_LIMIT = 10 * 1024 * 1024


class CasaviApi(VendorApi):
    name = "casavi"
    credential_fields = ("key", "secret")
    client_supplies_ids = True

    def __init__(self, token_ttl: int = 3600, job_delay: float = 0.01) -> None:
        super().__init__()
        self.error_shape = CasaviErrorShape()
        self.tokens = TokenBook(token_ttl)
        self.jobs = JobQueue(job_delay)
        register(self)

    def attach(self, runtime) -> None:
        self.jobs.now = runtime.now
        self.jobs.on_change = runtime.answers.invalidate

    def authenticate(self, runtime, operation, incoming) -> Account:
        if not operation.secured:
            return Account(name="")
        token = incoming.headers.get("token")
        if not token:
            raise ApiError(401, "missing token header; get one from POST /authenticate")
        account = self.tokens.account_of(token, runtime.clock)
        if account is None or account not in runtime.accounts:
            raise ApiError(401, "invalid or expired token")
        return runtime.accounts[account]

    def before_validation(self, operation, incoming) -> None:
        """The deprecated `{apiKey, email, password}` login maps to `{key, secret}`."""
        if operation.operation_id != "getAccessToken" or not incoming.body:
            return
        try:
            body = jsonio.loads(incoming.body)
        except ValueError:
            return
        if isinstance(body, dict) and "key" not in body and "apiKey" in body and "password" in body:
            incoming.body = jsonio.dumps({"key": body["apiKey"], "secret": body["password"]})

    def body_limit(self, operation, multipart: bool) -> int:
        return FILES_LIMIT if operation.operation_id == "fileUpload" else super().body_limit(operation, multipart)

    def paging(self, call: Call) -> Paging:
        first = 0 if call.operation.path in ZERO_BASED_PAGES else 1
        page = call.request.parameters.get("page")
        page = page if isinstance(page, int) and page >= first else first
        return Paging(offset=(page - first) * PAGE_SIZE, limit=PAGE_SIZE, page=page)

    def demo_identifier(self, template: str, index: int) -> str | None:
        prefix = DEMO_PREFIXES.get(template)
        return f"{prefix}{index + 1:05d}" if prefix else None

    def prepare_new(self, call: Call, template: str, record: dict[str, Any]) -> None:
        from .rules import on_create

        on_create(call, template, record)

    def prepare_change(self, call: Call, template: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        from .rules import on_change

        on_change(call, template, before, after)

    def reset(self) -> None:
        self.tokens.tokens.clear()
        self.jobs.clear()

    def run_pending(self) -> int:
        return self.jobs.run_all()

    def export_state(self) -> dict[str, Any]:
        return {"tokens": self.tokens.export(), "jobs": self.jobs.export()}

    def import_state(self, runtime, state: dict[str, Any]) -> None:
        self.tokens.load(state.get("tokens", []))
        self.jobs.load(state.get("jobs", []))

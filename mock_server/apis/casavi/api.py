"""casavi: token authentication, reference ids chosen by the client, page-numbered lists,
REST hooks fired from the changes that cause them, admin calls for what happens in the app."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from starlette.routing import BaseRoute

from ...engine import jsonio
from ...engine.behaviour.reference_checks import check_references
from ...engine.clock import parse_instant
from ...engine.contract.operations import OperationSpec
from ...engine.errors import ApiError
from ...engine.http.requests import IncomingRequest
from ...engine.runtime import ApiRuntime, DataModel
from ...engine.state.accounts import Account
from ...engine.state.changes import FROM_DEMO, FROM_FIXTURE, SERVER_ORIGINS
from ...engine.vendor import Call, Paging, VendorApi
from .admin import admin_routes
from .attachments import ATTACHMENT_REFERENCES, AttachmentDetails, CommentAttachmentsOnTicket
from .collection_paths import CONTACTS, METERS, PROPERTIES, RESOURCES, STAFF, TICKETS, UNITS, UNITS_OF_PROPERTY
from .comments import AUTHOR_REFERENCES
from .consumptions import REFERENCES as CONSUMPTION_REFERENCES
from .consumptions import MeasurementsGoWithTheirMeter
from .errors import CasaviErrorShape
from .events import HookEvents
from .handlers import CLASHING, HANDLERS
from .hooks import allow_http_hook_urls, refuse_unusable_hook_url
from .jobs import DocumentJob, ImportJob
from .derived_fields import DerivedFields, UnitsView
from .settings import CasaviSettings
from .state import CasaviState
from .tokens import TokenBook

if TYPE_CHECKING:
    from ...engine.state.fixture_models import ApiSection

PAGE_SIZE = 25
# Lists whose page numbers start at 0 (the document says "zero based").
ZERO_BASED_PAGES = {UNITS_OF_PROPERTY}
# Reference id prefixes of demo objects, in the style of the document's samples.
DEMO_PREFIXES = {
    PROPERTIES: "P-", CONTACTS: "C-", TICKETS: "T-", STAFF: "M-",
    RESOURCES: "R-", METERS: "Z-",
}
FILES_LIMIT = 10 * 1024 * 1024


def is_date_or_instant(text: str) -> bool:
    """`2020-09-01`, or a date with a time (`2020-09-01T00:00:00.000Z`)."""
    try:
        if len(text) == 10:
            date.fromisoformat(text)
        else:
            parse_instant(text)
    except ValueError:
        return False
    return True


def demo_identifier(template: str, index: int) -> str | None:
    prefix = DEMO_PREFIXES.get(template)
    return f"{prefix}{index + 1:05d}" if prefix else None


class CasaviApi(VendorApi):
    name = "casavi"
    credential_fields = ("key", "secret")
    secret_names = frozenset({"secret", "password", "token"})  # masked in the request journal

    def __init__(self, settings: CasaviSettings) -> None:
        super().__init__(settings)
        self.error_shape = CasaviErrorShape()
        self.handlers.update(HANDLERS)
        self.clashing |= CLASHING

    def section_model(self) -> type[ApiSection]:
        from .fixture_section import CasaviSection  # built when a fixture is first checked (see VendorApi)

        return CasaviSection

    def data_model(self) -> DataModel:
        return DataModel(
            client_supplies_ids=True,
            demo_identifier=demo_identifier,
            indexes=((CONTACTS, "email"),),
            new_state=lambda: CasaviState(TokenBook(self.settings.token_ttl)),
            # Units come only from imports: none are made up, under demo properties or on demand.
            no_demo=frozenset({UNITS_OF_PROPERTY, UNITS}),
            references=(*ATTACHMENT_REFERENCES, *AUTHOR_REFERENCES, *CONSUMPTION_REFERENCES),
        )

    def adjust_contract(self, document: dict[str, Any]) -> None:
        if self.settings.allow_http_hooks:
            allow_http_hook_urls(document)

    def formats(self) -> dict[str, Callable[[str], bool]]:
        """Dates may carry a time, as the document's own samples write them (`2020-09-01T00:00:00.000Z`)."""
        return {"date": is_date_or_instant}

    def attach(self, runtime: ApiRuntime) -> None:
        # Demo and fixture objects get the fields casavi manages as if casavi had made them
        # (ticket numbers in sequence); a fixture's own values win.
        runtime.feed.prepare(DerivedFields(runtime), origins=SERVER_ORIGINS | {FROM_DEMO, FROM_FIXTURE})
        runtime.feed.prepare(AttachmentDetails(runtime), collections=AttachmentDetails.collections)
        runtime.feed.subscribe(UnitsView(runtime), collections=UNITS_OF_PROPERTY)
        readings = MeasurementsGoWithTheirMeter(runtime)
        runtime.feed.subscribe(readings, collections=readings.collections, kinds=readings.kinds, origins=readings.origins)
        attachments = CommentAttachmentsOnTicket(runtime)
        runtime.feed.subscribe(attachments, collections=attachments.collections, kinds=attachments.kinds, origins=attachments.origins)
        events = HookEvents(runtime, envelope=self.settings.webhook_envelope)
        runtime.feed.subscribe(events, collections=events.collections, origins=events.origins)
        runtime.register_task_type(ImportJob(runtime))
        runtime.register_task_type(DocumentJob(runtime))
        check_references(runtime, self.handlers, CONSUMPTION_REFERENCES)

    def admin_routes(self, runtime: ApiRuntime) -> list[BaseRoute]:
        return admin_routes(runtime)

    def authenticate(self, runtime: ApiRuntime, operation: OperationSpec, incoming: IncomingRequest) -> Account:
        if not operation.secured:
            return Account(name="")
        token = incoming.headers.get("token")
        if not token:
            raise ApiError(401, "missing token header; get one from POST /authenticate")
        state: CasaviState = runtime.state.vendor
        account = state.tokens.account_of(token, runtime.accounts, runtime.clock)
        if account is None:
            raise ApiError(401, "invalid or expired token")
        return account

    def before_validation(self, operation: OperationSpec, incoming: IncomingRequest) -> None:
        """The deprecated `{apiKey, email, password}` login maps to `{key, secret}`; a hook
        URL that cannot receive hooks is refused with the module's explanation."""
        if operation.operation_id == "createANewWebhookSubscription" and incoming.body:
            refuse_unusable_hook_url(incoming, self.settings.allow_http_hooks)
        if operation.operation_id != "getAccessToken" or not incoming.body:
            return
        try:
            body = jsonio.loads(incoming.body)
        except ValueError:
            return
        if isinstance(body, dict) and "key" not in body and "apiKey" in body and "password" in body:
            incoming.body = jsonio.dumps({"key": body["apiKey"], "secret": body["password"]})

    def body_limit(self, operation: OperationSpec, multipart: bool) -> int:
        return FILES_LIMIT if operation.operation_id == "fileUpload" else super().body_limit(operation, multipart)

    def paging(self, call: Call) -> Paging:
        first = 0 if call.operation.path in ZERO_BASED_PAGES else 1
        page = call.request.parameters.get("page")
        page = page if isinstance(page, int) and page >= first else first
        return Paging(offset=(page - first) * PAGE_SIZE, limit=PAGE_SIZE, page=page)

    def export_state(self, runtime: ApiRuntime) -> dict[str, Any]:
        state: CasaviState = runtime.state.vendor
        return {"tokens": state.tokens.export(), "deactivatedKeys": sorted(state.tokens.deactivated)}

    def import_state(self, runtime: ApiRuntime, state: dict[str, Any]) -> None:
        own: CasaviState = runtime.state.vendor
        own.tokens.load(state.get("tokens", []), state.get("deactivatedKeys", []))

"""What an API module plugs into the engine.

The engine answers every operation generically from its contract; an API module
(`mock_server/apis/<name>/`) supplies what the vendor's documents state: how callers
authenticate, how errors look, how lists are paged, how identifiers are made, handlers
for the operations whose behaviour goes beyond storing, and reactions to the changes the
store announces (derived fields, webhooks, background tasks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from starlette.routing import BaseRoute

from .contract.operations import OperationSpec
from .errors import ApiError, ErrorShape
from .http.requests import IncomingRequest, ValidRequest
from .runtime import ApiRuntime, DataModel
from .sizes import BODY_LIMIT, MULTIPART_BODY_LIMIT
from .state.accounts import Account
from .state.store import Collection

if TYPE_CHECKING:
    from .state.fixture_models import ApiSection


@dataclass
class Interception:
    """What an interceptor changed about a call, for the steps after the handler."""

    note: dict[str, Any]  # recorded with the call in the request journal
    # Replaces the send step, given the answer and the ASGI send (faults on the wire).
    send: Callable[[Any, Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]] | None = None


@dataclass(slots=True)
class Call:
    """One request being answered."""

    runtime: ApiRuntime
    vendor: "VendorApi"
    operation: OperationSpec
    incoming: IncomingRequest
    account: Account
    request: ValidRequest
    interception: Interception | None = None  # set by an interceptor that acted on the call
    own_collection: Collection | None = None  # the operation's collection, once looked up

    @property
    def body(self) -> Any:
        return self.request.body

    @property
    def state(self) -> Any:
        """The API module's own state (tokens, cases, ...)."""
        return self.runtime.state.vendor

    def parameter(self, name: str, default: Any = None) -> Any:
        return self.request.parameters.get(name, default)


@dataclass(slots=True)
class Reply:
    """An answer: status, JSON-able body (or bytes) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


@dataclass
class Paging:
    """Which slice of a list to answer, and the paging headers the answer carries."""

    offset: int
    limit: int
    page: int  # as the API counts it
    headers: Callable[[int], dict[str, str]] = lambda total: {}  # response headers, given the total

    @classmethod
    def everything(cls) -> "Paging":
        return cls(offset=0, limit=10**9, page=1)


Handler = Callable[[Call], Reply]


class VendorApi:
    """Defaults for an API module; subclasses override what their vendor documents."""

    name: str = ""
    error_shape: ErrorShape
    # The fixture fields that are credentials; the others are the account's attributes.
    credential_fields: tuple[str, ...] = ()
    # Names of headers, query parameters and body fields that carry credentials: the
    # request journal masks their values (`Authorization` is masked for every API).
    secret_names: frozenset[str] = frozenset()

    def __init__(self, settings: Any = None) -> None:
        self.settings = settings  # the server's settings the module reads
        self.handlers: dict[str, Handler] = {}
        # Handled operations whose answer to an identifier that exists already is a 409
        # (the contract documents it); the generic creations' clashes are derived.
        self.clashing: set[str] = set()

    def data_model(self) -> DataModel:
        """What the engine needs to know about the API's data."""
        return DataModel()

    def section_model(self) -> type[ApiSection]:
        """What the API's part of a fixture document may hold. Modules import their model
        here, when a fixture is first checked: building fixture models is most of what
        checking one costs, and a start that adopts its kept state checks none."""
        from .state.fixture_models import ApiSection

        return ApiSection

    def adjust_contract(self, document: dict[str, Any]) -> None:
        """Widen the contract (in place) where the server's settings let the API accept
        more than its vendor does by default; the served contract then says so.

        Reads nothing but the document and `self.settings`: compiled contracts are kept
        between runs under a digest of those (`engine/contract/compiled.py`)."""

    def formats(self) -> dict[str, Callable[[str], bool]]:
        """Format checks that replace the standard ones where the vendor accepts more."""
        return {}

    def attach(self, runtime: ApiRuntime) -> None:
        """Called once when the runtime serving this module is built: subscribe to its
        changes, register task types."""

    # --- accounts and authentication ------------------------------------------------

    def account_from_fixture(self, definition: dict[str, Any]) -> Account:
        """An account from its fixture entry (`{name, <credential>: ..., <attribute>: ...}`)."""
        definition = dict(definition)
        name = str(definition.pop("name"))
        credentials = {key: definition.pop(key) for key in self.credential_fields if key in definition}
        return Account(name=name, credentials=credentials, attributes=definition)

    def authenticate(self, runtime: ApiRuntime, operation: OperationSpec, incoming: IncomingRequest) -> Account:
        """The calling account, or ApiError(401)."""
        raise ApiError(401, "authentication is not configured")

    def before_validation(self, operation: OperationSpec, incoming: IncomingRequest) -> None:
        """Rewrite a request the vendor documents as equivalent to a current form (deprecated
        fields), or refuse it (ApiError) where the module's reason says more than the contract's."""

    def body_limit(self, operation: OperationSpec, multipart: bool) -> int:
        """Largest accepted request body in bytes."""
        return MULTIPART_BODY_LIMIT if multipart else BODY_LIMIT

    # --- answers ----------------------------------------------------------------------

    def paging(self, call: Call) -> Paging:
        """The slice of a list the request asks for (default: everything)."""
        return Paging.everything()

    def header_value(self, call: Call, name: str, key: str) -> str | None:
        """The value of a documented response header the engine cannot derive itself."""
        return None

    # --- admin calls ------------------------------------------------------------------

    def admin_routes(self, runtime: ApiRuntime) -> list[BaseRoute]:
        """Admin calls of this API (things that happen in the vendor's own app), mounted
        at `/__admin/<api>/...`. Their writes use origin FROM_ADMIN."""
        return []

    # --- state the module keeps beside the store ------------------------------------

    def export_state(self, runtime: ApiRuntime) -> dict[str, Any]:
        """Module state for the state export (kept beside the accounts' data)."""
        return {}

    def import_state(self, runtime: ApiRuntime, state: dict[str, Any]) -> None:
        """Load what `export_state` gave."""


@dataclass
class ServedApi:
    """A served API: the engine's runtime of its contract and the module of its vendor."""

    name: str
    runtime: ApiRuntime
    vendor: VendorApi

"""What an API module plugs into the engine.

The engine answers every operation generically from its contract; an API module
(`mock_server/apis/<name>/`) supplies what the vendor's documents state: how callers
authenticate, how errors look, how lists are paged, how identifiers are made, and
handlers for the operations whose behaviour goes beyond storing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from .errors import ApiError, ErrorShape

if TYPE_CHECKING:
    from .runtime import ApiRuntime
    from .operations import OperationSpec
    from .validation import IncomingRequest, ValidRequest


@dataclass
class Account:
    """A tenant of one API: its name, credentials and vendor attributes."""

    name: str
    credentials: dict[str, Any] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_fixture(self) -> dict[str, Any]:
        return {"name": self.name, **self.credentials, **self.attributes}


@dataclass
class Call:
    """One request being answered."""

    runtime: "ApiRuntime"
    operation: "OperationSpec"
    incoming: "IncomingRequest"
    account: Account
    request: "ValidRequest"

    @property
    def body(self) -> Any:
        return self.request.body

    def parameter(self, name: str, default: Any = None) -> Any:
        return self.request.parameters.get(name, default)


@dataclass
class Reply:
    """An answer: status, JSON-able body (or bytes) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None


@dataclass
class Paging:
    """Which slice of a list to answer."""

    offset: int
    limit: int
    page: int  # as the API counts it
    headers: dict[str, str] = field(default_factory=dict)  # response headers to add

    @classmethod
    def everything(cls) -> "Paging":
        return cls(offset=0, limit=10**9, page=1)


Handler = Callable[[Call], Reply]
MIB = 1024 * 1024
BODY_LIMIT = 10 * MIB
MULTIPART_BODY_LIMIT = 100 * MIB


class VendorApi:
    """Defaults for an API module; subclasses override what their vendor documents."""

    name: str = ""
    error_shape: ErrorShape
    # Integer identifiers are counted by the server; others are UUIDs unless the client gives them.
    client_supplies_ids: bool = False

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def attach(self, runtime: "ApiRuntime") -> None:
        """Called once when the runtime serving this module is built."""

    # --- accounts and authentication ------------------------------------------------

    # The fixture fields that are credentials; the others are the account's attributes.
    credential_fields: tuple[str, ...] = ()

    def account_from_fixture(self, definition: dict[str, Any]) -> Account:
        """An account from its fixture entry (`{name, <credential>: ..., <attribute>: ...}`)."""
        definition = dict(definition)
        name = str(definition.pop("name"))
        credentials = {key: definition.pop(key) for key in self.credential_fields if key in definition}
        return Account(name=name, credentials=credentials, attributes=definition)

    def authenticate(self, runtime: "ApiRuntime", operation: "OperationSpec", incoming: "IncomingRequest") -> Account:
        """The calling account, or ApiError(401)."""
        raise ApiError(401, "authentication is not configured")

    def before_validation(self, operation: "OperationSpec", incoming: "IncomingRequest") -> None:
        """Rewrite a request the vendor documents as equivalent to a current form (deprecated fields)."""

    def body_limit(self, operation: "OperationSpec", multipart: bool) -> int:
        """Largest accepted request body in bytes."""
        return MULTIPART_BODY_LIMIT if multipart else BODY_LIMIT

    # --- lists ----------------------------------------------------------------------

    def paging(self, call: Call) -> Paging:
        """The slice of a list the request asks for (default: everything)."""
        return Paging.everything()

    # --- hooks ----------------------------------------------------------------------

    def prepare_new(self, call: Call, template: str, record: dict[str, Any]) -> None:
        """Fill vendor-managed fields of an object about to be created."""

    def prepare_change(self, call: Call, template: str, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Adjust an object about to replace ``before`` (state timestamps, ...)."""

    def demo_identifier(self, template: str, index: int) -> str | None:
        """A reference id for the ``index``-th demo object of a collection, if the vendor has a style."""
        return None

    # --- state the module keeps beside the store ------------------------------------

    def reset(self) -> None:
        """Forget module state (tokens, queues, ...) on an admin reset."""

    def run_pending(self) -> int:
        """Finish the API's queued asynchronous work now; returns how many jobs finished."""
        return 0

    def export_state(self) -> dict[str, Any]:
        """Module state for the state export (kept beside the accounts' data)."""
        return {}

    def import_state(self, runtime: "ApiRuntime", state: dict[str, Any]) -> None:
        """Load what `export_state` gave."""

    def handler(self, operation_id: str) -> Callable[[Handler], Handler]:
        """Decorator registering a handler that replaces the generic behaviour."""

        def register(function: Handler) -> Handler:
            self.handlers[operation_id] = function
            return function

        return register

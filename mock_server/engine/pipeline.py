"""The request path of one API, as named steps taken in one direction:

    match_route -> read_body -> authenticate -> validate -> intercept -> run_handler
                -> serialise -> send -> record

Each step is a method of `ApiPipeline` that reads and fills one `Exchange`. An error in
any step becomes the API's error answer; the later steps still send and record it.
`intercept` is the one place where a feature acts before the handler runs: each
interceptor sees the validated call and may answer it instead (scripted responses,
injected faults).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Any, Awaitable, Callable
from urllib.parse import unquote

from . import jsonio
from .asgi import Receive, Scope, Send
from .behaviour.generic import generic_handler
from .behaviour.replies import error_reply
from .contract.operations import OperationSpec
from .errors import ApiError, MethodNotAllowed, Overtaken, Problem, failure_reference
from .http.body import BodyTooLarge, announces_body, spool_body, whole_body
from .http.deadlines import ReadDeadlines
from .http.headers import header_texts
from .http.media_types import is_json_media_type
from .http.multipart import PartTooLarge, close_parts, split_parts, spooled
from .http.requests import IncomingRequest, ValidRequest, incoming_request
from .http.validation import takes_path_value, validate_request
from .runtime import ApiRuntime, ApiState
from .sizes import MIB
from .state.accounts import Account
from .state.answer_cache import READ_KINDS, WireAnswer, wire_headers
from .state.failures import REQUEST, Failure
from .tools.journal import BODY_LIMIT as JOURNAL_BODY_LIMIT
from .tools.journal import Redactor, RequestJournal
from .vendor import Call, Interception, Reply, VendorApi

# Sees a validated call before its handler; answers it instead by returning a Reply.
Interceptor = Callable[[Call], Awaitable[Reply | None]]

log = logging.getLogger("mock_server")


# JSON bodies larger than this are read in steps that let other requests be answered between them.
PARSE_IN_STEPS_BYTES = 256 * 1024
DEFAULT_READ_TIMEOUT = 30.0
# HTTP versions whose requests may carry a body without announcing its length.
_UNANNOUNCED_BODIES = frozenset({"2", "3"})


@dataclass(slots=True)
class Exchange:
    """One request on its way through the pipeline, and what each step found."""

    scope: Scope
    receive: Receive
    started: float
    method: str
    path: str  # within the API's mount, as sent (percent-encoded)
    query_string: str
    state: ApiState  # the API's state when the request arrived
    operation: OperationSpec | None = None
    parameters: dict[str, str] | None = None  # path parameters, once the route matched
    headers: dict[str, str] | None = None  # lower-case names, once read
    incoming: IncomingRequest | None = None
    account: Account | None = None
    call: Call | None = None
    request_body: bytes = b""
    cache_key: tuple | None = None
    reply: Reply | None = None
    answer: WireAnswer | None = None
    held: int = 0  # bytes of an upload held against the storage budget while it is answered
    failures_before: int = -1  # the failure log's sequence when the handler started (-1: it did not)
    failed: list[Failure] | None = None  # what failed while this request was answered


class ApiPipeline:
    """The ASGI application answering one API's operations."""

    def __init__(
        self, runtime: ApiRuntime, vendor: VendorApi, journal: RequestJournal, mount: str,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        self.runtime = runtime
        self.vendor = vendor
        self.journal = journal
        self.mount = mount
        self.read_timeout = read_timeout  # seconds a body may stall before the request is given up (408)
        self.deadlines = ReadDeadlines(read_timeout)
        self.interceptors: list[Interceptor] = []
        self.redactor = Redactor(vendor.secret_names)
        self._reusable_operations: dict[str, bool] = {}
        # (path, method) -> operation, for paths spelt as a template without parameters:
        # as many as the contract has such templates (and methods), however many requests come.
        self._literal_routes: dict[tuple[str, str], OperationSpec] = {}
        # Whether the API module rewrites or refuses requests before validation.
        self._rewrites = type(vendor).before_validation is not VendorApi.before_validation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        exchange = self.start(scope, receive)
        failures = self.runtime.failures
        try:
            try:
                self.match_route(exchange)
                await self.read_body(exchange)
                self.still_current(exchange)
                self.authenticate(exchange)
                self.validate(exchange)
                if self.interceptors:
                    exchange.reply = await self.intercept(exchange)
                if exchange.reply is None:
                    # From here to the answer's bytes nothing awaits: what fails meanwhile is this request's.
                    exchange.failures_before = failures.sequence
                    exchange.answer = self.cached_answer(exchange)
                    if exchange.answer is None:
                        exchange.reply = self.run_handler(exchange)
            except Overtaken as error:
                exchange.reply = self.error_reply(error, exchange.operation, exchange.state)
            except ApiError as error:
                exchange.reply = self.error_reply(error, exchange.operation)
            except Exception as error:  # a bug: answer in the API's shape and keep serving
                exchange.reply = self.failure_reply(exchange, error)
            if exchange.answer is None:
                try:
                    exchange.answer = self.serialise(exchange)
                except jsonio.NotJson as error:  # a bug: the answer holds something JSON cannot carry
                    exchange.reply = self.failure_reply(exchange, error)
                    exchange.answer = self.serialise(exchange)
            if exchange.failures_before >= 0 and failures.sequence != exchange.failures_before:
                exchange.failed = failures.since(exchange.failures_before)
            interception = exchange.call.interception if exchange.call is not None else None
            if interception is None or interception.send is None:
                await self.send(exchange.answer, send)
                self.record(exchange, interception)
            else:
                self.record(exchange, interception)  # first: a dropped connection may end the request here
                await interception.send(exchange.answer, send)
        finally:
            if exchange.held:  # an upload's bytes, held against the storage budget while answered
                self.runtime.store.budget.release(exchange.held)
            if exchange.incoming is not None and exchange.incoming.form:
                close_parts(exchange.incoming.form)

    # --- the steps ----------------------------------------------------------------------

    def start(self, scope: Scope, receive: Receive) -> Exchange:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        # The method in upper case, as ASGI servers give it.
        return Exchange(
            scope, receive, time.perf_counter(), scope["method"], raw_path.decode("latin-1")[len(self.mount):] or "/",
            scope.get("query_string", b"").decode("latin-1"), self.runtime.state,
        )

    def still_current(self, exchange: Exchange) -> None:
        """Overtaken when the API's state was replaced (a reset) while the request waited:
        it is not carried out in the state that replaced the one it arrived in."""
        if exchange.state is not self.runtime.state:
            raise Overtaken()

    @staticmethod
    def _segments(path: str) -> tuple[str, ...]:
        """The decoded segments of a path within the mount."""
        # A trailing slash leaves an empty last segment, which names no object and no route
        # (`/staff/` is neither the list nor a staff member).
        stripped = path[1:] if path.startswith("/") else path
        segments = tuple(stripped.split("/")) if stripped else ()
        if "%" in path:
            segments = tuple([unquote(segment) for segment in segments])
        return segments

    def match_route(self, exchange: Exchange) -> None:
        """The operation the method and path name: 404 for no path, 405 for another method."""
        key = (exchange.path, exchange.method)
        literal = self._literal_routes.get(key)
        if literal is not None:
            exchange.operation, exchange.parameters = literal, {}
            return
        match = self.runtime.contract.router.match_segments(self._segments(exchange.path), exchange.method, takes_path_value)
        if match is None:
            raise ApiError(404, f"no route for {exchange.method} {unquote(exchange.path)}")
        operation = match.methods.get(exchange.method)
        if operation is None:
            allowed = ", ".join(sorted(match.methods))
            raise MethodNotAllowed(f"{exchange.method} is not allowed on {match.template}; use {allowed}", allowed)
        exchange.operation = operation
        exchange.parameters = match.parameters
        if not match.parameters and "%" not in exchange.path:
            self._literal_routes[key] = operation

    async def read_body(self, exchange: Exchange) -> None:
        """Headers and body, within the operation's size limit (413 beyond it, where documented).

        A multipart body is spooled (to disk when large) and split into parts; a large
        JSON body is read in steps so other requests keep being answered meanwhile.
        """
        operation = exchange.operation
        assert operation is not None
        scope = exchange.scope
        headers = exchange.headers = header_texts(scope["headers"])
        incoming = exchange.incoming = incoming_request(scope, exchange.parameters or {}, exchange.query_string, headers, self.mount)
        multipart = operation.takes_multipart and incoming.content_type.startswith("multipart/")
        announced = announces_body(headers)
        if not announced and scope.get("http_version") not in _UNANNOUNCED_BODIES:
            return  # HTTP/1 without Content-Length or Transfer-Encoding: no body follows
        limit = self.vendor.body_limit(operation, multipart)
        deadlines = self.deadlines if announced else None
        try:
            if multipart:
                await self._read_form(exchange, incoming, limit, deadlines)
                return
            body = await whole_body(exchange.receive, limit, deadlines)
        except BodyTooLarge as error:
            raise ApiError(
                operation.error_status(413),
                problems=[Problem("body", (), "too_large", f"{error.limit // MIB} MB")],
            ) from None
        incoming.body = exchange.request_body = body
        if len(body) > PARSE_IN_STEPS_BYTES and is_json_media_type(incoming.content_type):
            try:
                incoming.parsed = (await jsonio.loads_in_steps(body),)
            except jsonio.JsonError as error:
                incoming.parse_error = str(error)

    async def _read_form(self, exchange: Exchange, incoming: IncomingRequest, limit: int, deadlines: ReadDeadlines | None) -> None:
        """A multipart body: spooled while it arrives (held against the storage budget), then split."""
        spool = spooled()
        try:
            hold = partial(self._hold, exchange)
            exchange.request_body = await spool_body(exchange.receive, spool, limit, deadlines, hold, JOURNAL_BODY_LIMIT)
            text_limit = self.vendor.body_limit(exchange.operation, False)  # type: ignore[arg-type]
            try:
                incoming.form = await split_parts(spool, exchange.headers["content-type"], text_limit)
            except PartTooLarge as error:
                raise ApiError(
                    exchange.operation.error_status(413),  # type: ignore[union-attr]
                    problems=[Problem("form", (error.name,), "too_large", f"{error.limit // MIB} MB")],
                ) from None
        finally:
            spool.close()

    def _hold(self, exchange: Exchange, size: int) -> None:
        """Hold ``size`` more bytes of the request's upload against the storage budget
        (507 when there is no room) until the request ends."""
        self.runtime.store.budget.hold(size)
        exchange.held += size

    def authenticate(self, exchange: Exchange) -> None:
        assert exchange.operation is not None and exchange.incoming is not None
        exchange.account = self.vendor.authenticate(self.runtime, exchange.operation, exchange.incoming)

    def validate(self, exchange: Exchange) -> None:
        operation, incoming, account = exchange.operation, exchange.incoming, exchange.account
        assert operation is not None and incoming is not None and account is not None
        if self._rewrites:
            self.vendor.before_validation(operation, incoming)
        valid: ValidRequest = validate_request(operation, incoming)
        exchange.call = Call(self.runtime, self.vendor, operation, incoming, account, valid)

    async def intercept(self, exchange: Exchange) -> Reply | None:
        """The seam before the handler: the first interceptor that answers wins.

        An interceptor may also leave an `Interception` on the call: a note for the
        journal, and a replacement for the send step (a cut or dropped connection).
        """
        assert exchange.call is not None
        for interceptor in self.interceptors:
            reply = await interceptor(exchange.call)
            self.still_current(exchange)
            if reply is not None:
                return reply
        return None

    def cached_answer(self, exchange: Exchange) -> WireAnswer | None:
        """A generic read's answer from before, when nothing changed since."""
        operation, call = exchange.operation, exchange.call
        assert operation is not None and call is not None
        if exchange.method != "GET" or not self._reusable(operation):
            return None
        headers = exchange.headers or {}
        exchange.cache_key = (call.account.name, exchange.path, exchange.query_string) + tuple(
            [headers.get(name) for name in operation.header_names]
        )
        return self.runtime.answers.get(exchange.cache_key)

    def _reusable(self, operation: OperationSpec) -> bool:
        """Whether the operation is a generic read, whose answer depends only on stored state."""
        reusable = self._reusable_operations.get(operation.operation_id)
        if reusable is None:
            reusable = operation.kind in READ_KINDS and operation.operation_id not in self.vendor.handlers
            self._reusable_operations[operation.operation_id] = reusable
        return reusable

    def run_handler(self, exchange: Exchange) -> Reply:
        assert exchange.call is not None and exchange.operation is not None
        handler = self.vendor.handlers.get(exchange.operation.operation_id, generic_handler)
        return handler(exchange.call)

    def error_reply(
        self, error: ApiError, operation: OperationSpec | None, state: ApiState | None = None, reference: str | None = None
    ) -> Reply:
        """The API's error answer (see `replies.error_reply`); its reference comes from the seed,
        counted in ``state`` (the current state by default), unless one is given (a failure's,
        see `failure_reply`)."""
        return error_reply(self.vendor.error_shape, error, operation, reference or self.runtime.next_reference(state))

    def failure_reply(self, exchange: Exchange, error: Exception) -> Reply:
        """A 500 for an exception the sandbox did not expect: logged, kept in the failure log
        under a reference unique to this failure, and answered in the API's shape."""
        reference = failure_reference()
        log.error("unexpected error answering %s %s (reference %s)", exchange.method, exchange.path, reference, exc_info=error)
        if exchange.failures_before < 0:
            exchange.failures_before = self.runtime.failures.sequence
        self.runtime.failures.record(self.runtime.name, REQUEST, error, request=_request_of(exchange), reference=reference)
        message = f"the sandbox failed to answer this request; GET /__admin/errors lists the failure as {reference}"
        return self.error_reply(ApiError(500, message), None, reference=reference)

    def serialise(self, exchange: Exchange) -> WireAnswer:
        """The reply as the bytes and headers that go on the wire (kept for reuse if cacheable)."""
        reply = exchange.reply
        assert reply is not None
        if reply.body is None or reply.status == 204:
            payload, content_type = b"", None
        elif isinstance(reply.body, (bytes, bytearray)):
            payload, content_type = bytes(reply.body), reply.content_type or "application/octet-stream"
        else:
            payload, content_type = jsonio.dumps(reply.body), reply.content_type or "application/json"
        answer = WireAnswer(reply.status, payload, content_type, wire_headers(content_type, reply.headers))
        if exchange.cache_key is not None and 200 <= reply.status < 300:
            self.runtime.answers.put(exchange.cache_key, answer)
        return answer

    async def send(self, answer: WireAnswer, send: Send) -> None:
        await send(answer.start_message())
        await send({"type": "http.response.body", "body": answer.payload})

    def record(self, exchange: Exchange, interception: Interception | None = None) -> None:
        """Journal the exchange, unless a reset came since it arrived: the journal then
        holds only what was asked after the reset."""
        answer = exchange.answer
        assert answer is not None
        if exchange.state is not self.runtime.state:
            return
        notes = interception.note if interception is not None else None
        if exchange.failed is not None:
            notes = self._failures_noted(exchange, exchange.failed, notes)
        self.journal.record(
            self.runtime.clock.timestamp(),
            self.runtime.name,
            exchange.method,
            exchange.path,
            exchange.query_string,
            exchange.operation.operation_id if exchange.operation else None,
            answer.status,
            time.perf_counter() - exchange.started,
            exchange.request_body,
            answer.payload,
            exchange.headers or header_texts(exchange.scope["headers"]),
            self.redactor,
            notes,
        )

    def _failures_noted(self, exchange: Exchange, failed: list[Failure], notes: dict[str, Any] | None) -> dict[str, Any]:
        """The journal's note of the failures a request caused (`errors`: their numbers in
        `GET /__admin/errors`); each failure names the request and its journal entry in turn."""
        request = {**_request_of(exchange), "journal": self.journal.sequence + 1}  # the entry's number, next
        for failure in failed:
            failure.request = request
        return {**(notes or {}), "errors": [failure.sequence for failure in failed]}


def _request_of(exchange: Exchange) -> dict[str, Any]:
    """The request a failure happened in, as the failure log names it."""
    return {
        "method": exchange.method,
        "path": unquote(exchange.path),
        "operation": exchange.operation.operation_id if exchange.operation is not None else None,
    }



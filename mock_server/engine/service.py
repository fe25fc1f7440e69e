"""The request path of one API, in one direction:
route -> authenticate -> validate -> vendor rule or generic store action -> respond -> journal.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl, unquote

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from . import jsonio, resources
from .answer_cache import READ_KINDS, CachedAnswer
from .errors import ApiError, Problem
from .journal import JournalEntry, RequestJournal, excerpt
from .operations import OperationSpec
from .runtime import ApiRuntime
from .validation import IncomingRequest, UploadedFile, ValidRequest, validate_request
from .vendor import MIB, MULTIPART_BODY_LIMIT, Account, Call, Reply

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

log = logging.getLogger("mock_server")


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit


class ApiService:
    """The ASGI application answering one API's operations."""

    def __init__(self, runtime: ApiRuntime, journal: RequestJournal, mount: str) -> None:
        self.runtime = runtime
        self.journal = journal
        self.mount = mount

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        method = scope["method"].upper()
        raw_path = scope.get("raw_path") or scope["path"].encode()
        path = raw_path.decode("latin-1")[len(self.mount):] or "/"
        stripped = path.strip("/")
        segments = stripped.split("/") if stripped else []
        if "%" in path:
            segments = [unquote(segment) for segment in segments]
        query_string = scope.get("query_string", b"").decode("latin-1")
        operation: OperationSpec | None = None
        request_body = b""
        cache_key: tuple | None = None
        reply: Reply | CachedAnswer
        try:
            match = self.runtime.contract.router.match_segments(segments, method)
            if match is None:
                raise ApiError(404, f"no route for {method} {unquote(path)}")
            operation = match.methods.get(method)
            if operation is None:
                allowed = ", ".join(sorted(match.methods))
                raise _MethodNotAllowed(f"{method} is not allowed on {match.template}; use {allowed}", allowed)
            headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
            incoming = IncomingRequest(
                path_parameters=match.parameters,
                query=parse_qsl(query_string, keep_blank_values=True) if query_string else [],
                headers=headers,
                content_type=headers.get("content-type", "").split(";")[0].strip().lower(),
            )
            request_body = await self._read_body(operation, incoming, scope, receive)
            account = self.runtime.vendor.authenticate(self.runtime, operation, incoming)
            self.runtime.vendor.before_validation(operation, incoming)
            valid = validate_request(operation, incoming)
            if method == "GET" and operation.kind in READ_KINDS:
                cache_key = (account.name, path, query_string, *(headers.get(name) for name in operation.header_names))
                reply = self.runtime.answers.get(cache_key) or self._answer(operation, incoming, account, valid)
            else:
                reply = self._answer(operation, incoming, account, valid)
        except ApiError as error:
            reply = self._error_reply(error, operation)
        except _MethodNotAllowed as error:
            reply = self._error_reply(ApiError(405, str(error)), None)
            reply.headers["Allow"] = error.allowed
        except Exception:  # a bug: answer in the API's shape and keep serving
            log.exception("unexpected error answering %s %s", method, path)
            reply = self._error_reply(ApiError(500, "the sandbox failed to answer this request"), None)
        if isinstance(reply, Reply):
            reply = _serialised(reply)
            if cache_key is not None and 200 <= reply.status < 300:
                self.runtime.answers.put(cache_key, reply)
        if method != "GET":
            self.runtime.answers.invalidate()
        await _send(reply, send)
        payload = reply.payload
        self.journal.record(
            JournalEntry(
                sequence=self.journal.next_sequence(),
                time=self.runtime.clock.now(),
                api=self.runtime.name,
                method=method,
                path=unquote(path),
                query=query_string,
                operation=operation.operation_id if operation else None,
                status=reply.status,
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                request_body=excerpt(request_body),
                response_body=excerpt(payload),
            )
        )

    def _answer(self, operation: OperationSpec, incoming: IncomingRequest, account: Account, valid: ValidRequest) -> Reply:
        call = Call(self.runtime, operation, incoming, account, valid)
        handler = self.runtime.vendor.handlers.get(operation.operation_id, resources.answer)
        return handler(call)

    async def _read_body(self, operation: OperationSpec, incoming: IncomingRequest, scope: Scope, receive: Receive) -> bytes:
        """The body, within the operation's size limit (413 beyond it, where documented)."""
        multipart = incoming.content_type.startswith("multipart/")
        limit = self.runtime.vendor.body_limit(operation, multipart)
        try:
            body = await _receive_all(receive, limit)
        except BodyTooLarge as error:
            raise ApiError(
                operation.error_status(413),
                problems=[Problem("body", (), "too_large", f"{error.limit // MIB} MB")],
            ) from None
        incoming.body = body
        if multipart and any(spec.kind == "multipart" for spec in operation.bodies.values()):
            incoming.form = await _parse_form(scope, body, operation)
        return body

    def _error_reply(self, error: ApiError, operation: OperationSpec | None) -> Reply:
        status = error.status
        if operation is not None and not operation.documents(status) and status not in (401, 405, 500):
            status = operation.error_status(status)
            error.status = status
        body = self.runtime.vendor.error_shape.render(error, self.runtime.next_reference())
        return Reply(status, body)



def _serialised(reply: Reply) -> CachedAnswer:
    """A reply as the bytes and headers that go on the wire."""
    if reply.body is None or reply.status == 204:
        payload, content_type = b"", None
    elif isinstance(reply.body, (bytes, bytearray)):
        payload, content_type = bytes(reply.body), reply.content_type or "application/octet-stream"
    else:
        payload, content_type = jsonio.dumps(reply.body), reply.content_type or "application/json"
    headers = tuple((name.lower(), str(value)) for name, value in reply.headers.items())
    return CachedAnswer(reply.status, payload, content_type, headers)


async def _send(answer: CachedAnswer, send: Send) -> None:
    headers = [(b"content-length", str(len(answer.payload)).encode())]
    if answer.content_type:
        headers.append((b"content-type", answer.content_type.encode()))
    headers.extend((name.encode("latin-1"), value.encode("latin-1", "replace")) for name, value in answer.headers)
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.payload})


class _MethodNotAllowed(Exception):
    def __init__(self, message: str, allowed: str) -> None:
        super().__init__(message)
        self.allowed = allowed


async def _receive_all(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            # Drain the rest so the connection stays usable, without keeping it.
            while message.get("more_body", False):
                message = await receive()
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _parse_form(scope: Scope, body: bytes, operation: OperationSpec) -> list[tuple[str, Any]]:
    """Multipart parts as (name, text or UploadedFile)."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    request = Request(scope, replay)
    try:
        form = await request.form(max_files=10_000, max_fields=10_000, max_part_size=MULTIPART_BODY_LIMIT)
    except MultiPartException as error:
        raise ApiError(400, problems=[Problem("body", (), "invalid", f"malformed multipart body: {error}")]) from None
    except (ValueError, KeyError, AssertionError) as error:
        raise ApiError(400, problems=[Problem("body", (), "invalid", f"malformed multipart body: {error}")]) from None
    parts: list[tuple[str, Any]] = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            content = await value.read()
            parts.append(
                (name, UploadedFile(name, value.filename or "", value.content_type or "application/octet-stream", len(content), content))
            )
        else:
            parts.append((name, value))
    await form.close()
    return parts


"""The validating proxy: the real vendor API behind, its contract checked in between.

`mock-server proxy --api afosto --upstream https://...` serves the API at the root of
the proxy. Each request is forwarded to the upstream as it came (credentials included);
the real answer goes back unchanged, byte for byte (only hop-by-hop headers are
dropped); a request body past the largest any API takes is refused (413), not forwarded.
Both are checked against the contract with the compiled validators, and every
difference — undocumented operation or status, field missing, wrong type, undocumented
field, ... — is recorded in the request journal and in the drift report
(`GET /__admin/drift`).

Credentials are never logged: the journal keeps no headers and no bodies, query
parameters that carry credentials are masked, and differences name fields, not values.
"""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..admin.front import AdminFront
from ..admin.health import PROXY_PANELS, may_see_settings
from ..admin.errors import AdminError, admin_exception_handlers
from ..admin.event_sources import events, watch_journal
from ..admin.events import EventHub
from ..admin.ui import asset, page
from ..admin.journal_routes import coverage, journal_entry, requests
from ..apis import API_NAMES, vendor_for
from ..engine.asgi import Receive, Scope, Send
from ..engine.clock import Clock
from ..engine.contract.files import default_contracts_dir, load_contract, served_contract
from ..engine.contract.operations import OperationSpec, compile_contract
from ..engine.errors import ApiError
from ..engine.http.body import BodyTooLarge, whole_body
from ..engine.http.multipart import close_parts, parse_parts
from ..engine.http.requests import IncomingRequest
from ..engine.sizes import MIB, MULTIPART_BODY_LIMIT
from ..engine.tools.journal import COMMON_SECRETS, MASK, RequestJournal
from ..version import __version__
from .drift import INVALID_VALUE, UNDOCUMENTED_OPERATION, ContractChecks, Difference, DriftReport

log = logging.getLogger("mock_server.proxy")

# Headers that belong to one connection, not to the message (RFC 9110, 7.6.1).
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
     "transfer-encoding", "upgrade"}
)
# Query parameters masked in the journal besides those the contract declares as credentials.
CREDENTIAL_PARAMETERS = frozenset({"access_token", "accesstoken", "api_key", "apikey", "token", "key", "secret", "password"})
# The proxy holds a request body whole to check it: at most the largest any API takes.
REQUEST_BODY_LIMIT = MULTIPART_BODY_LIMIT


class ProxyConfig(BaseModel):
    """What `mock-server proxy` needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api: str
    upstream: str
    host: str = Field("127.0.0.1", min_length=1)
    port: int = Field(8080, ge=0, le=65535)
    timeout: float = Field(30.0, gt=0, le=600)
    contracts_dir: str | None = None
    admin_token: str | None = None
    journal_size: int = Field(1000, ge=1, le=1_000_000)
    log_level: str = "info"

    @field_validator("api")
    @classmethod
    def _known_api(cls, value: str) -> str:
        if value not in API_NAMES:
            raise ValueError(f"unknown API {value!r}; choose one of {', '.join(API_NAMES)}")
        return value

    @field_validator("upstream")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {value!r} (e.g. https://api.example.com/v1)")
        if parts.query or parts.fragment:
            raise ValueError("the upstream URL takes no query string or fragment")
        return value.rstrip("/")


class ValidatingProxy(AdminFront):
    """The ASGI application of the proxy."""

    def __init__(self, config: ProxyConfig, client: httpx.AsyncClient | None = None) -> None:
        self.config = config
        self.vendor = vendor_for(config.api)
        contracts_dir = Path(config.contracts_dir) if config.contracts_dir else default_contracts_dir()
        self.contract = compile_contract(config.api, load_contract(contracts_dir, config.api), self.vendor.formats())
        self.checks = ContractChecks(self.contract)
        self.journal = RequestJournal(config.journal_size)
        self.drift = DriftReport()
        self.clock = Clock()
        self.masked = CREDENTIAL_PARAMETERS | _query_credentials(self.contract.document)
        self.started = time.monotonic()
        self.references = 0
        self.client = client or httpx.AsyncClient(timeout=config.timeout, follow_redirects=False, trust_env=False)
        # The client's own request is forwarded: no default headers of the HTTP library.
        for name in list(self.client.headers):
            del self.client.headers[name]
        self.events = EventHub()
        watch_journal(self.events, self.journal)
        self.admin = _admin_app(self)
        self.admin_token = config.admin_token
        self.host = config.host

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.forward(scope, receive, send)

    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Forward one request, answer with the real answer, then check and record both."""
        started = time.perf_counter()
        method = scope["method"].upper()
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        operation = self._operation(method, raw_path)
        try:
            body = await whole_body(receive, REQUEST_BODY_LIMIT)
        except BodyTooLarge:
            refusal = ApiError(413, f"the proxy forwards request bodies of up to {REQUEST_BODY_LIMIT // MIB} MB")
        except ApiError as problem:  # the client left before its body was complete
            refusal = problem
        else:
            refusal = None
        if refusal is not None:
            await self._error(refusal)(scope, receive, send)
            self._record(method, raw_path, query, operation, refusal.status, started, {"refused": refusal.message})
            return
        headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in scope["headers"]]
        differences = await self._request_differences(scope, operation, method, raw_path, query, headers, body)
        url = self.config.upstream + raw_path + (f"?{query}" if query else "")
        forwarded = [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP and name.lower() != "host"]
        try:
            request = self.client.build_request(method, url, headers=forwarded, content=body)
            upstream = await self.client.send(request, stream=True)
            try:
                payload = b"".join([chunk async for chunk in upstream.aiter_raw()])
            finally:
                await upstream.aclose()
        except httpx.HTTPError as problem:
            log.warning("upstream did not answer %s %s: %s", method, unquote(raw_path), type(problem).__name__)
            await self._bad_gateway(problem)(scope, receive, send)
            self._record(method, raw_path, query, operation, 502, started, {"upstream": type(problem).__name__})
            return
        await send({"type": "http.response.start", "status": upstream.status_code, "headers": _passed_headers(upstream, payload)})
        await send({"type": "http.response.body", "body": payload})
        if operation is not None:
            differences += self._response_differences(operation, upstream, payload)
        self._note(method, raw_path, operation, differences)
        notes = {"drift": [difference.to_json() for difference in differences]} if differences else None
        self._record(method, raw_path, query, operation, upstream.status_code, started, notes)

    # --- checks -------------------------------------------------------------------------

    def _operation(self, method: str, raw_path: str) -> OperationSpec | None:
        stripped = raw_path.strip("/")
        segments = [unquote(segment) for segment in stripped.split("/")] if stripped else []
        match = self.contract.router.match_segments(segments)
        return match.methods.get(method) if match else None

    async def _request_differences(
        self, scope: Scope, operation: OperationSpec | None, method: str, raw_path: str, query: str,
        headers: list[tuple[str, str]], body: bytes,
    ) -> list[Difference]:
        if operation is None:
            return [Difference("request", UNDOCUMENTED_OPERATION, actual=f"{method} {unquote(raw_path)}")]
        lowered = {name.lower(): value for name, value in headers}
        match = self.contract.router.match(unquote(raw_path))
        incoming = IncomingRequest(
            path_parameters=match.parameters if match else {},
            query=parse_qsl(query, keep_blank_values=True),
            headers=lowered,
            content_type=lowered.get("content-type", "").split(";")[0].strip().lower(),
            body=body,
        )
        if incoming.content_type.startswith("multipart/") and any(spec.kind == "multipart" for spec in operation.bodies.values()):
            try:
                incoming.form = parse_parts(io.BytesIO(body), lowered["content-type"], len(body) + 1)
            except ApiError as problem:
                return [Difference("request", INVALID_VALUE, "body", expected="a multipart body", actual=problem.message[:100])]
        try:
            self.vendor.before_validation(operation, incoming)  # documented older forms count as documented
            return self.checks.request_differences(operation, incoming)
        finally:
            close_parts(incoming.form)

    def _response_differences(self, operation: OperationSpec, upstream: httpx.Response, payload: bytes) -> list[Difference]:
        content_type = upstream.headers.get("content-type", "")
        try:
            decoded = httpx.Response(upstream.status_code, headers=upstream.headers, content=payload).content
        except httpx.DecodingError:
            encoding = upstream.headers.get("content-encoding", "")
            return [Difference("response", "undecodable body", status=upstream.status_code, actual=encoding or None)]
        return self.checks.response_differences(operation, upstream.status_code, content_type, decoded)

    # --- recording ----------------------------------------------------------------------

    def _note(self, method: str, raw_path: str, operation: OperationSpec | None, differences: list[Difference]) -> None:
        path = unquote(raw_path)
        key = operation.operation_id if operation else f"{method} {path}"
        self.drift.record(key, method, operation.path if operation else path, differences, self.clock.iso())
        for difference in differences:
            log.info("drift in %s: %s", key, difference.describe())

    def _record(
        self, method: str, raw_path: str, query: str, operation: OperationSpec | None, status: int, started: float,
        notes: dict[str, Any] | None,
    ) -> None:
        self.journal.record(
            time=self.clock.timestamp(),
            api=self.config.api,
            method=method,
            path=raw_path,
            query=self.masked_query(query),
            operation=operation.operation_id if operation else None,
            status=status,
            duration=time.perf_counter() - started,
            request_body=b"",  # bodies may carry credentials: the proxy keeps none
            response_body=b"",
            request_headers={},
            redactor=COMMON_SECRETS,
            notes=notes,
        )

    def masked_query(self, query: str) -> str:
        """The query string with the values of credential parameters masked."""
        if not query:
            return query
        pairs = parse_qsl(query, keep_blank_values=True)
        if not any(name.lower() in self.masked for name, _ in pairs):
            return query
        return urlencode([(name, MASK if name.lower() in self.masked else value) for name, value in pairs], safe="*")

    def _bad_gateway(self, problem: Exception) -> JSONResponse:
        """502 in the API's error shape."""
        return self._error(ApiError(502, f"the upstream {urlsplit(self.config.upstream).netloc} did not answer ({type(problem).__name__})"))

    def _error(self, error: ApiError) -> JSONResponse:
        """The proxy's own answer, in the API's error shape."""
        self.references += 1
        return JSONResponse(self.vendor.error_shape.render(error, f"proxy-{self.references}"), status_code=error.status)

    async def at_shutdown(self) -> None:
        await super().at_shutdown()
        await self.client.aclose()


def _query_credentials(document: dict[str, Any]) -> frozenset[str]:
    """Names of the query parameters the contract's security schemes carry credentials in."""
    schemes = document.get("components", {}).get("securitySchemes", {})
    return frozenset(
        str(scheme.get("name", "")).lower()
        for scheme in schemes.values()
        if scheme.get("type") == "apiKey" and scheme.get("in") == "query"
    )


def _passed_headers(upstream: httpx.Response, payload: bytes) -> list[tuple[bytes, bytes]]:
    """The upstream's headers as it sent them, less hop-by-hop ones, with the body's length."""
    headers = [
        (name, value)
        for name, value in upstream.headers.raw
        if name.lower().decode("latin-1") not in HOP_BY_HOP and name.lower() != b"content-length"
    ]
    headers.append((b"content-length", str(len(payload)).encode()))
    return headers


PROXY_CALLS = "the proxy has health, drift, requests, coverage, contracts/{api}, events, ui"


def _admin_app(proxy: ValidatingProxy) -> Starlette:
    """The proxy's `/__admin`: health, drift, requests, coverage, contract."""
    app = Starlette(routes=PROXY_ROUTES, exception_handlers=admin_exception_handlers(PROXY_CALLS, proxy.keep_failure))
    app.state.proxy = proxy
    app.state.events = proxy.events
    app.state.journal = proxy.journal
    app.state.contracts = lambda: {proxy.config.api: proxy.contract}
    return app


async def health(request: Request) -> JSONResponse:
    """GET: the API checked, the upstream, how long the proxy has run, the inspector's
    panels and the version; the settings too for a caller the token lets in."""
    proxy: ValidatingProxy = request.app.state.proxy
    config = proxy.config
    answer: dict[str, Any] = {
        "status": "ok",
        "server": "proxy",
        "mode": "proxy",
        "version": __version__,
        "panels": list(PROXY_PANELS),
        "api": config.api,
        "upstream": config.upstream,
        "operations": len(proxy.contract.operations),
        "apis": {config.api: {"mount": "/", "operations": len(proxy.contract.operations)}},
        "uptimeSeconds": round(time.monotonic() - proxy.started, 3),
    }
    if may_see_settings(request, config.admin_token):
        answer["settings"] = {
            "timeout": config.timeout, "journalSize": config.journal_size, "adminToken": config.admin_token is not None,
        }
    return JSONResponse(answer)


async def drift(request: Request) -> Response:
    """GET: the drift report; DELETE: forget it."""
    proxy: ValidatingProxy = request.app.state.proxy
    if request.method == "DELETE":
        proxy.drift.clear()
        return Response(status_code=204)
    return JSONResponse({"api": proxy.config.api, "upstream": proxy.config.upstream, **proxy.drift.to_json()})


async def contract(request: Request) -> JSONResponse:
    """GET: the contract the proxy checks against."""
    proxy: ValidatingProxy = request.app.state.proxy
    name = request.path_params["api"]
    if name != proxy.config.api:
        raise AdminError(404, f"unknown API {name!r}; this proxy checks {proxy.config.api}")
    return JSONResponse(served_contract(proxy.contract.document, ""))


PROXY_ROUTES = [
    Route("/health", health, methods=["GET"]),
    Route("/drift", drift, methods=["GET", "DELETE"]),
    Route("/requests", requests, methods=["GET", "DELETE"]),
    Route("/requests/{sequence}", journal_entry, methods=["GET"]),
    Route("/coverage", coverage, methods=["GET"]),
    Route("/contracts/{api}", contract, methods=["GET"]),
    Route("/events", events, methods=["GET"]),
    Route("/ui", page, methods=["GET"]),
    Route("/ui/{asset:path}", asset, methods=["GET"]),
]

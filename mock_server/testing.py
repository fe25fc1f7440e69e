"""The sandbox inside a test suite: in process behind httpx clients, or as a real server.

    with InProcessSandbox(ServerConfig(seed=7)) as sandbox:
        sandbox.afosto.post("/cat/channels", json={"name": "Webshop"})
        sandbox.casavi.get("/contacts")

    async with AsyncInProcessSandbox(ServerConfig()) as sandbox:
        await sandbox.relay.get("/orders")

    with LiveSandbox(ServerConfig()) as server:
        httpx.get(server.base_url("relay") + "/orders", headers={"Authorization": "Bearer demo-relay-key"})

Each API's client is based at the API's mount and authenticated with the demo
credentials (`DEMO_CREDENTIALS`) the way the vendor documents it: casavi logs in with
`POST /authenticate` on first use and sends the `token` header, Afosto and Relay send a
bearer token, Case messages sends the `accessToken` query parameter.
`sandbox.client(api, **credentials)` makes a client for another account and
`sandbox.anonymous(api)` one without credentials. The admin calls a test needs (reset,
finishing queued jobs, the request journal, webhook deliveries, the state) are methods.

The pytest fixtures in `mock_server.pytest_plugin` are built on these classes.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import threading
import time
from collections import OrderedDict
from contextlib import ExitStack, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Generator, Iterator

import httpx

from .config import ServerConfig
from .verification import CallCount, CallPattern, verify_calls

DEMO_CREDENTIALS: dict[str, dict[str, str]] = {
    "casavi": {"key": "demo-key", "secret": "demo-secret"},
    "afosto": {"token": "demo-afosto-token"},
    "relay": {"api_key": "demo-relay-key"},
    "messages": {"token": "demo-partner-token"},
}
IN_PROCESS_URL = "http://localhost"  # a loopback name: the admin API answers only those without a token


class SandboxError(RuntimeError):
    """The sandbox did not do what a test helper asked (an admin call failed, it did not start)."""


class CasaviLogin(httpx.Auth):
    """casavi's login: `POST /authenticate {key, secret}` once, then the `token` header.

    A rejected token (expired, or forgotten by a reset) is replaced by a new login and
    the request sent once more. Requests that carry their own `token` header, and the
    authenticate calls themselves, go out as they are.
    """

    requires_request_body = True
    requires_response_body = True

    def __init__(self, base_url: str, key: str, secret: str) -> None:
        self.login_url = f"{base_url}/authenticate"
        self.credentials = {"key": key, "secret": secret}
        self.token: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if "token" in request.headers or request.url.path.rstrip("/").endswith(("/authenticate", "/authenticate/refresh")):
            yield request
            return
        fresh = self.token is None
        if fresh:
            self.token = yield from self._log_in()
        request.headers["token"] = self.token or ""
        response = yield request
        if response.status_code == 401 and not fresh:
            self.token = yield from self._log_in()
            request.headers["token"] = self.token
            yield request

    def _log_in(self) -> Generator[httpx.Request, httpx.Response, str]:
        response = yield httpx.Request("POST", self.login_url, json=self.credentials)
        if response.status_code != 200:
            raise SandboxError(f"casavi login as {self.credentials['key']!r} answered {response.status_code}: {response.text[:300]}")
        return response.json()["token"]


def client_options(api: str, base_url: str, credentials: dict[str, str] | None) -> dict[str, Any]:
    """httpx client arguments that authenticate as `credentials` (None: no credentials)."""
    options: dict[str, Any] = {"base_url": base_url}
    if credentials is None:
        return options
    expected = set(DEMO_CREDENTIALS[api])
    if set(credentials) != expected:
        raise TypeError(f"{api} credentials are {', '.join(sorted(expected))}; got {', '.join(sorted(credentials)) or 'none'}")
    if api == "casavi":
        options["auth"] = CasaviLogin(base_url, credentials["key"], credentials["secret"])
    elif api == "afosto":
        options["headers"] = {"Authorization": f"Bearer {credentials['token']}"}
    elif api == "relay":
        options["headers"] = {"Authorization": f"Bearer {credentials['api_key']}"}
    elif api == "messages":
        options["params"] = {"accessToken": credentials["token"]}
    return options


class _Addresses:
    """Where each served API and the admin API live, for one base URL."""

    def __init__(self, url: str, config: ServerConfig) -> None:
        self.url = url
        self.config = config

    def base_url(self, api: str) -> str:
        """The base URL of one API: the server's URL plus the API's mount."""
        if api not in self.config.apis:
            raise LookupError(f"{api} is not served by this sandbox (it serves {', '.join(self.config.apis)})")
        return self.url + self.config.mount_of(api)

    @property
    def base_urls(self) -> dict[str, str]:
        return {api: self.base_url(api) for api in self.config.apis}

    @property
    def admin_url(self) -> str:
        return f"{self.url}/__admin"

    def admin_options(self) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.config.admin_token}"} if self.config.admin_token else {}
        return {"base_url": self.admin_url, "headers": headers}


def _admin_answer(method: str, path: str, response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise SandboxError(f"{method} /__admin{path} answered {response.status_code}: {response.text[:300]}")
    return response.json() if response.content else {}


def _present(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


class SandboxClients(_Addresses):
    """Synchronous clients for a running sandbox, and its admin calls."""

    def __init__(self, url: str, config: ServerConfig, transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(url, config)
        self._transport = transport
        self._demo: dict[str, httpx.Client] = {}
        self._made: list[httpx.Client] = []

    @property
    def admin(self) -> httpx.Client:
        """A client based at `/__admin` (with the admin token when one is configured)."""
        if "admin" not in self._demo:
            self._demo["admin"] = self._make(self.admin_options())
        return self._demo["admin"]

    def _make(self, options: dict[str, Any]) -> httpx.Client:
        client = httpx.Client(transport=self._transport, **options)
        self._made.append(client)
        return client

    def client(self, api: str, **credentials: str) -> httpx.Client:
        """A new client of `api`, authenticated with `credentials` (default: the demo account)."""
        return self._make(client_options(api, self.base_url(api), credentials or DEMO_CREDENTIALS[api]))

    def anonymous(self, api: str) -> httpx.Client:
        """A client of `api` that sends no credentials."""
        return self._make(client_options(api, self.base_url(api), None))

    def _demo_client(self, api: str) -> httpx.Client:
        if api not in self._demo:
            self._demo[api] = self.client(api)
        return self._demo[api]

    @property
    def casavi(self) -> httpx.Client:
        """casavi, logged in as the demo account."""
        return self._demo_client("casavi")

    @property
    def afosto(self) -> httpx.Client:
        """Afosto, with the demo bearer token."""
        return self._demo_client("afosto")

    @property
    def relay(self) -> httpx.Client:
        """Relay, with the demo API key."""
        return self._demo_client("relay")

    @property
    def messages(self) -> httpx.Client:
        """Case messages as the demo partner (paths keep their `/api/v3/...`)."""
        return self._demo_client("messages")

    def _admin(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = self.admin.request(method, path, json=json, params=_present(**params))
        return _admin_answer(method, path, response)

    def reset(self, api: str | None = None) -> None:
        """Back to the start-up state (all APIs, or one)."""
        self._admin("POST", "/reset", api=api)

    def run_jobs(self, api: str | None = None) -> dict[str, Any]:
        """Finish all queued background work now; how many jobs finished, per API."""
        return self._admin("POST", "/jobs/run", api=api)["finished"]

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """The request journal, oldest first; filters: api, method, path (prefix), status,
        operation (id), body (a JSON predicate, as text), note."""
        return self._admin("GET", "/requests", **filters)["requests"]

    def clear_requests(self) -> None:
        self._admin("DELETE", "/requests")

    def override(self, **rule: Any) -> dict[str, Any]:
        """Add a scripted answer or fault (see the README), e.g.
        `sandbox.override(api="afosto", method="POST", path="/odr/orders", times=2, response={"status": 503})`."""
        return self._admin("POST", "/overrides", json=rule)

    def verify(
        self, count: int | None = None, *, at_least: int | None = None, at_most: int | None = None, **pattern: Any
    ) -> list[dict[str, Any]]:
        """Assert how often a call was made (at least once when no count is given); returns the calls.

        `sandbox.verify(1, api="casavi", method="POST", path="/hooks", body={"eventName": "contact_created"})`
        """
        outcome = verify_calls(self.requests(), CallPattern(**pattern), CallCount.of(count, at_least, at_most))
        assert outcome.holds, outcome.message
        return outcome.matched

    def webhooks(self, **filters: Any) -> list[dict[str, Any]]:
        """Webhook deliveries; filters: api, event, target."""
        return self._admin("GET", "/webhooks", **filters)["deliveries"]

    def state(self, api: str | None = None) -> dict[str, Any]:
        """The state export (a valid fixture document)."""
        return self._admin("GET", "/state", api=api)

    def load_fixtures(self, document: dict[str, Any]) -> dict[str, Any]:
        """Add a fixture document to the current state; objects loaded per API."""
        return self._admin("POST", "/fixtures", json=document)["loaded"]

    def coverage(self) -> dict[str, Any]:
        return self._admin("GET", "/coverage")

    def close(self) -> None:
        for client in self._made:
            client.close()
        self._made.clear()
        self._demo.clear()


class AsyncSandboxClients(_Addresses):
    """The asynchronous twin of `SandboxClients`: the same clients and calls, awaited."""

    def __init__(self, url: str, config: ServerConfig, transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(url, config)
        self._transport = transport
        self._demo: dict[str, httpx.AsyncClient] = {}
        self._made: list[httpx.AsyncClient] = []

    @property
    def admin(self) -> httpx.AsyncClient:
        """A client based at `/__admin` (with the admin token when one is configured)."""
        if "admin" not in self._demo:
            self._demo["admin"] = self._make(self.admin_options())
        return self._demo["admin"]

    def _make(self, options: dict[str, Any]) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=self._transport, **options)
        self._made.append(client)
        return client

    def client(self, api: str, **credentials: str) -> httpx.AsyncClient:
        """A new client of `api`, authenticated with `credentials` (default: the demo account)."""
        return self._make(client_options(api, self.base_url(api), credentials or DEMO_CREDENTIALS[api]))

    def anonymous(self, api: str) -> httpx.AsyncClient:
        """A client of `api` that sends no credentials."""
        return self._make(client_options(api, self.base_url(api), None))

    def _demo_client(self, api: str) -> httpx.AsyncClient:
        if api not in self._demo:
            self._demo[api] = self.client(api)
        return self._demo[api]

    @property
    def casavi(self) -> httpx.AsyncClient:
        """casavi, logged in as the demo account."""
        return self._demo_client("casavi")

    @property
    def afosto(self) -> httpx.AsyncClient:
        """Afosto, with the demo bearer token."""
        return self._demo_client("afosto")

    @property
    def relay(self) -> httpx.AsyncClient:
        """Relay, with the demo API key."""
        return self._demo_client("relay")

    @property
    def messages(self) -> httpx.AsyncClient:
        """Case messages as the demo partner (paths keep their `/api/v3/...`)."""
        return self._demo_client("messages")

    async def _admin(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        response = await self.admin.request(method, path, json=json, params=_present(**params))
        return _admin_answer(method, path, response)

    async def reset(self, api: str | None = None) -> None:
        """Back to the start-up state (all APIs, or one)."""
        await self._admin("POST", "/reset", api=api)

    async def run_jobs(self, api: str | None = None) -> dict[str, Any]:
        """Finish all queued background work now; how many jobs finished, per API."""
        return (await self._admin("POST", "/jobs/run", api=api))["finished"]

    async def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """The request journal, oldest first; filters: api, method, path (prefix), status."""
        return (await self._admin("GET", "/requests", **filters))["requests"]

    async def override(self, **rule: Any) -> dict[str, Any]:
        """Add a scripted answer or fault (see `SandboxClients.override`)."""
        return await self._admin("POST", "/overrides", json=rule)

    async def verify(
        self, count: int | None = None, *, at_least: int | None = None, at_most: int | None = None, **pattern: Any
    ) -> list[dict[str, Any]]:
        """Assert how often a call was made (see `SandboxClients.verify`)."""
        outcome = verify_calls(await self.requests(), CallPattern(**pattern), CallCount.of(count, at_least, at_most))
        assert outcome.holds, outcome.message
        return outcome.matched

    async def clear_requests(self) -> None:
        await self._admin("DELETE", "/requests")

    async def webhooks(self, **filters: Any) -> list[dict[str, Any]]:
        """Webhook deliveries; filters: api, event, target."""
        return (await self._admin("GET", "/webhooks", **filters))["deliveries"]

    async def state(self, api: str | None = None) -> dict[str, Any]:
        """The state export (a valid fixture document)."""
        return await self._admin("GET", "/state", api=api)

    async def load_fixtures(self, document: dict[str, Any]) -> dict[str, Any]:
        """Add a fixture document to the current state; objects loaded per API."""
        return (await self._admin("POST", "/fixtures", json=document))["loaded"]

    async def coverage(self) -> dict[str, Any]:
        return await self._admin("GET", "/coverage")

    async def aclose(self) -> None:
        for client in self._made:
            await client.aclose()
        self._made.clear()
        self._demo.clear()


class Lifespan:
    """Runs an ASGI app's lifespan (start-up and shutdown) on the current event loop."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        self._inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._task = asyncio.get_running_loop().create_task(self._run())
        await self._inbox.put({"type": "lifespan.startup"})
        answer = await self._outbox.get()
        if answer["type"] == "lifespan.startup.failed":
            raise SandboxError(f"the sandbox did not start: {answer.get('message', '')}")
        if answer["type"] == "ended":  # the app returned without answering: no lifespan
            await asyncio.wait([self._task])
            problem = self._task.exception()
            self._task = None
            if problem is not None:
                raise SandboxError("the sandbox did not start") from problem

    async def shutdown(self) -> None:
        if self._task is None:
            return
        if not self._task.done():
            await self._inbox.put({"type": "lifespan.shutdown"})
            answer = await self._outbox.get()
            if answer["type"] == "lifespan.shutdown.failed":
                raise SandboxError(f"the sandbox did not shut down cleanly: {answer.get('message', '')}")
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
        try:
            await self.app(scope, self._inbox.get, self._outbox.put)
        finally:
            await self._outbox.put({"type": "ended"})


class _PortalTransport(httpx.BaseTransport):
    """Sends each request of a synchronous client to the app on the sandbox's event loop.

    The loop runs in a thread of its own for the sandbox's lifetime, so background work
    the app starts (queued jobs, deliveries) goes on between a test's calls.
    """

    def __init__(self, app: Any, portal: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal = portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        return self._portal.call(self._send, request, body)

    async def _send(self, request: httpx.Request, body: bytes) -> httpx.Response:
        forwarded = httpx.Request(request.method, request.url, headers=request.headers, content=body, extensions=request.extensions)
        response = await self._asgi.handle_async_request(forwarded)
        raw = b"".join([chunk async for chunk in response.stream])
        return httpx.Response(response.status_code, headers=response.headers, stream=httpx.ByteStream(raw), extensions=response.extensions)


def _create_app(config: ServerConfig) -> Any:
    from .app import create_app

    return create_app(config)


class _ServedOnLoop:
    """An app served on an event loop in a thread of its own, its lifespan run: requests
    and background work (queued jobs, deliveries) go on there between a test's calls."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._stack = ExitStack()
        self._lifespan = Lifespan(app)
        self._portal: Any = None
        self.transport: httpx.BaseTransport = _NotStarted()

    def start(self) -> None:
        from anyio.from_thread import start_blocking_portal

        self._portal = self._stack.enter_context(start_blocking_portal("asyncio"))
        try:
            self._portal.call(self._lifespan.startup)
        except BaseException:
            self._stack.close()
            raise
        self.transport = _PortalTransport(self.app, self._portal)

    def call(self, function: Any, *args: Any) -> Any:
        """Run ``function`` (awaited when it is a coroutine function) on the app's loop."""
        return self._portal.call(function, *args)

    def stop(self) -> None:
        self.transport = _NotStarted()
        try:
            self._portal.call(self._lifespan.shutdown)
        finally:
            self._stack.close()


class InProcessSandbox(SandboxClients):
    """The sandbox app in this process, on an event loop of its own, with synchronous clients.

    Use as a context manager; the loop (and the app's lifespan) lasts until the end.
    """

    def __init__(self, config: ServerConfig | None = None, **settings: Any) -> None:
        config = config or ServerConfig(**settings)
        self._served = _ServedOnLoop(_create_app(config))
        self._owns_loop = True
        self.app = self._served.app
        super().__init__(IN_PROCESS_URL, config, _NotStarted())

    @classmethod
    def _on(cls, served: _ServedOnLoop, config: ServerConfig) -> "InProcessSandbox":
        """Clients of an app already served (kept by `KeptSandboxes`); leaving them leaves
        the app running."""
        view = cls.__new__(cls)
        view._served, view._owns_loop, view.app = served, False, served.app
        SandboxClients.__init__(view, IN_PROCESS_URL, config, served.transport)
        return view

    def __enter__(self) -> "InProcessSandbox":
        if self._owns_loop:
            self._served.start()
        self._transport = self._served.transport
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.close()
        finally:
            if self._owns_loop:
                self._served.stop()


class _NotStarted(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise SandboxError("the sandbox is not running; use it as a context manager ('with InProcessSandbox(...) as sandbox:')")


class AsyncInProcessSandbox(AsyncSandboxClients):
    """The sandbox app on the current event loop, with asynchronous clients (`async with`).

    ``app`` serves an app built already (the one a `KeptSandboxes` keeps) instead of a new one.
    """

    def __init__(self, config: ServerConfig | None = None, *, app: Any = None, **settings: Any) -> None:
        config = config or ServerConfig(**settings)
        self.app = app if app is not None else _create_app(config)
        self._lifespan = Lifespan(self.app)
        super().__init__(IN_PROCESS_URL, config, httpx.ASGITransport(app=self.app))

    async def __aenter__(self) -> "AsyncInProcessSandbox":
        await self._lifespan.startup()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        try:
            await self.aclose()
        finally:
            await self._lifespan.shutdown()


class KeptSandboxes:
    """Sandboxes built once per configuration and handed out fresh: each use starts from a
    reset, which gives exactly what a sandbox just built with that configuration shows, at
    the cost of a reset instead of a build. What the pytest fixtures use.

        kept = KeptSandboxes()
        with kept.in_process(ServerConfig(seed=7)) as sandbox:     # built
            ...
        with kept.in_process(ServerConfig(seed=7)) as sandbox:     # reset
            ...
        kept.close()

    Synchronous sandboxes are served on an event loop in a thread of their own, kept
    running; asynchronous ones are served on the event loop of each use, their lifespan
    run for it. After each use the sandbox's background work is stopped, so nothing of
    it reaches a webhook receiver between uses. At most `most` sandboxes are kept; the
    one used longest ago is let go first.
    """

    def __init__(self, most: int = 8) -> None:
        self.most = most
        self._kept: OrderedDict[tuple[str, Any], Any] = OrderedDict()

    @contextmanager
    def in_process(self, config: ServerConfig) -> Iterator[InProcessSandbox]:
        """A fresh `InProcessSandbox` of ``config``."""
        served: _ServedOnLoop = self._get(("thread", configuration_key(config)), lambda: self._started(config))
        served.call(_reset_everything, served.app)
        sandbox = InProcessSandbox._on(served, config)
        try:
            with sandbox:
                yield sandbox
        finally:
            served.call(served.app.sandbox.stop_background_work)

    @asynccontextmanager
    async def in_process_async(self, config: ServerConfig) -> AsyncIterator[AsyncInProcessSandbox]:
        """A fresh `AsyncInProcessSandbox` of ``config``, on the running event loop."""
        app = self._get(("loop", configuration_key(config)), lambda: _create_app(config))
        _reset_everything(app)
        async with AsyncInProcessSandbox(config, app=app) as sandbox:
            yield sandbox

    def close(self) -> None:
        """Stop every kept sandbox."""
        while self._kept:
            _, kept = self._kept.popitem(last=False)
            _let_go(kept)

    def _get(self, key: tuple[str, Any], build: Any) -> Any:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        while len(self._kept) >= self.most:
            _, oldest = self._kept.popitem(last=False)
            _let_go(oldest)
        made = self._kept[key] = build()
        return made

    @staticmethod
    def _started(config: ServerConfig) -> _ServedOnLoop:
        served = _ServedOnLoop(_create_app(config))
        served.start()
        return served


def _reset_everything(app: Any) -> None:
    app.sandbox.reset(list(app.sandbox.apis))


def _let_go(kept: Any) -> None:
    if isinstance(kept, _ServedOnLoop):
        kept.stop()


def configuration_key(config: ServerConfig) -> tuple[str, tuple[str, ...]]:
    """What makes two configurations build the same sandbox: every setting, and the
    content of each fixture file it names (a file changed since is another sandbox)."""
    digests = []
    for path in config.fixtures:
        try:
            digests.append(hashlib.sha256(Path(path).read_bytes()).hexdigest())
        except OSError as error:
            digests.append(f"unreadable: {error}")
    return config.model_dump_json(), tuple(digests)


class LiveSandbox(SandboxClients):
    """A real sandbox server on a free loopback port, served from a background thread.

    For clients that need a URL: `server.url`, `server.base_url("afosto")`,
    `server.base_urls`; the synchronous clients and admin calls work over HTTP too.
    """

    def __init__(self, config: ServerConfig | None = None, host: str = "127.0.0.1", **settings: Any) -> None:
        import uvicorn

        config = config or ServerConfig(**settings)
        self.app = _create_app(config)
        # Named TCP, so the event loop turns Nagle's algorithm off on its connections: an
        # answer written in two pieces would otherwise wait for the client's delayed ACK.
        self._listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._listener.bind((host, 0))
        self.port: int = self._listener.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, loop="asyncio", log_config=None, log_level="warning", access_log=False, lifespan="on")
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._listener]}, name="mock-server live sandbox", daemon=True
        )
        shown = f"[{host}]" if ":" in host else host
        super().__init__(f"http://{shown}:{self.port}", config)

    def start(self, timeout: float = 15.0) -> "LiveSandbox":
        """Start serving; returns once the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise SandboxError("the sandbox server stopped during start-up; see the log above")
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxError(f"the sandbox server did not start within {timeout:g} s")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 15.0) -> None:
        self.close()
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._listener.close()

    def __enter__(self) -> "LiveSandbox":
        return self.start()

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

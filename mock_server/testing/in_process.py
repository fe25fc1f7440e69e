"""The sandbox app served in this process: its lifespan run, requests sent straight to it
(no sockets), on an event loop of its own or on the caller's."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack
from typing import Any

import httpx

from ..config import ServerConfig
from .clients import AsyncSandboxClients, SandboxClients
from .errors import SandboxError

IN_PROCESS_URL = "http://localhost"  # a loopback name: the admin API answers only those without a token


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


def create_sandbox_app(config: ServerConfig) -> Any:
    """The sandbox app of ``config`` (the app module is imported on first use, not with this one)."""
    from ..app import create_app

    return create_app(config)


class ServedOnLoop:
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
        self._served = ServedOnLoop(create_sandbox_app(config))
        self._owns_loop = True
        self.app = self._served.app
        super().__init__(IN_PROCESS_URL, config, _NotStarted())

    @classmethod
    def _on(cls, served: ServedOnLoop, config: ServerConfig) -> "InProcessSandbox":
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
        self.app = app if app is not None else create_sandbox_app(config)
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

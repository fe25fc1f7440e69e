"""The ASGI application: `/__admin` to the admin API, each mount to its API's pipeline."""

from __future__ import annotations

import logging
from functools import cached_property
from typing import Any
from urllib.parse import unquote

from .admin.event_sources import watch_sandbox
from .admin.events import EventHub
from .admin.front import AdminFront, json_answer
from .config import ServerConfig
from .engine.asgi import AsgiApp, Receive, Scope, Send
from .engine.errors import ApiError, failure_reference
from .engine.http.body import BodyTooLarge, whole_body
from .engine.http.deadlines import ReadDeadlines
from .engine.pipeline import ApiPipeline
from .engine.sizes import MIB
from .engine.state.failures import ADMIN, REQUEST
from .sandbox import Sandbox
from .serving.collector import collector_paused

ADMIN_BODY_MARGIN_MB = 16
log = logging.getLogger("mock_server")


class SandboxApp(AdminFront):
    """The ASGI entry point: `/__admin` to the admin API, each mount to its API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.events = EventHub()
        watch_sandbox(self.events, sandbox)
        config = sandbox.config
        self.pipelines = {
            name: ApiPipeline(api.runtime, api.vendor, sandbox.journal, config.mount_of(name), config.read_timeout)
            for name, api in sandbox.apis.items()
        }
        for name, pipeline in self.pipelines.items():
            sandbox.overrides.apis[name].bind(pipeline.interceptors)
            if name in sandbox.chaos:
                pipeline.interceptors.append(sandbox.chaos[name].intercept)
        self.single = self.pipelines[config.api] if config.api else None
        self.admin_token = config.admin_token
        self.host = config.host
        # A state export must fit back in: the budget, plus what is kept beside the objects.
        self.admin_body_limit = (config.max_store_mb + ADMIN_BODY_MARGIN_MB) * MIB
        self.admin_deadlines = ReadDeadlines(config.read_timeout)

    @cached_property
    def admin(self) -> AsgiApp:
        """The admin API, built on the first admin call: most of its modules serve it alone."""
        from .admin.routes import admin_app

        return admin_app(self.sandbox, self.keep_failure, self.events)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        pipeline = self.single if self.single is not None else self.pipelines.get(_first_segment(path))
        if pipeline is None:
            mounts = ", ".join(f"/{api}" for api in self.pipelines)
            await json_answer(send, 404, {"error": f"no API is served at {path}; the APIs are under {mounts}"})
            return
        await pipeline(scope, receive, send)

    async def to_admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The admin API, with a write's body read first within the admin limits."""
        if scope["method"].upper() not in ("GET", "HEAD"):
            try:
                body = await whole_body(receive, self.admin_body_limit, self.admin_deadlines)
            except BodyTooLarge:
                limit = f"{self.admin_body_limit // MIB} MB (--max-store-mb + {ADMIN_BODY_MARGIN_MB})"
                await json_answer(send, 413, {"error": f"admin request bodies are limited to {limit}"})
                return
            except ApiError as error:  # the body stalled, or the client left
                await json_answer(send, error.status, {"error": error.message})
                return
            receive = _replay(body, receive)
        await super().to_admin(scope, receive, send)

    def keep_failure(self, method: str, path: str, error: Exception) -> dict[str, Any]:
        """Log an exception an admin call did not expect and list it at `GET /__admin/errors`
        (API `admin`); returns the body of its 500, whose reference names it there."""
        reference = failure_reference()
        log.error("unexpected error answering %s %s (reference %s)", method, path, reference, exc_info=error)
        self.sandbox.failures.record(
            ADMIN, REQUEST, error, request={"method": method, "path": unquote(path), "operation": None}, reference=reference
        )
        return {"error": f"the admin call failed unexpectedly; GET /__admin/errors lists the failure as {reference}", "reference": reference}

    async def at_startup(self) -> None:
        await super().at_startup()
        self.sandbox.wake()

    async def at_shutdown(self) -> None:
        await super().at_shutdown()
        await self.sandbox.close()


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands over ``body`` once, then waits on the connection (for a disconnect)."""
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _first_segment(path: str) -> str:
    """`/afosto/cat/channels` -> `afosto`."""
    if not path.startswith("/"):
        return ""
    end = path.find("/", 1)
    return path[1:end] if end != -1 else path[1:]


def create_app(config: ServerConfig | None = None, **overrides: Any) -> SandboxApp:
    """The ASGI app for a configuration (or the defaults with ``overrides``).

    For in-process tests:
    ``httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(seed=7)), base_url="http://localhost")``.
    """
    config = config or ServerConfig.from_env(**overrides)
    with collector_paused():
        return SandboxApp(Sandbox(config))

"""The ASGI application: `/__admin` to the admin API, each mount to its API's pipeline."""

from __future__ import annotations

import asyncio
from typing import Any

from .admin.guard import check_admin_request
from .admin.routes import admin_app
from .config import ServerConfig
from .engine import jsonio
from .engine.pipeline import ApiPipeline, Receive, Scope, Send
from .engine.store import MIB
from .sandbox import Sandbox

ADMIN_PREFIX = "/__admin"
ADMIN_BODY_MARGIN_MB = 16


class SandboxApp:
    """The ASGI entry point: `/__admin` to the admin API, each mount to its API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.admin = admin_app(sandbox)
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
        # A state export must fit back in: the budget, plus what is kept beside the objects.
        self.admin_body_limit = (config.max_store_mb + ADMIN_BODY_MARGIN_MB) * MIB

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            await self._admin(scope, receive, send, path)
            return
        pipeline = self.single if self.single is not None else self.pipelines.get(_first_segment(path))
        if pipeline is None:
            mounts = ", ".join(f"/{api}" for api in self.pipelines)
            await _json(send, 404, {"error": f"no API is served at {path}; the APIs are under {mounts}"})
            return
        await pipeline(scope, receive, send)

    async def _admin(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        below = path[len(ADMIN_PREFIX):] or "/"
        refusal = check_admin_request(scope, below, self.admin_token, self.sandbox.config.host)
        if refusal is not None:
            await _json(send, refusal.status, {"error": refusal.message})
            return
        if scope["method"].upper() not in ("GET", "HEAD"):
            body = await _admin_body(receive, self.admin_body_limit, self.sandbox.config.read_timeout)
            if isinstance(body, tuple):
                await _json(send, *body)
                return
            receive = _replay(body, receive)
        # The path keeps its prefix and root_path names it (the ASGI convention Starlette's
        # routing, mounts included, relies on).
        admin_scope = dict(scope, root_path=scope.get("root_path", "") + ADMIN_PREFIX)
        await self.admin(admin_scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.sandbox.wake()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.sandbox.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _admin_body(receive: Receive, limit: int, timeout: float) -> bytes | tuple[int, dict[str, str]]:
    """An admin request's body, or the (status, error) to answer when it is too large or stalls."""
    chunks: list[bytes] = []
    size = 0
    more = True
    try:
        while more:
            async with asyncio.timeout(timeout):
                message = await receive()
            if message["type"] == "http.disconnect":
                return 408, {"error": "the connection closed before the request body was complete"}
            chunk = message.get("body", b"")
            size += len(chunk)
            more = message.get("more_body", False)
            if size > limit:
                return 413, {"error": f"admin request bodies are limited to {limit // MIB} MB (--max-store-mb + {ADMIN_BODY_MARGIN_MB})"}
            chunks.append(chunk)
    except TimeoutError:
        return 408, {"error": f"the request body stopped arriving for {timeout:g} seconds"}
    return b"".join(chunks)


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


async def _json(send: Send, status: int, body: Any) -> None:
    payload = jsonio.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def create_app(config: ServerConfig | None = None, **overrides: Any) -> SandboxApp:
    """The ASGI app for a configuration (or the defaults with ``overrides``).

    For in-process tests:
    ``httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(seed=7)), base_url="http://localhost")``.
    """
    config = config or ServerConfig.from_env(**overrides)
    return SandboxApp(Sandbox(config))

"""The ASGI application: `/__admin` to the admin API, each mount to its API's pipeline."""

from __future__ import annotations

import hmac
from typing import Any

from .admin.routes import admin_app
from .config import ServerConfig
from .engine import jsonio
from .engine.pipeline import ApiPipeline, Receive, Scope, Send
from .sandbox import Sandbox

ADMIN_PREFIX = "/__admin"


class SandboxApp:
    """The ASGI entry point: `/__admin` to the admin API, each mount to its API."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.admin = admin_app(sandbox)
        config = sandbox.config
        self.pipelines = {
            name: ApiPipeline(api.runtime, api.vendor, sandbox.journal, config.mount_of(name))
            for name, api in sandbox.apis.items()
        }
        for name, pipeline in self.pipelines.items():
            sandbox.overrides.apis[name].bind(pipeline.interceptors)
            if name in sandbox.chaos:
                pipeline.interceptors.append(sandbox.chaos[name].intercept)
        self.single = self.pipelines[config.api] if config.api else None
        self.admin_token = config.admin_token

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
        if not self._admin_allowed(scope, path):
            await _json(send, 401, {"error": "the admin API needs 'Authorization: Bearer <admin token>'"})
            return
        # The path keeps its prefix and root_path names it (the ASGI convention Starlette's
        # routing, mounts included, relies on).
        admin_scope = dict(scope, root_path=scope.get("root_path", "") + ADMIN_PREFIX)
        await self.admin(admin_scope, receive, send)

    def _admin_allowed(self, scope: Scope, path: str) -> bool:
        return admin_allowed(scope, path, self.admin_token)

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


def admin_allowed(scope: Scope, path: str, admin_token: str | None) -> bool:
    """Whether a request may use the admin API: no token set, the health check, or the
    right `Authorization: Bearer <token>`."""
    if admin_token is None or path == ADMIN_PREFIX + "/health":
        return True
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return scheme.lower() == "bearer" and hmac.compare_digest(token.strip(), admin_token)
    return False


def _first_segment(path: str) -> str:
    return path.split("/", 2)[1] if path.count("/") >= 1 else ""


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
    ``httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(seed=7)), base_url="http://sandbox")``.
    """
    config = config or ServerConfig.from_env(**overrides)
    return SandboxApp(Sandbox(config))

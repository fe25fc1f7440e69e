"""The ASGI entry of a server with an admin API, shared by the sandbox and the validating
proxy: lifespan messages, then each HTTP request either to the admin API under `/__admin`
(once the guard lets it through) or to what the server serves."""

from __future__ import annotations

from typing import Any, Awaitable, Callable

from ..engine import jsonio
from .guard import check_admin_request

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ADMIN_PREFIX = "/__admin"


class AdminFront:
    """Subclasses give `admin` (the admin API's ASGI app), `admin_token` and `host` (what
    the guard checks against), and `serve`; `at_startup` and `at_shutdown` run with the
    server's lifespan."""

    admin: AsgiApp
    admin_token: str | None
    host: str

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            refusal = check_admin_request(scope, path[len(ADMIN_PREFIX):] or "/", self.admin_token, self.host)
            if refusal is not None:
                await json_answer(send, refusal.status, {"error": refusal.message})
                return
            await self.to_admin(scope, receive, send)
            return
        await self.serve(scope, receive, send)

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError

    async def to_admin(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand a request the guard let through to the admin API. The path keeps its prefix
        and root_path names it (the ASGI convention Starlette's routing, mounts included,
        relies on)."""
        await self.admin(dict(scope, root_path=scope.get("root_path", "") + ADMIN_PREFIX), receive, send)

    async def at_startup(self) -> None:
        """Once the server has started."""

    async def at_shutdown(self) -> None:
        """When the server stops."""

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self.at_startup()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.at_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def json_answer(send: Send, status: int, body: Any) -> None:
    """A whole JSON answer, sent without a framework."""
    payload = jsonio.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})

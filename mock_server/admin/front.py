"""The ASGI entry of a server with an admin API, shared by the sandbox and the validating
proxy: lifespan messages, then each HTTP request either to the admin API under `/__admin`
(once the guard lets it through) or to what the server serves."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse

from ..engine import jsonio
from ..engine.asgi import AsgiApp, Receive, Scope, Send
from .guard import check_admin_request

log = logging.getLogger("mock_server")


ADMIN_PREFIX = "/__admin"
# Set in an admin request's scope once its failure was answered (and kept) by `failure_handler`.
_ANSWERED = "mock_server.admin_failure"
# Keeps an unexpected exception of an admin call: (method, path, exception) -> the answer's body.
FailureKeeper = Callable[[str, str, Exception], dict[str, Any]]


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
        relies on). An exception the admin API did not expect is answered as a JSON 500
        (see `failure_handler`), never as text, and never ends the server's handling."""
        admin_scope = dict(scope, root_path=scope.get("root_path", "") + ADMIN_PREFIX)
        started = False

        async def sending(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.admin(admin_scope, receive, sending)
        except Exception as error:
            if admin_scope.get(_ANSWERED) is error:
                return  # answered and kept by the admin app's failure handler
            body = self.keep_failure(scope["method"], scope["path"], error)
            if not started:
                await json_answer(send, 500, body)

    def keep_failure(self, method: str, path: str, error: Exception) -> dict[str, Any]:
        """Log an exception an admin call did not expect; returns the body of its 500, whose
        reference names this failure alone. A server with a failure log keeps it there too."""
        reference = str(uuid.uuid4())
        log.error("unexpected error answering %s %s (reference %s)", method, path, reference, exc_info=error)
        return {"error": f"the admin call failed unexpectedly; the server's log has it as {reference}", "reference": reference}

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


def failure_handler(keep: FailureKeeper) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    """A Starlette handler of unexpected exceptions: kept by ``keep`` (`AdminFront.keep_failure`)
    and answered as a JSON 500 (Starlette would answer plain text)."""

    async def answer(request: Request, error: Exception) -> JSONResponse:
        body = keep(request.method, request.url.path, error)
        request.scope[_ANSWERED] = error
        return JSONResponse(body, status_code=500)

    return answer

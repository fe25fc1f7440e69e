"""The sandbox as a real server on a loopback port, for clients that need a URL."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from ..config import ServerConfig
from .clients import SandboxClients
from .errors import SandboxError
from .in_process import create_sandbox_app


class LiveSandbox(SandboxClients):
    """A real sandbox server on a free loopback port, served from a background thread.

    For clients that need a URL: `server.url`, `server.base_url("afosto")`,
    `server.base_urls`; the synchronous clients and admin calls work over HTTP too.
    """

    def __init__(self, config: ServerConfig | None = None, host: str = "127.0.0.1", **settings: Any) -> None:
        import uvicorn

        from ..serving.stopping import StoppingServer

        config = config or ServerConfig(**settings)
        self.app = create_sandbox_app(config)
        # Named TCP, so the event loop turns Nagle's algorithm off on its connections: an
        # answer written in two pieces would otherwise wait for the client's delayed ACK.
        self._listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._listener.bind((host, 0))
        self.port: int = self._listener.getsockname()[1]
        self._server = StoppingServer(
            uvicorn.Config(self.app, loop="asyncio", log_config=None, log_level="warning", access_log=False, lifespan="on", ws="none"),
            on_stopping=self.app.stopping,
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

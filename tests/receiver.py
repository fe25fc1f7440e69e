"""A real HTTP receiver for webhook tests: a threaded server on 127.0.0.1 and a free port.

It records every request it gets and answers from a script: a list of statuses (the last
one repeats), an optional delay before answering. Paths named in `by_path` answer their
own (status, delay) every time instead, whatever came before.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when it arrived


@dataclass
class Receiver:
    """Start with `with Receiver() as receiver:`; `receiver.url` is where it listens."""

    statuses: list[int] = field(default_factory=lambda: [200])
    delay: float = 0.0  # seconds before each answer
    requests: list[Received] = field(default_factory=list)
    by_path: dict[str, tuple[int, float]] = field(default_factory=dict)  # path -> (status, delay)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def __enter__(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(
                        Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                    )
                    status = receiver.statuses[min(len(receiver.requests) - 1, len(receiver.statuses) - 1)]
                status, delay = receiver.by_path.get(self.path, (status, receiver.delay))
                if delay:
                    time.sleep(delay)
                payload = b'{"ok": true}'
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The first ``count`` requests, waiting up to ``timeout`` seconds for them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests[:count])
            time.sleep(0.01)
        raise AssertionError(f"expected {count} request(s), got {len(self.requests)}")

    async def arrived(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Like `wait_for`, for tests whose sandbox runs on the same event loop."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests[:count])
            await asyncio.sleep(0.01)
        raise AssertionError(f"expected {count} request(s), got {len(self.requests)}")

    def __iter__(self) -> Iterator[Received]:
        return iter(list(self.requests))


def refused_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])

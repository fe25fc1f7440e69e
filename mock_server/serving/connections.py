"""HTTP connections that give up on clients that stop sending.

uvicorn closes idle connections between requests, but not one that was opened and
never sent a complete request (a half-open connection, a client that died mid-header)
nor one whose body stops short of its Content-Length after the answer was sent. Each of
those would hold a connection and its buffers forever. This protocol closes a
connection once it has been silent for the read timeout while a request on it is
incomplete. While a request's body is awaited, the API itself answers 408 after the
same timeout (see `engine/pipeline.py`); the connection waits a moment longer so that
answer can be sent first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Extra seconds a connection waits for a body, so the API's own 408 goes out first.
ANSWER_GRACE = 1.0


class ReadTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a read timeout (`read_timeout` seconds of silence)."""

    read_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_timer: asyncio.TimerHandle | None = None
        self._request_open = True  # waiting for (the rest of) a request
        self._headers_done = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._request_open and not self.transport.is_closing():
            self._arm()

    def on_message_begin(self) -> None:
        self._request_open, self._headers_done = True, False
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._headers_done = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._request_open = False
        self._disarm()
        super().on_message_complete()

    def _arm(self) -> None:
        self._disarm()
        delay = self.read_timeout + (ANSWER_GRACE if self._headers_done else 0.0)
        self._read_timer = self.loop.call_later(delay, self._timed_out)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _timed_out(self) -> None:
        self._read_timer = None
        if self._request_open and not self.transport.is_closing():
            self.transport.close()


def read_timeout_protocol(seconds: float) -> type[ReadTimeoutProtocol]:
    """The protocol class for uvicorn's `http=` setting, with its timeout."""
    return type("ReadTimeoutProtocol", (ReadTimeoutProtocol,), {"read_timeout": seconds})

"""A uvicorn server that tells the application it is about to stop.

uvicorn stops by closing its listeners, then waiting for every open connection to end,
and only then sending the application the lifespan's shutdown. A response that never ends
on its own (the admin event stream an open inspector tab reads) would hold the server up
for good. This server calls ``on_stopping`` first, so such responses end at once, and a
Ctrl-C, a SIGTERM or a test fixture's stop returns promptly.
"""

from __future__ import annotations

import socket
from typing import Callable

import uvicorn


class StoppingServer(uvicorn.Server):
    """`uvicorn.Server` that calls ``on_stopping`` before it waits for open connections."""

    def __init__(self, config: uvicorn.Config, on_stopping: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_stopping = on_stopping

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.on_stopping()
        await super().shutdown(sockets)

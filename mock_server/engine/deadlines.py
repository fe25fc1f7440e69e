"""Reads that stall: one watcher for all of a server's waiting reads, instead of a timer per read.

A request body normally arrives with its headers, so reading it never waits; a timer set
and cancelled around every read would cost more than the read itself. Instead each read
notes when it must have finished, and one watcher task, waking a few times per timeout,
cancels the reads that went past their deadline; the reader turns that into
`TimeoutError`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable

Receive = Callable[[], Awaitable[dict[str, Any]]]


class ReadDeadlines:
    """Gives up reads that wait longer than ``timeout`` seconds."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._waiting: dict[asyncio.Task[Any], float] = {}  # reading task -> monotonic deadline
        self._expired: set[asyncio.Task[Any]] = set()
        self._watcher: asyncio.Task[None] | None = None

    async def read(self, receive: Receive) -> dict[str, Any]:
        """The next message from ``receive``; TimeoutError when it does not come in time."""
        task = asyncio.current_task()
        assert task is not None
        self._waiting[task] = time.monotonic() + self.timeout
        if self._watcher is None or self._watcher.done():
            self._watcher = asyncio.get_running_loop().create_task(self._watch())
        try:
            return await receive()
        except asyncio.CancelledError:
            if task not in self._expired:
                raise
            self._expired.discard(task)
            task.uncancel()
            raise TimeoutError from None
        finally:
            self._waiting.pop(task, None)

    async def _watch(self) -> None:
        pause = min(self.timeout / 4, 1.0)
        while self._waiting:
            await asyncio.sleep(pause)
            now = time.monotonic()
            for task, deadline in list(self._waiting.items()):
                if deadline <= now and task not in self._expired:
                    self._expired.add(task)
                    task.cancel()

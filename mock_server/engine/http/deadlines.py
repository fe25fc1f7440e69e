"""Reads that stall: one watcher for all of a server's waiting reads, instead of a timer per read.

A request body normally arrives with its headers, so reading it never waits. Such a read
is taken as it is, at no cost: the read is started and, when it finishes without waiting,
that is all. Only a read that has to wait is put under a deadline: it notes when it must
have finished, and one watcher task, waking a few times per timeout, cancels the reads
that went past their deadline; the reader turns that into `TimeoutError`.
"""

from __future__ import annotations

import asyncio
import time
import types
from typing import Any, Awaitable, Generator

from ..asgi import Receive


class ReadDeadlines:
    """Gives up reads that wait longer than ``timeout`` seconds."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._waiting: dict[asyncio.Task[Any], float] = {}  # reading task -> monotonic deadline
        self._expired: set[asyncio.Task[Any]] = set()
        self._watcher: asyncio.Task[None] | None = None

    def start(self, receive: Receive) -> tuple[dict[str, Any], None] | tuple[None, Awaitable[dict[str, Any]]]:
        """Start reading the next message: (the message, None) when it was there already,
        else (None, the rest of the read under the deadline, to be awaited: TimeoutError
        when the message does not come in time)."""
        steps = receive().__await__()
        try:
            awaited = steps.send(None)  # the read runs until it has to wait, if it has to
        except StopIteration as finished:
            return finished.value, None  # the common case
        return None, self._wait(steps, awaited)

    async def _wait(self, steps: Generator[Any, Any, dict[str, Any]], awaited: Any) -> dict[str, Any]:
        """The rest of a read that waits, under the deadline."""
        task = asyncio.current_task()
        assert task is not None
        self._waiting[task] = time.monotonic() + self.timeout
        loop = asyncio.get_running_loop()
        if self._watcher is None or self._watcher.done() or self._watcher.get_loop() is not loop:
            self._watcher = loop.create_task(self._watch())  # a watcher of a closed loop watches no more
        try:
            return await _continued(steps, awaited)
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


@types.coroutine
def _continued(steps: Generator[Any, Any, dict[str, Any]], awaited: Any) -> Generator[Any, Any, dict[str, Any]]:
    """Go on with a read that was started by hand and is waiting on ``awaited``: what it
    waits on goes to the event loop, what the loop sends or throws (a cancellation) goes
    back into it, as `await` would have done from the start."""
    while True:
        try:
            sent = yield awaited
        except GeneratorExit:
            steps.close()
            raise
        except BaseException as error:  # noqa: BLE001  handed on to the read, as `await` does
            try:
                awaited = steps.throw(error)
            except StopIteration as finished:
                return finished.value
        else:
            try:
                awaited = steps.send(sent)
            except StopIteration as finished:
                return finished.value

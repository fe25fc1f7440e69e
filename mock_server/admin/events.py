"""`GET /__admin/events`: what happens in the server as it happens, as server-sent events.

An `EventHub` hands each event to every open stream. Each stream has its own bounded
queue: a stream that cannot keep up (a tab in the background, a slow line) is not let
grow the server's memory; its queue is dropped, it is sent a `resync` event and ended,
and the page reconnects and catches up (`/requests?after=`, re-reading its lists).

State changes come in bursts (an import writes thousands of objects): they are gathered
and sent as one `state` event per tick; a tick with more than `STATE_CHANGES_PER_EVENT`
sends `resync` instead. Between events a keep-alive comment goes out every
`KEEP_ALIVE_SECONDS`.

Streams end when the server stops: `close` ends every one at once (the server calls it
before it waits for open connections), so an open inspector tab never holds up a
shutdown. Events may be published from any thread; they reach each stream on its own
event loop.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Callable

from starlette.responses import Response

from ..engine import jsonio
from ..engine.asgi import Receive, Scope, Send

KEEP_ALIVE_SECONDS = 15.0
STATE_TICK_SECONDS = 0.1
STATE_CHANGES_PER_EVENT = 500
QUEUE_LIMIT = 2000  # events waiting for one stream before it is told to resync
STREAM_LIMIT = 100  # streams open at once
HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


class StreamRefused(Exception):
    """No stream now: its status and why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Stream:
    """One open event stream: the events waiting for it, and whether it is to end."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self.loop = loop
        self.limit = limit
        self.waiting: deque[bytes] = deque()
        self.ready = asyncio.Event()
        self.ending = False
        self.overflowed = False

    def offer(self, message: bytes) -> None:
        """Queue one event (on the stream's loop); past the limit the queue is dropped."""
        if self.ending:
            return
        if len(self.waiting) >= self.limit:
            self.waiting.clear()
            self.overflowed = self.ending = True
        else:
            self.waiting.append(message)
        self.ready.set()

    def end(self) -> None:
        """End the stream once what is queued is sent (on the stream's loop)."""
        self.ending = True
        self.ready.set()

    async def next_messages(self, timeout: float) -> list[bytes] | None:
        """What is queued (waiting up to ``timeout``; [] when nothing came), or None once ended."""
        if not self.waiting and not self.ending:
            try:
                await asyncio.wait_for(self.ready.wait(), timeout)
            except asyncio.TimeoutError:
                return []
        self.ready.clear()
        if self.overflowed:
            return None
        messages = list(self.waiting)
        self.waiting.clear()
        if not messages and self.ending:
            return None
        return messages


class EventHub:
    """The open event streams of one server, and what is published to them."""

    def __init__(self, queue_limit: int = QUEUE_LIMIT, stream_limit: int = STREAM_LIMIT) -> None:
        self.queue_limit = queue_limit
        self.stream_limit = stream_limit
        self.streams: set[Stream] = set()
        self.closed = False
        self.number = 0  # the id of the last event
        self._changes: list[dict[str, Any]] = []
        self._changes_dropped = 0
        self._tick: asyncio.TimerHandle | None = None
        self.on_first_stream: list[Callable[[], None]] = []  # watching starts with the first stream

    def __bool__(self) -> bool:
        """Whether any stream is open (publishing costs nothing otherwise)."""
        return bool(self.streams)

    def open(self) -> None:
        """Take streams again (the server started)."""
        self.closed = False

    def join(self) -> Stream:
        """A new stream on the running loop (503 while the server stops, 429 past the limit)."""
        if self.closed:
            raise StreamRefused(503, "the server is stopping")
        if len(self.streams) >= self.stream_limit:
            raise StreamRefused(429, f"at most {self.stream_limit} event streams may be open at once")
        stream = Stream(asyncio.get_running_loop(), self.queue_limit)
        if not self.streams:
            for start in self.on_first_stream:
                start()
            self.on_first_stream.clear()
        self.streams.add(stream)
        return stream

    def leave(self, stream: Stream) -> None:
        self.streams.discard(stream)

    def publish(self, name: str, data: Any) -> None:
        """Send one event to every open stream."""
        if not self.streams:
            return
        self.number += 1
        message = b"event: %s\nid: %d\ndata: %s\n\n" % (name.encode(), self.number, jsonio.dumps(data))
        _on_each(self.streams, lambda stream: stream.offer(message))

    def changed(self, change: dict[str, Any]) -> None:
        """Gather one state change; they go out together once per tick."""
        if not self.streams:
            return
        if len(self._changes) < STATE_CHANGES_PER_EVENT:
            self._changes.append(change)
        else:
            self._changes_dropped += 1
        if self._tick is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self._send_changes()
                return
            self._tick = loop.call_later(STATE_TICK_SECONDS, self._send_changes)

    def _send_changes(self) -> None:
        changes, dropped = self._changes, self._changes_dropped
        self._changes, self._changes_dropped, self._tick = [], 0, None
        if dropped:
            self.publish("resync", {"reason": f"{len(changes) + dropped} state changes at once"})
        elif changes:
            self.publish("state", {"changes": changes})

    def close(self) -> None:
        """End every open stream now and take no new ones (the server stops)."""
        self.closed = True
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None
        _on_each(self.streams, Stream.end)


def _on_each(streams: set[Stream], act: Callable[[Stream], None]) -> None:
    """Do ``act`` to each stream on its own loop (directly when that is the running one)."""
    try:
        running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    for stream in tuple(streams):
        if stream.loop is running:
            act(stream)
        elif not stream.loop.is_closed():
            stream.loop.call_soon_threadsafe(act, stream)


class EventStreamResponse(Response):
    """The stream of one client: events as they come, keep-alive comments between them,
    until the client leaves, the server stops, or the stream falls behind."""

    def __init__(self, hub: EventHub, stream: Stream, keep_alive: float | None = None) -> None:
        self.hub = hub
        self.stream = stream
        self.keep_alive = keep_alive if keep_alive is not None else KEEP_ALIVE_SECONDS
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watcher = asyncio.ensure_future(_until_disconnected(receive, self.stream))
        try:
            await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
            await send({"type": "http.response.body", "body": b": live\n\n", "more_body": True})
            while True:
                messages = await self.stream.next_messages(self.keep_alive)
                if messages is None:
                    break
                body = b"".join(messages) if messages else b": keep-alive\n\n"
                await send({"type": "http.response.body", "body": body, "more_body": True})
            if self.stream.overflowed:
                resync = b'event: resync\ndata: {"reason": "the stream fell behind"}\n\n'
                await send({"type": "http.response.body", "body": resync, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except OSError:
            pass  # the client left while an event was on its way
        finally:
            watcher.cancel()
            self.hub.leave(self.stream)


async def _until_disconnected(receive: Receive, stream: Stream) -> None:
    """End ``stream`` once its client disconnects."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            stream.end()
            return

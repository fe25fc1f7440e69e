"""A reader of the admin event stream for tests: reads in a thread, parses events as they
arrive, and waits for the one a test expects."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import httpx


@dataclass
class Event:
    name: str
    data: Any
    at: float  # time.monotonic() when it arrived


class EventReader:
    """`with EventReader(url) as reader:` reads `url/__admin/events` until the block ends
    or the server ends the stream (`ended` is then set)."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.headers = headers or {}
        self.events: list[Event] = []
        self.comments: list[tuple[str, float]] = []
        self.status: int | None = None
        self.content_type: str | None = None
        self.ended = threading.Event()
        self.connected = threading.Event()
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(5.0, read=60.0))
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> "EventReader":
        self._thread.start()
        assert self.connected.wait(10), "the event stream did not open"
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()

    def leave(self) -> None:
        """Close the connection as a browser tab that goes away does (the read ends)."""
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5)
        self._client.close()

    def _read(self) -> None:
        try:
            with self._client.stream("GET", f"{self.base_url}/__admin/events", headers=self.headers) as response:
                self.status, self.content_type = response.status_code, response.headers.get("content-type")
                self._socket = response.extensions["network_stream"].get_extra_info("socket")
                self.connected.set()
                name, data = "message", []
                for line in response.iter_lines():
                    if line.startswith(":"):
                        with self._lock:
                            self.comments.append((line[1:].strip(), time.monotonic()))
                    elif line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif line == "" and data:
                        with self._lock:
                            self.events.append(Event(name, json.loads("\n".join(data)), time.monotonic()))
                        name, data = "message", []
        except (httpx.HTTPError, RuntimeError, ValueError):
            pass
        finally:
            self.connected.set()
            self.ended.set()

    def named(self, name: str) -> list[Event]:
        with self._lock:
            return [event for event in self.events if event.name == name]

    def wait_for(self, name: str, matching: Callable[[Any], bool] = lambda data: True, timeout: float = 5.0) -> Event:
        """The first `name` event whose data matches, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.named(name):
                if matching(event.data):
                    return event
            time.sleep(0.005)
        raise AssertionError(f"no matching {name!r} event within {timeout} s; got {[(e.name, e.data) for e in self.events]}")

"""Sandboxes built once per configuration and reset for each use."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

from ..config import ServerConfig
from .in_process import AsyncInProcessSandbox, InProcessSandbox, create_sandbox_app, ServedOnLoop


class KeptSandboxes:
    """Sandboxes built once per configuration and handed out fresh: each use starts from a
    reset, which gives exactly what a sandbox just built with that configuration shows, at
    the cost of a reset instead of a build. What the pytest fixtures use.

        kept = KeptSandboxes()
        with kept.in_process(ServerConfig(seed=7)) as sandbox:     # built
            ...
        with kept.in_process(ServerConfig(seed=7)) as sandbox:     # reset
            ...
        kept.close()

    Synchronous sandboxes are served on an event loop in a thread of their own, kept
    running; asynchronous ones are served on the event loop of each use, their lifespan
    run for it. After each use the sandbox's background work is stopped, so nothing of
    it reaches a webhook receiver between uses. At most `most` sandboxes are kept; the
    one used longest ago is let go first.
    """

    def __init__(self, most: int = 8) -> None:
        self.most = most
        self._kept: OrderedDict[tuple[str, Any], Any] = OrderedDict()

    @contextmanager
    def in_process(self, config: ServerConfig) -> Iterator[InProcessSandbox]:
        """A fresh `InProcessSandbox` of ``config``."""
        served: ServedOnLoop = self._get(("thread", configuration_key(config)), lambda: self._started(config))
        served.call(_reset_everything, served.app)
        sandbox = InProcessSandbox._on(served, config)
        try:
            with sandbox:
                yield sandbox
        finally:
            served.call(served.app.sandbox.stop_background_work)

    @asynccontextmanager
    async def in_process_async(self, config: ServerConfig) -> AsyncIterator[AsyncInProcessSandbox]:
        """A fresh `AsyncInProcessSandbox` of ``config``, on the running event loop."""
        app = self._get(("loop", configuration_key(config)), lambda: create_sandbox_app(config))
        _reset_everything(app)
        async with AsyncInProcessSandbox(config, app=app) as sandbox:
            yield sandbox

    def close(self) -> None:
        """Stop every kept sandbox."""
        while self._kept:
            _, kept = self._kept.popitem(last=False)
            _let_go(kept)

    def _get(self, key: tuple[str, Any], build: Any) -> Any:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        while len(self._kept) >= self.most:
            _, oldest = self._kept.popitem(last=False)
            _let_go(oldest)
        made = self._kept[key] = build()
        return made

    @staticmethod
    def _started(config: ServerConfig) -> ServedOnLoop:
        served = ServedOnLoop(create_sandbox_app(config))
        served.start()
        return served


def _reset_everything(app: Any) -> None:
    app.sandbox.reset(list(app.sandbox.apis))


def _let_go(kept: Any) -> None:
    if isinstance(kept, ServedOnLoop):
        kept.stop()


def configuration_key(config: ServerConfig) -> tuple[str, tuple[str, ...]]:
    """What makes two configurations build the same sandbox: every setting, and the
    content of each fixture file it names (a file changed since is another sandbox)."""
    digests = []
    for path in config.fixtures:
        try:
            digests.append(hashlib.sha256(Path(path).read_bytes()).hexdigest())
        except OSError as error:
            digests.append(f"unreadable: {error}")
    return config.model_dump_json(), tuple(digests)

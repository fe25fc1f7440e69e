"""State that survives a restart: the sandbox's state export kept in one JSON file.

`StateFile` reads and writes the file; every write is atomic (a temporary file in the
same folder, flushed to disk, then renamed over the old one), so a crash leaves the last
complete save. A file that cannot be read or parsed raises `StateFileError` with one line
naming the file and the problem, and is left as it is.

`StateKeeper` ties a file to a running sandbox: it loads the file at start, saves every
`interval` seconds when the sandbox's `revision` moved, and saves once more at shutdown.
`StateKeepingApp(app, keeper)` wraps the ASGI app so that happens in the server's lifespan.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

import orjson

from ..engine import jsonio

log = logging.getLogger("mock_server.state_file")


class StateFileError(Exception):
    """A state file that cannot be used; the message is one line naming the file."""


class StatefulSandbox(Protocol):
    """What the keeper needs from the sandbox."""

    revision: int
    runtimes: dict[str, Any]

    def export_state(self) -> dict[str, Any]: ...

    def replace_state(self, document: dict[str, Any]) -> None: ...


class StateFile:
    """One JSON state file on disk."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def check_folder(self) -> None:
        """Fail early when the file could never be written."""
        folder = self.path.parent
        if not folder.is_dir():
            raise StateFileError(f"state file {self.path}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StateFileError(f"state file {self.path}: folder {folder} is not writable")
        if self.path.is_dir():
            raise StateFileError(f"state file {self.path}: is a folder")

    def read(self) -> dict[str, Any] | None:
        """The saved state, or None when there is no file yet."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise StateFileError(f"state file {self.path}: cannot read it: {error.strerror or error}") from None
        if not data.strip():
            raise StateFileError(f"state file {self.path}: is empty; remove it to start from the fixtures")
        try:
            document = jsonio.loads(data)
        except ValueError as error:
            raise StateFileError(f"state file {self.path}: not valid JSON ({_one_line(error)}); it was left untouched") from None
        if not isinstance(document, dict):
            raise StateFileError(f"state file {self.path}: expected a state export (an object of API names)")
        return document

    def write(self, document: dict[str, Any]) -> None:
        """Replace the file with `document`, atomically."""
        self.write_bytes(encode_state(document))

    def write_bytes(self, data: bytes) -> None:
        folder = self.path.parent
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            _remove_quietly(Path(temporary))
            raise
        _sync_folder(folder)

    def remove_leftovers(self) -> None:
        """Temporary files of saves that a crash interrupted."""
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            _remove_quietly(leftover)


def encode_state(document: dict[str, Any]) -> bytes:
    """The file's bytes: indented JSON, so a saved state can be read and diffed."""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2)
    except TypeError:
        return jsonio.dumps(document)


class StateKeeper:
    """Loads a sandbox's state from a file at start and saves it while the server runs."""

    def __init__(self, sandbox: StatefulSandbox, state_file: StateFile, interval: float) -> None:
        self.sandbox = sandbox
        self.file = state_file
        self.interval = interval
        self.saved_revision: int | None = None
        self.error: str | None = None  # the last failed save, for the exit status
        # Sections of APIs this server does not serve (with --api): kept as they were.
        self._other_apis: dict[str, Any] = {}
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def load(self) -> bool:
        """Replace the sandbox's state with the file's; False when there is no file yet."""
        self.file.check_folder()
        document = self.file.read()
        self.file.remove_leftovers()
        self.saved_revision = self.sandbox.revision
        if document is None:
            return False
        served = {api: section for api, section in document.items() if api in self.sandbox.runtimes}
        self._other_apis = {api: section for api, section in document.items() if api not in self.sandbox.runtimes}
        try:
            self.sandbox.replace_state(served)
        except ValueError as error:
            raise StateFileError(f"state file {self.file.path}: {_one_line(error)}; it was left untouched") from None
        except Exception as error:  # nothing of it was loaded (the import is all or nothing)
            log.error("loading state file %s failed", self.file.path, exc_info=error)
            raise StateFileError(
                f"state file {self.file.path}: loading it failed ({type(error).__name__}: {_one_line(error)}); "
                "nothing of it was loaded and it was left untouched"
            ) from None
        self.saved_revision = self.sandbox.revision
        return True

    def snapshot(self) -> tuple[int, bytes]:
        """The revision and the bytes to save for it."""
        revision = self.sandbox.revision
        return revision, encode_state({**self._other_apis, **self.sandbox.export_state()})

    def save(self) -> bool:
        """Save now; False (and `error` set) when the file could not be written."""
        revision, data = self.snapshot()
        return self._write(revision, data)

    def _write(self, revision: int, data: bytes) -> bool:
        try:
            self.file.write_bytes(data)
        except OSError as error:
            self.error = f"state file {self.file.path}: cannot save: {error.strerror or error}"
            log.error(self.error)
            return False
        self.saved_revision = revision
        self.error = None
        return True

    def start(self) -> None:
        """Start saving periodically on the running event loop."""
        self._stop.clear()
        self._task = asyncio.get_running_loop().create_task(self._save_periodically())

    async def stop(self) -> None:
        """Finish a save in progress, stop, and save the final state."""
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None
        self.save()

    async def _save_periodically(self) -> None:
        while not self._stop.is_set():
            try:
                await asyncio.wait_for(self._stop.wait(), self.interval)
            except asyncio.TimeoutError:
                pass
            if self._stop.is_set():
                return
            if self.sandbox.revision == self.saved_revision:
                continue
            try:
                revision, data = self.snapshot()
            except Exception:  # a bug in the export must not end the saving for good
                log.exception("state file %s: the state could not be exported", self.file.path)
                continue
            # The export is taken on the loop; the disk write runs beside it.
            await asyncio.to_thread(self._write, revision, data)


class StateKeepingApp:
    """ASGI wrapper: the keeper starts with the server's lifespan and saves at its end."""

    def __init__(self, app: Any, keeper: StateKeeper) -> None:
        self.app = app
        self.keeper = keeper

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def send_with_keeper(message: dict[str, Any]) -> None:
            if message["type"] == "lifespan.startup.complete":
                self.keeper.start()
            elif message["type"] == "lifespan.shutdown.complete":
                await self.keeper.stop()
            await send(message)

        await self.app(scope, receive, send_with_keeper)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the platform allows opening a folder)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)

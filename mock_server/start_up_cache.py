"""What loading the start-up fixtures made, kept between runs in the cache folder.

Checking and loading the start-up fixtures (the shipped demo accounts and every
`--fixtures` file) is the same work at every start with the same inputs, and most of it
is building the fixture models. A start keeps each API's start-up state under a digest of
everything loading depends on: the package's code, pydantic, Faker, each API's compiled
contract, the fixture files' bytes and every setting except those only serving reads
(where it listens, logging, the admin token, timeouts, the state file). A later start
with the same digest adopts the kept states instead of loading again.

Only a loading whose outcome cannot depend on when it ran or on chance is kept: one that
read no clock, queued no background task or webhook delivery and armed no override
rule. An entry is a pickle, so it is read only when the user running the sandbox owns it
and no one else may write to it; one that cannot be read back is ignored, and the start
loads the fixtures as if there were none.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path
from typing import Any

from .config import ServerConfig
from .engine.contract.cache import cache_folder, code_fingerprint, library_fingerprint, read_entry, write_entry
from .engine.runtime import ApiRuntime
from .engine.state.watchers import Watchers
from .engine.values.kept_texts import faker_stamp
from .engine.vendor import ServedApi

# Settings that change how the sandbox serves, never what loading the fixtures makes
# (`fixtures` is covered by the files' own bytes).
SERVING_ONLY = frozenset(
    {"host", "port", "log_level", "log_format", "admin_token", "read_timeout", "state_file", "state_save_interval", "fixtures"}
)


class UnkeptPart(Exception):
    """A state refers to something that lasts beyond it and is not its runtime's."""


class KeptStartUp:
    """The entry for one set of start-up inputs: adopted when it is there, kept when not."""

    def __init__(self, entry: Path) -> None:
        self.entry = entry

    @classmethod
    def for_inputs(cls, config: ServerConfig, apis: dict[str, ServedApi], fixture_files: list[Path]) -> KeptStartUp | None:
        """The entry for these inputs; None when one of them cannot be told (no code
        fingerprint, Faker not found, a fixture file that cannot be read)."""
        code, faker = code_fingerprint(), faker_stamp()
        if code is None or faker is None:
            return None
        parts = [code, library_fingerprint("pydantic"), faker, config.model_dump_json(exclude=set(SERVING_ONLY))]
        for name, served in apis.items():
            digest = served.runtime.contract.inputs_digest
            if not digest:
                return None
            parts.append(f"{name}\0{digest}")
        for path in fixture_files:
            try:
                content = path.read_bytes()
            except OSError:
                return None  # loading reports it
            parts.append(f"{path}\0{hashlib.sha256(content).hexdigest()}")
        key = hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]
        return cls(cache_folder("start-up") / f"start-{key}.pickle")

    def adopt(self, apis: dict[str, ServedApi]) -> bool:
        """Give every API the start-up state kept for these inputs; False (and nothing
        changed) when there is no usable entry."""
        content = read_entry(self.entry, private=True)
        if content is None:
            return False
        try:
            kept = pickle.loads(content)
            states = {name: _state_from(kept[name], served.runtime) for name, served in apis.items()}
        except Exception:  # whatever a damaged or foreign entry raises: it is not used
            return False
        for name, served in apis.items():
            served.runtime.keep_start_up_state(states[name])
            served.runtime.restore_start_up_state()
        return True

    def keep(self, apis: dict[str, ServedApi]) -> bool:
        """Keep the APIs' start-up states, unless one holds background work (which runs on
        a clock) or a part that cannot be written; whether an entry was written."""
        runtimes = [served.runtime for served in apis.values()]
        if any(runtime.start_up_state.tasks.tasks or runtime.start_up_state.outbox.deliveries for runtime in runtimes):
            return False
        try:
            content = pickle.dumps({name: _state_bytes(served.runtime) for name, served in apis.items()})
        except (UnkeptPart, pickle.PicklingError, TypeError, AttributeError):
            return False
        write_entry(self.entry, content)
        return True


def _state_bytes(runtime: ApiRuntime) -> bytes:
    """The runtime's start-up state, with its lasting parts written as references."""
    lasting = {id(part): index for index, part in enumerate(runtime.lasting_parts())}

    def reference(part: Any) -> int | None:
        index = lasting.get(id(part))
        if index is None and isinstance(part, Watchers):
            raise UnkeptPart("a state refers to watchers that are not its runtime's")
        return index

    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.persistent_id = reference  # type: ignore[method-assign]
    pickler.dump(runtime.start_up_state)
    return buffer.getvalue()


def _state_from(content: bytes, runtime: ApiRuntime) -> Any:
    """A state `_state_bytes` wrote, its references made to this runtime's lasting parts."""
    parts = runtime.lasting_parts()
    unpickler = pickle.Unpickler(io.BytesIO(content))
    unpickler.persistent_load = lambda index: parts[index]  # type: ignore[method-assign]
    return unpickler.load()

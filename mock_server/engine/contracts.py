"""Finding and loading the generated contracts at start-up.

Parsing the largest contract as YAML takes about a second, which is the whole start-up
budget, so each parsed contract is kept as JSON in a cache folder keyed by the YAML's
hash; a changed contract simply gets a new cache entry.
"""

from __future__ import annotations

import copy
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
import yaml

from .bundled import bundled_folder

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def default_contracts_dir() -> Path:
    """The contracts shipped with the package (or the source checkout's `contracts/`)."""
    folder = bundled_folder("contracts")
    if folder is None or not any(folder.glob("*.yaml")):
        raise FileNotFoundError("the bundled contracts are missing from this installation; pass --contracts-dir")
    return folder


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mock-server" / "contracts"


def load_contract(contracts_dir: Path, api: str, cache_dir: Path | None = None) -> dict[str, Any]:
    """Parse one API's OpenAPI document, through the JSON cache when possible."""
    raw = (Path(contracts_dir) / f"{api}.yaml").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:20]
    cached = (cache_dir or _cache_dir()) / f"{api}-{digest}.json"
    try:
        return orjson.loads(cached.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        pass
    document = yaml.load(raw, Loader=_Loader)
    _write_quietly(cached, orjson.dumps(document))
    return document


def _write_quietly(path: Path, data: bytes) -> None:
    """Best effort: a read-only home only costs start-up time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError:
        pass


def served_contract(document: dict[str, Any], mount: str) -> dict[str, Any]:
    """A copy of the contract whose `servers` point at the mount it is served under."""
    served = copy.copy(document)
    served["servers"] = [{"url": mount or "/"}]
    return served

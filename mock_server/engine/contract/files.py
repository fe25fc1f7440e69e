"""Finding and loading the generated contracts at start-up.

Parsing the largest contract as YAML takes seconds, several times the whole start-up,
so each parsed contract is kept as JSON in the cache folder (`engine/contract/cache.py`) under a
digest of the YAML and of the installed YAML parser: a changed contract simply gets a new
entry. PyYAML is imported only when a contract has to be parsed.
"""

from __future__ import annotations

import copy
import hashlib
from pathlib import Path
from typing import Any

import orjson

from ..bundled import bundled_folder
from .cache import cache_folder, library_fingerprint, read_json_object, write_entry

# Part of every entry's name: a new layout of what is kept makes new entries.
_FORMAT = "1"


def default_contracts_dir() -> Path:
    """The contracts shipped with the package (or the source checkout's `contracts/`)."""
    folder = bundled_folder("contracts")
    if folder is None or not any(folder.glob("*.yaml")):
        raise FileNotFoundError("the bundled contracts are missing from this installation; pass --contracts-dir")
    return folder


def contract_text(contracts_dir: Path, api: str) -> bytes:
    """The YAML of one API's contract."""
    return (Path(contracts_dir) / f"{api}.yaml").read_bytes()


def text_digest(text: bytes) -> str:
    """A digest of a contract's YAML, naming what is kept of it in the cache."""
    return hashlib.sha256(text).hexdigest()[:32]


def load_contract(contracts_dir: Path, api: str, cache_dir: Path | None = None) -> dict[str, Any]:
    """Parse one API's OpenAPI document, through the cache when possible."""
    return parse_contract(contract_text(contracts_dir, api), api, cache_dir)


def parse_contract(text: bytes, api: str, cache_dir: Path | None = None) -> dict[str, Any]:
    """One API's OpenAPI document from its YAML, read back from the cache when it is there."""
    parser = hashlib.sha256(library_fingerprint("yaml").encode()).hexdigest()[:12]
    entry = (cache_dir or cache_folder("documents")) / f"{api}-{text_digest(text)}-{parser}-{_FORMAT}.json"
    cached = read_json_object(entry)
    if cached is not None:
        return cached
    import yaml  # only here: most starts never parse YAML

    parsed = orjson.dumps(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    write_entry(entry, parsed)
    # Read back as a later start reads it: the document is the same with or without the cache.
    return orjson.loads(parsed)


def served_contract(document: dict[str, Any], mount: str) -> dict[str, Any]:
    """A copy of the contract whose `servers` point at the mount it is served under."""
    served = copy.copy(document)
    served["servers"] = [{"url": mount or "/"}]
    return served

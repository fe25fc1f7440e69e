"""Files kept between runs in the user's cache folder, so that start-up reads what an
earlier start worked out (a parsed contract, a compiled one) instead of doing it again.

Each entry's file name carries a digest of everything its content depends on, so a
changed input simply makes a new entry. Each file starts with a header and a checksum of
its content: a torn write, a truncated or otherwise damaged file is noticed and ignored,
and the caller works the content out again and writes it anew. Writes are atomic (a
temporary file renamed into place), and best effort: a read-only or missing home only
costs start-up time.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import orjson

from ..bundled import package_folder

_HEADER = b"mock-server cache entry 1\n"
_CHECKSUM_SIZE = 32  # sha256
# Entries of one kind and API kept when a new one is written; older ones are removed.
KEPT_ENTRIES = 8


def cache_folder(kind: str) -> Path:
    """Where entries of one kind live: `$XDG_CACHE_HOME/mock-server/<kind>` (or `~/.cache/...`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mock-server" / kind


def read_entry(path: Path, private: bool = False) -> bytes | None:
    """An entry's content, or None when it is missing or damaged.

    ``private``: also None unless the file belongs to the user running the sandbox and no
    one else may write to it (for content that is trusted as code is, such as a pickle).
    """
    try:
        with open(path, "rb") as handle:
            if private and not _private(os.fstat(handle.fileno())):
                return None
            data = handle.read()
    except OSError:
        return None
    start = len(_HEADER) + _CHECKSUM_SIZE
    if not data.startswith(_HEADER) or len(data) < start:
        return None
    content = data[start:]
    if hashlib.sha256(content).digest() != data[len(_HEADER):start]:
        return None
    return content


def read_json_object(path: Path) -> dict[str, Any] | None:
    """An entry that holds a JSON object, or None when it is missing, damaged or holds anything else."""
    content = read_entry(path)
    if content is None:
        return None
    try:
        found = orjson.loads(content)
    except orjson.JSONDecodeError:
        return None
    return found if isinstance(found, dict) else None


def write_entry(path: Path, content: bytes) -> None:
    """Write an entry atomically, readable and writable by the user only; then remove all
    but the newest `KEPT_ENTRIES` entries that share its name's part before the first `-`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".writing-", delete=False) as handle:
            handle.write(_HEADER + hashlib.sha256(content).digest() + content)
        os.replace(handle.name, path)
    except OSError:
        return
    _prune(path)


def _prune(written: Path) -> None:
    stem = written.name.split("-", 1)[0]
    try:
        siblings = [entry for entry in written.parent.glob(f"{stem}-*{written.suffix}") if entry != written]
        siblings.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for stale in siblings[KEPT_ENTRIES - 1:]:
            stale.unlink()
    except OSError:
        pass


def _private(status: os.stat_result) -> bool:
    owner_only = not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    getuid = getattr(os, "getuid", None)
    return owner_only and (getuid is None or status.st_uid == getuid())


@cache
def code_fingerprint() -> str | None:
    """A digest that changes whenever any module of the package changes; None when the
    package's source files cannot be listed (then nothing that depends on code is kept).

    It is taken from each source file's path, size and modification time, which is how
    Python itself decides whether a module's compiled bytecode is still current: a change
    that this fingerprint misses would make Python run stale code too. Reading every
    source file instead would cost start-up several milliseconds.
    """
    try:
        return package_fingerprint(package_folder())
    except OSError:
        return None


@cache
def library_fingerprint(name: str) -> str:
    """A digest that changes when the installed library ``name`` (its package's files) does,
    without loading it: an upgrade that could change what it makes changes the digest."""
    try:
        spec = find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            return f"{name}: not installed"
        return package_fingerprint(Path(next(iter(spec.submodule_search_locations))), suffixes=("",))
    except (OSError, ImportError, ValueError):
        return f"{name}: unknown"


def package_fingerprint(folder: Path, suffixes: tuple[str, ...] = (".py",)) -> str:
    """The fingerprint of the files under ``folder`` whose names end in one of ``suffixes``
    (see `code_fingerprint`)."""
    found: list[str] = []
    _list_files(str(folder), "", suffixes, found)
    found.sort()
    text = "\n".join([sys.version, *found])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _list_files(folder: str, prefix: str, suffixes: tuple[str, ...], found: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    _list_files(entry.path, f"{prefix}{entry.name}/", suffixes, found)
            elif entry.name.endswith(suffixes):
                status = entry.stat()
                found.append(f"{prefix}{entry.name}\0{status.st_size}\0{status.st_mtime_ns}")

"""The texts Faker wrote for one seed, kept between runs in the cache folder.

Each text that `FakeData` asks Faker for depends only on the seed, its key and the code
that picks the Faker call, so an entry named by a digest of the seed, the package's code
and the installed Faker is never stale: it can only lack texts. A start whose demo data an
earlier run made then needs no Faker at all, and loading and building Faker is most of
what the first demo request costs.
"""

from __future__ import annotations

import hashlib
import os
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import orjson

from ..contract.cache import cache_folder, code_fingerprint, read_entry, write_entry

# At most this many texts are kept per seed: identifiers a client makes up create demo
# objects on first use, and memory must stay bounded whatever a client asks for.
KEPT_TEXTS_LIMIT = 20_000


def faker_stamp() -> str | None:
    """The installed Faker's package file (path, size, modification time): an upgrade
    rewrites it, without Faker being loaded to ask its version."""
    try:
        spec = find_spec("faker")
        if spec is None or spec.origin is None:
            return None
        status = os.stat(spec.origin)
    except (OSError, ImportError, ValueError):
        return None
    return f"{spec.origin}\0{status.st_size}\0{status.st_mtime_ns}"


def _entry_path(seed: int) -> Path | None:
    code, faker = code_fingerprint(), faker_stamp()
    if code is None or faker is None:
        return None
    digest = hashlib.sha256(f"{seed}\0{code}\0{faker}".encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return cache_folder("texts") / f"texts-{digest}.json"


@cache
def kept_texts(seed: int) -> KeptTexts:
    """The one `KeptTexts` of ``seed`` in this process, which every API's fake data shares
    (each saving its own would overwrite the others' texts)."""
    return KeptTexts(seed)


class KeptTexts:
    """The kept texts of one seed: read from the cache folder on first use, saved when new
    ones were added."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._texts: dict[str, str] | None = None
        self._added = False

    def _loaded(self) -> dict[str, str]:
        if self._texts is None:
            path = _entry_path(self.seed)
            content = read_entry(path) if path is not None else None
            texts = _parsed(content) if content is not None else {}
            self._texts = texts
        return self._texts

    def get(self, key: str) -> str | None:
        """The text kept for ``key``, or None."""
        return self._loaded().get(key)

    def keep(self, key: str, text: str) -> None:
        """Keep a text Faker wrote for ``key`` (while there is room)."""
        texts = self._loaded()
        if len(texts) < KEPT_TEXTS_LIMIT and key not in texts:
            texts[key] = text
            self._added = True

    def save(self) -> None:
        """Write the texts to the cache folder when some were added since they were read
        (best effort, as every cache entry)."""
        if not self._added or self._texts is None:
            return
        path = _entry_path(self.seed)
        if path is not None:
            write_entry(path, orjson.dumps(self._texts))
        self._added = False


def _parsed(content: bytes) -> dict[str, str]:
    try:
        texts = orjson.loads(content)
    except orjson.JSONDecodeError:
        return {}
    if not isinstance(texts, dict) or not all(isinstance(text, str) for text in texts.values()):
        return {}
    return texts

"""Where the files shipped with the sandbox are: the contracts and the start-up fixtures.

The repository keeps one copy of each at its top level (`contracts/`, `fixtures/`). A
built wheel carries them inside the package, as `mock_server/_bundled/<folder>/` (the
build step in `setup.py` copies them there); a source checkout or an editable install
reads the top-level folders directly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

BUNDLED_FOLDERS = ("contracts", "fixtures")


@cache
def package_folder() -> Path:
    """The folder of the installed `mock_server` package: this module's package's parent
    (read from the module's own file, which is quicker than asking `importlib.resources`
    by name, a few milliseconds of every start)."""
    return Path(__file__).resolve().parent.parent


def bundled_folder(name: str) -> Path | None:
    """The shipped folder `name` (one of `BUNDLED_FOLDERS`), or None when it is missing."""
    if name not in BUNDLED_FOLDERS:
        raise ValueError(f"no bundled folder {name!r}; bundled: {', '.join(BUNDLED_FOLDERS)}")
    packaged = package_folder() / "_bundled" / name
    if packaged.is_dir():
        return packaged
    source = package_folder().parent / name
    if source.is_dir():
        return source
    return None

"""Build step: the wheel carries the repository's contracts and fixtures as package data.

The repository keeps one copy of each file, in the top-level `contracts/` and `fixtures/`
folders. `build_py` copies them into the built package as `mock_server/_bundled/<folder>/`,
where `mock_server.engine.bundled` finds them with `importlib.resources`. Editable
installs read the top-level folders in place, so the copy is skipped for them.
Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {
    "contracts": ("*.yaml", "*.md"),
    "fixtures": ("*.yaml", "*.yml", "*.json"),
}


class BuildPyWithBundledData(build_py):
    """`build_py`, plus the contracts and fixtures copied into the package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, patterns in BUNDLED.items():
            source = ROOT / folder
            files = sorted({path for pattern in patterns for path in source.rglob(pattern)})
            if not files:
                raise SystemExit(f"setup.py: {source} holds no {' or '.join(patterns)} files to bundle")
            target = Path(self.build_lib) / "mock_server" / "_bundled" / folder
            shutil.rmtree(target, ignore_errors=True)  # no stale files from an earlier build
            for path in files:
                destination = target / path.relative_to(source)
                self.mkpath(str(destination.parent))
                self.copy_file(str(path), str(destination), preserve_mode=False)


setup(cmdclass={"build_py": BuildPyWithBundledData})

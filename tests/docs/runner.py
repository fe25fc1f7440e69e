"""Running the examples of one documentation page, as a reader would, in a folder of its own.

- `file` blocks are written first, into the page's folder.
- Python blocks that define tests become test modules of a scratch downstream project in
  that folder, run with pytest at the end of the page with the project's own configuration
  (a `pytest.ini` or `pyproject.toml` the page writes, else an empty `pytest.ini`), so
  nothing of this repository's pytest settings applies.
- Shell blocks run in order with `bash -euo pipefail` in the page's folder; the variables
  and functions one block defines are there in the next, as in one terminal. The page's
  `BASE`, `RECEIVER_PORT` and `PROXY_PORT` assignments get free ports of the test.
- The page's sandbox is `mock-server serve` on a free port: started with the page's `serve`
  block (again at each one, as a reader restarts it), or with no flags when the page has
  none. Background blocks keep running until the page ends.
- An `output` block is compared with what the run before it printed (see compare.py).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mock_server.testing import SandboxError, wait_until_ready

from .blocks import Block, Marker, PageError
from .compare import output_matches
from .shell_rules import OVERRIDDEN, curl_problems, joined, literal_address_problems, with_overrides

BIN = Path(sys.executable).parent
BLOCK_TIMEOUT = 60.0
START_TIMEOUT = 30.0
BACKGROUND_OUTPUT_WAIT = 10.0
_CONFIG_FILES = ("pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
CENSUS: list["Census"] = []  # every page run in this session, for the summary at the end
_SAVE_STATE = r"""
__docs_save() {
  local __docs_status=$?
  { declare -p $(compgen -v | grep -vxFf "$__DOCS_STATE.baseline" | grep -v '^__docs') 2>/dev/null \
      | grep -v '^declare -[a-zA-Z]*r' || true
    for __docs_function in $(declare -F | cut -d' ' -f3 | grep -v '^__docs'); do declare -f "$__docs_function"; done
  } > "$__DOCS_STATE.next"
  mv "$__DOCS_STATE.next" "$__DOCS_STATE"
  exit $__docs_status
}
trap __docs_save EXIT
[ -f "$__DOCS_STATE" ] && source "$__DOCS_STATE"
set -euo pipefail
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_environment(**extra: str) -> dict[str, str]:
    """This environment without settings that would change what an example does."""
    dropped = ("MOCK_SERVER_", "PYTEST_", "PYTHONPATH", "CURL_", "BASH_ENV", "ENV")
    environment = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    environment["PATH"] = f"{BIN}{os.pathsep}{environment.get('PATH', '')}"
    environment.update(extra)
    return environment


@dataclass
class Census:
    """What a page's examples came to."""

    page: str
    ran: list[str] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    tests: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


class PageRun:
    """The examples of one page, run in ``folder``."""

    def __init__(self, blocks: list[Block], folder: Path) -> None:
        self.blocks = blocks
        self.folder = folder
        self.page = blocks[0].page.name if blocks else "?"
        self.census = Census(self.page)
        self.values = {
            "BASE": f"http://127.0.0.1:{free_port()}",
            "RECEIVER_PORT": str(free_port()),
            "PROXY_PORT": str(free_port()),
        }
        self.environment = clean_environment(__DOCS_STATE=str(folder / ".state.sh"), **self.values)
        self.sandbox: subprocess.Popen | None = None
        self.sandbox_log: Path | None = None
        self.background: dict[str, tuple[subprocess.Popen, Path]] = {}
        self.last_output: tuple[str, str] | None = None  # (where, what it printed)

    # -- the page as a whole -------------------------------------------------------------

    def run(self) -> Census:
        self.check_rules()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write_files()
        (self.folder / ".state.sh.baseline").write_text(
            subprocess.run(["bash", "-c", "compgen -v"], env=self.environment, capture_output=True, text=True).stdout
        )
        try:
            if not any(block.marker.action == "serve" for block in self.blocks) and self._needs_sandbox():
                self.start_sandbox("mock-server serve\n", None)
            for index, block in enumerate(self.blocks):
                self._run_block(index, block)
            self._run_tests()
        finally:
            self.stop_all()
        return self.census

    def check_rules(self) -> None:
        """Markers that fit their blocks, curl calls that fail loudly, addresses from variables."""
        problems = []
        for index, block in enumerate(self.blocks):
            action = block.marker.action
            if action == "run" and not (block.is_shell or block.is_python):
                problems.append(f"{block.where}: a `{block.language or 'plain'}` block is neither run nor marked "
                                "(file, output or skip with a reason)")
            if action in ("serve", "background") and not block.is_shell:
                problems.append(f"{block.where}: a {action} block is a shell block")
            if action == "serve" and not joined(block.code).strip().startswith("mock-server serve"):
                problems.append(f"{block.where}: a serve block holds one `mock-server serve ...` command")
            if block.is_shell and action in ("run", "background", "serve"):
                following = self.blocks[index + 1] if index + 1 < len(self.blocks) else None
                followed = following is not None and following.marker.action == "output" and not following.marker.argument
                problems += curl_problems(block.code, block.where, followed)
                problems += literal_address_problems(block.code, block.where)
            if action == "output" and not block.marker.argument and index == 0:
                problems.append(f"{block.where}: an output block with nothing before it")
        if problems:
            raise PageError("\n".join(problems))

    def _needs_sandbox(self) -> bool:
        return any(
            block.marker.action in ("run", "background") and block.is_shell and "$BASE" in block.code.replace("${BASE}", "$BASE")
            for block in self.blocks
        )

    def _write_files(self) -> None:
        for index, block in enumerate(self.blocks):
            if block.marker.action == "file":
                target = self.folder / block.marker.argument
                self.census.files.append(block.where)
            elif block.marker.action == "run" and block.defines_tests:
                target = self.folder / "tests" / f"test_example_{index}.py"
            else:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.code, encoding="utf-8")

    def _run_block(self, index: int, block: Block) -> None:
        action = block.marker.action
        if action == "skip":
            self.census.skipped.append((block.where, block.marker.argument))
        elif action == "serve":
            self.start_sandbox(block.code, block)
        elif action == "background":
            self.start_background(block)
        elif action == "output":
            self.compare(block)
        elif action == "run" and block.is_shell:
            self.run_shell(block)
        elif action == "run" and block.is_python and not block.defines_tests:
            self.run_python_script(block)

    # -- the sandbox and background processes --------------------------------------------

    def start_sandbox(self, code: str, block: Block | None) -> None:
        """`mock-server serve ...` as the page writes it, on this page's port."""
        self.stop_sandbox()
        port = self.values["BASE"].rsplit(":", 1)[1]
        command = with_overrides(joined(code).strip(), self.values) + f" --host 127.0.0.1 --port {port}"
        log = self.folder / f".sandbox-{block.line if block else 0}.log"
        with open(log, "w") as output:
            self.sandbox = subprocess.Popen(
                ["bash", "-c", f"exec {command}"], cwd=self.folder, env=self.environment,
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.sandbox_log = log
        try:
            wait_until_ready(self.values["BASE"], self.sandbox, START_TIMEOUT)
        except SandboxError as error:
            raise AssertionError(f"{block.where if block else self.page}: {error}: {log.read_text()}") from None
        if block is not None:
            self.census.ran.append(block.where)
            self.last_output = (block.where, log.read_text())

    def start_background(self, block: Block) -> None:
        log = self.folder / f".{block.marker.argument}.log"
        with open(log, "w") as output:
            process = subprocess.Popen(
                ["bash", "-c", _SAVE_STATE + with_overrides(block.code, self.values)], cwd=self.folder,
                env=self.environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.background[block.marker.argument] = (process, log)
        for name in ("RECEIVER_PORT", "PROXY_PORT"):
            if f"${name}" in block.code or f"${{{name}}}" in block.code:
                self._wait_for_port(int(self.values[name]), process, block, log)
        self.census.ran.append(block.where)

    def _wait_for_port(self, port: int, process: subprocess.Popen, block: Block, log: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"{block.where}: the background command exited: {log.read_text()}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError(f"{block.where}: nothing listens on port {port} after {START_TIMEOUT} s: {log.read_text()}")

    def stop_sandbox(self) -> None:
        if self.sandbox is not None:
            _stop(self.sandbox)
            self.sandbox = None

    def stop_all(self) -> None:
        self.stop_sandbox()
        for process, _ in self.background.values():
            _stop(process)
        self.background.clear()

    # -- blocks that run to their end ----------------------------------------------------

    def run_shell(self, block: Block) -> None:
        script = _SAVE_STATE + with_overrides(block.code, self.values)
        self._run(["bash", "-c", script], block)

    def run_python_script(self, block: Block) -> None:
        self._run([sys.executable, "-c", block.code], block)

    def _run(self, command: list[str], block: Block) -> None:
        log = self.folder / f".block-{block.line}.log"
        with open(log, "w") as output:
            process = subprocess.Popen(
                command, cwd=self.folder, env=self.environment, stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
            try:
                status = process.wait(BLOCK_TIMEOUT)
            except subprocess.TimeoutExpired:
                _stop(process)
                raise AssertionError(f"{block.where}: still running after {BLOCK_TIMEOUT} s: {log.read_text()}") from None
        # What the block left running in the background ends with the page.
        self.background[f".block-{block.line}"] = (process, log)
        printed = log.read_text()
        if status != 0:
            raise AssertionError(f"{block.where}: exited with status {status}:\n{self._shown(printed)}")
        self.census.ran.append(block.where)
        self.last_output = (block.where, printed)

    # -- comparing -----------------------------------------------------------------------

    def _shown(self, printed: str) -> str:
        """Output as the page would show it: this test's ports replaced by the page's."""
        for name, shown in OVERRIDDEN.items():
            actual = self.values[name]
            port, shown_port = actual.rsplit(":", 1)[-1], shown.rsplit(":", 1)[-1]
            printed = re.sub(rf"(?<=:){port}\b", shown_port, printed)
            printed = re.sub(rf"(?<=--port ){port}\b", shown_port, printed)
        return printed

    def compare(self, block: Block) -> None:
        marker = block.marker
        if marker.argument:
            if marker.argument not in self.background:
                raise AssertionError(f"{block.where}: no background block named {marker.argument!r} before it")
            process, log = self.background[marker.argument]
            deadline = time.monotonic() + BACKGROUND_OUTPUT_WAIT
            while True:
                printed = self._shown(log.read_text())
                if output_matches(block.code, printed, abridged=marker.abridged, volatile=marker.volatile):
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(_difference(block, printed))
                time.sleep(0.1)
        else:
            if self.last_output is None:
                raise AssertionError(f"{block.where}: an output block, but no example ran before it")
            printed = self._shown(self.last_output[1])
            if not output_matches(block.code, printed, abridged=marker.abridged, volatile=marker.volatile):
                raise AssertionError(_difference(block, printed))
        self.census.compared.append(block.where)

    # -- the scratch downstream project --------------------------------------------------

    def _run_tests(self) -> None:
        tests = [
            block for block in self.blocks
            if block.defines_tests and (block.marker.action == "run" or _is_test_module(block.marker))
        ]
        expected = sum(block.test_count for block in tests)
        if not expected:
            return
        if not any((self.folder / name).exists() for name in _CONFIG_FILES):
            (self.folder / "pytest.ini").write_text("[pytest]\n")
        # pytest-asyncio is in this environment but not in what the `pytest` extra installs:
        # it is on only for a page whose tests or configuration say they need it.
        configuration = [self.folder / name for name in _CONFIG_FILES if (self.folder / name).exists()]
        says_asyncio = any("asyncio" in block.code for block in tests) or any("asyncio" in path.read_text() for path in configuration)
        process = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error::DeprecationWarning",
             *(() if says_asyncio else ("-p", "no:asyncio")), "tests"],
            cwd=self.folder, env=self.environment, capture_output=True, text=True, timeout=BLOCK_TIMEOUT * 2,
            stdin=subprocess.DEVNULL,
        )
        summary = process.stdout.strip().splitlines()[-1] if process.stdout.strip() else ""
        where = ", ".join(block.where for block in tests)
        if process.returncode != 0 or not re.fullmatch(rf"{expected} passed in [\d.]+s(?: \([\d:]+\))?", summary):
            raise AssertionError(
                f"{where}: the page's tests in a downstream project: expected {expected} passed, no warnings:\n"
                f"{process.stdout}\n{process.stderr}"
            )
        self.census.tests += expected
        self.census.ran += [block.where for block in tests if block.marker.action == "run"]


def _is_test_module(marker: Marker) -> bool:
    """A file block the scratch project's pytest run collects."""
    path = Path(marker.argument)
    return marker.action == "file" and path.parts[:1] == ("tests",) and path.name.startswith("test_")


def _difference(block: Block, printed: str) -> str:
    return (
        f"{block.where}: the output shown{' (abridged)' if block.marker.abridged else ''} is not what the example printed\n"
        f"--- shown on the page\n{block.code}--- printed\n{printed}"
    )


def _stop(process: subprocess.Popen) -> None:
    """End a process this test started, and what it started (its own session)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    else:
        try:
            os.killpg(process.pid, signal.SIGTERM)  # children a finished block left behind
        except (ProcessLookupError, PermissionError):
            pass

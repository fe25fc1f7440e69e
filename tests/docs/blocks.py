"""The fenced code blocks of a documentation page, with what the page says to do with each.

A block is run, written to a file, compared, or skipped, as the HTML comment on the line
before it says (an unmarked `sh` or `python` block is run):

    <!-- example: skip (needs Docker) -->        not run; the reason is required and listed
    <!-- example: file tests/accounts.yaml -->   written to that path of the page's folder
    <!-- example: serve -->                      a `mock-server serve ...` command: the sandbox
                                                 of the page, (re)started on a free port
    <!-- example: background receiver -->        a shell block that keeps running (a receiver)
    <!-- example: output -->                     what the previous run block prints
    <!-- example: output of receiver -->         what a background block has printed
    <!-- example: output abridged volatile=uptimeSeconds,durationMs -->

`abridged` compares a part of the output (JSON: the keys and items shown; text: the lines
shown, in order); `volatile=` names JSON keys whose values change from run to run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

SHELL_LANGUAGES = ("sh", "bash", "shell")
PYTHON_LANGUAGES = ("python", "py")
ACTIONS = ("skip", "file", "serve", "background", "output")

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
_MARKER = re.compile(r"^\s*<!--\s*example:\s*(?P<body>.*?)\s*-->\s*$")
_SKIP = re.compile(r"^skip\s*\((?P<reason>[^)]*\S[^)]*)\)$")
_TEST_FUNCTION = re.compile(r"^(async\s+)?def\s+test_", re.MULTILINE)


class PageError(ValueError):
    """A page whose blocks or markers cannot be read; names the page and line."""


@dataclass
class Marker:
    """What the comment before a block asks for."""

    action: str  # one of ACTIONS, or "run" for an unmarked block
    argument: str = ""  # skip: the reason; file: the path; background/output: a name
    abridged: bool = False
    volatile: tuple[str, ...] = ()


@dataclass
class Block:
    """One fenced code block of a page."""

    page: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    marker: Marker = field(default_factory=lambda: Marker("run"))

    @property
    def where(self) -> str:
        return f"{self.page.name}:{self.line}"

    @property
    def is_shell(self) -> bool:
        return self.language in SHELL_LANGUAGES

    @property
    def is_python(self) -> bool:
        return self.language in PYTHON_LANGUAGES

    @property
    def defines_tests(self) -> bool:
        return self.is_python and bool(_TEST_FUNCTION.search(self.code))

    @property
    def test_count(self) -> int:
        return len(_TEST_FUNCTION.findall(self.code)) if self.is_python else 0


def parse_marker(body: str, where: str) -> Marker:
    """`skip (reason)`, `file PATH`, `serve`, `background NAME`, `output [of NAME] [abridged] [volatile=a,b]`."""
    word = body.split(maxsplit=1)[0] if body.split() else ""
    if word == "skip":
        match = _SKIP.match(body)
        if not match:
            raise PageError(f"{where}: a skipped example says why: <!-- example: skip (reason) -->")
        return Marker("skip", match["reason"].strip())
    if word == "file":
        parts = body.split()
        if len(parts) != 2 or Path(parts[1]).is_absolute() or ".." in Path(parts[1]).parts:
            raise PageError(f"{where}: <!-- example: file RELATIVE/PATH --> names one path inside the page's folder")
        return Marker("file", parts[1])
    if word == "serve":
        if body != "serve":
            raise PageError(f"{where}: <!-- example: serve --> takes nothing more")
        return Marker("serve")
    if word == "background":
        parts = body.split()
        if len(parts) != 2:
            raise PageError(f"{where}: <!-- example: background NAME --> names the process")
        return Marker("background", parts[1])
    if word == "output":
        return _output_marker(body.split()[1:], where)
    raise PageError(f"{where}: unknown example marker {body!r}; known: {', '.join(ACTIONS)}")


def _output_marker(words: list[str], where: str) -> Marker:
    marker = Marker("output")
    rest = list(words)
    if rest[:1] == ["of"]:
        if len(rest) < 2:
            raise PageError(f"{where}: <!-- example: output of NAME --> names a background block")
        marker.argument = rest[1]
        rest = rest[2:]
    for word in rest:
        if word == "abridged":
            marker.abridged = True
        elif word.startswith("volatile="):
            marker.volatile = tuple(key for key in word.removeprefix("volatile=").split(",") if key)
        else:
            raise PageError(f"{where}: unknown output option {word!r} (abridged, volatile=KEY,KEY)")
    return marker


def read_blocks(page: Path) -> list[Block]:
    """Every fenced block of a Markdown page, in order, with its marker."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    pending: tuple[int, str] | None = None  # a marker comment waiting for its block
    index = 0
    while index < len(lines):
        line = lines[index]
        marker_match = _MARKER.match(line)
        if marker_match:
            if pending is not None:
                raise PageError(f"{page.name}:{pending[0]}: an example marker not followed by a code block")
            pending = (index + 1, marker_match["body"])
            index += 1
            continue
        fence = _FENCE.match(line)
        if fence is None:
            if line.strip() and pending is not None:
                raise PageError(f"{page.name}:{pending[0]}: an example marker must be right before its code block")
            index += 1
            continue
        closing, code = _block_body(lines, index, fence)
        block = Block(page, index + 1, fence["info"].lower(), code)
        if pending is not None:
            block.marker = parse_marker(pending[1], f"{page.name}:{pending[0]}")
            pending = None
        blocks.append(block)
        index = closing + 1
    if pending is not None:
        raise PageError(f"{page.name}:{pending[0]}: an example marker at the end of the page")
    return blocks


def _block_body(lines: list[str], start: int, fence: re.Match) -> tuple[int, str]:
    """The closing line's index and the block's text, de-indented like its fence."""
    indent, mark = fence["indent"], fence["fence"]
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(mark[0] * len(mark)) and set(stripped) == {mark[0]}:
            body = [text[len(indent):] if text.startswith(indent) else text.lstrip() for text in lines[start + 1:index]]
            return index, "\n".join(body) + "\n"
    raise PageError(f"a code block opened at line {start + 1} is never closed")

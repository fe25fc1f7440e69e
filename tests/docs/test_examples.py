"""Every example of the documentation runs, as a reader would run it (see runner.py):
shell blocks against a live sandbox, Python tests in a scratch downstream project, and
the outputs the pages show compared with what the examples print."""

from __future__ import annotations

from pathlib import Path

import pytest

from .blocks import Block, read_blocks
from .runner import CENSUS, PageRun

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
# The documentation site's pages, and the README, whose examples are the first a reader runs.
PAGES = [*sorted(DOCS.rglob("*.md")), REPO / "README.md"]

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("page", PAGES, ids=[str(page.relative_to(REPO)) for page in PAGES])
def test_page_examples_run(page: Path, tmp_path: Path) -> None:
    blocks = read_blocks(page)
    census = PageRun(blocks, tmp_path / page.stem).run()
    CENSUS.append(census)
    runnable = [block for block in blocks if block.marker.action not in ("skip", "file", "output")]
    assert len(census.ran) == len(runnable), f"ran {census.ran}, expected every one of {[b.where for b in runnable]}"


def test_the_documentation_has_examples() -> None:
    blocks: list[Block] = [block for page in PAGES for block in read_blocks(page)]
    assert PAGES and sum(block.marker.action != "skip" for block in blocks) >= 50

"""Lists the documentation examples that were not run, with the page's reason, at the end."""

from __future__ import annotations

import pytest

from .runner import CENSUS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CENSUS:
        return
    ran = sum(len(census.ran) for census in CENSUS)
    compared = sum(len(census.compared) for census in CENSUS)
    tests = sum(census.tests for census in CENSUS)
    skipped = [(where, reason) for census in CENSUS for where, reason in census.skipped]
    terminalreporter.section("documentation examples")
    terminalreporter.write_line(
        f"{len(CENSUS)} page(s): {ran} example(s) run ({tests} test(s) in downstream projects), "
        f"{compared} output(s) compared, {len(skipped)} not run:"
    )
    for where, reason in skipped:
        terminalreporter.write_line(f"  {where}: {reason}")

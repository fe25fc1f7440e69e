"""The walk's tables are printed at the end of the test run."""

from __future__ import annotations

import pytest

_TABLES: list[str] = []


@pytest.fixture
def walk_report() -> list[str]:
    return _TABLES


def pytest_terminal_summary(terminalreporter) -> None:
    if _TABLES:
        terminalreporter.section("operation walk")
        for text in _TABLES:
            terminalreporter.write_line(text)

"""The every-check run's seed is shown before the tests and again after them."""

from __future__ import annotations

from tests.conformance.seed import REPLAY, SEED

EVERY_CHECK_MODULE = "test_schemathesis_every_check.py"


def pytest_report_header(config) -> str:
    return f"schemathesis every-check seed: {SEED} ({REPLAY})"


def pytest_terminal_summary(terminalreporter) -> None:
    ran = any(
        EVERY_CHECK_MODULE in report.nodeid
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
    )
    if ran:
        terminalreporter.write_line(f"schemathesis every-check seed: {SEED} ({REPLAY})")

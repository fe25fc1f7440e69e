"""`mock-server coverage`: figures, exit codes around the thresholds, JSON and JUnit output."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from tests.live import live_server
from tests.http_sandbox import AFOSTO, FROZEN


@pytest.fixture(scope="module")
def exercised():
    """A running sandbox whose Afosto API saw three operations, one of them twice."""
    with live_server(create_app(frozen_time=FROZEN)) as url:
        with httpx.Client(base_url=url) as client:
            client.get("/afosto/cat/channels", headers=AFOSTO)
            client.get("/afosto/cat/channels")  # 401
            created = client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"}).json()
            client.get(f"/afosto/cat/channels/{created['id']}", headers=AFOSTO)
            report = client.get("/__admin/coverage").json()
        yield url, report


def _json(capsys, *args: str) -> tuple[int, dict]:
    status = main(["coverage", *args, "--format", "json"])
    return status, json.loads(capsys.readouterr().out)


def test_the_figures_count_operations_and_documented_statuses(exercised, capsys):
    url, report = exercised
    status, summary = _json(capsys, "--url", url, "--api", "afosto")
    afosto = summary["apis"]["afosto"]
    assert status == 0 and summary["passed"] is True
    assert (afosto["operations"], afosto["called"]) == (545, 3)
    assert afosto["exercisedStatuses"] == 4  # listChannels 200 and 401, createChannel 200, viewChannel 200
    assert afosto["documentedStatuses"] == report["afosto"]["documentedStatuses"]
    assert afosto["operationCoverage"] == round(300 / 545, 2)
    assert summary["total"]["operationCoverage"] == afosto["operationCoverage"]
    assert "viewChannel" not in afosto["neverCalled"] and "deleteChannel" in afosto["neverCalled"]
    _, everything = _json(capsys, "--url", url)
    assert set(everything["apis"]) == {"casavi", "afosto", "relay", "messages"}
    assert everything["total"]["operations"] == 619


def test_the_exit_status_follows_the_thresholds(exercised, capsys):
    url, _ = exercised
    _, summary = _json(capsys, "--url", url, "--api", "afosto")
    operations, statuses = summary["total"]["operationCoverage"], summary["total"]["statusCoverage"]
    base = ["coverage", "--url", url, "--api", "afosto"]
    assert main([*base, "--fail-under", str(operations)]) == 0
    assert main([*base, "--fail-under", str(operations + 0.01)]) == 1
    assert f"operation coverage {operations}% is below" in capsys.readouterr().err
    assert main([*base, "--fail-under-statuses", str(statuses)]) == 0
    assert main([*base, "--fail-under-statuses", str(statuses + 0.01)]) == 1
    assert main([*base, "--fail-under", "0", "--fail-under-statuses", "100"]) == 1
    capsys.readouterr()
    status, failed = _json(capsys, *base[1:], "--fail-under", "50")
    assert status == 1 and failed["passed"] is False and failed["thresholds"]["operations"] == 50


def test_junit_output_parses_with_a_case_per_operation_and_per_threshold(exercised, capsys):
    url, _ = exercised
    assert main(["coverage", "--url", url, "--api", "afosto", "--fail-under", "50", "--format", "junit"]) == 1
    root = ElementTree.fromstring(capsys.readouterr().out)
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    afosto = suites["afosto"]
    cases = afosto.findall("testcase")
    assert len(cases) == 545 and afosto.get("tests") == "545" and afosto.get("skipped") == "542"
    called = [case.get("name") for case in cases if case.find("skipped") is None]
    assert sorted(called) == [
        "createChannel (POST /cat/channels)", "listChannels (GET /cat/channels)", "viewChannel (GET /cat/channels/{id})",
    ]
    threshold = suites["thresholds"].find("testcase")
    assert threshold.get("name") == "operation coverage >= 50%" and threshold.find("failure") is not None
    assert root.get("failures") == "1" and root.get("tests") == "546"
    assert main(["coverage", "--url", url, "--api", "afosto", "--fail-under", "0.1", "--format", "junit"]) == 0
    passed = ElementTree.fromstring(capsys.readouterr().out)
    assert passed.get("failures") == "0"


def test_the_table_and_a_saved_report(exercised, capsys, tmp_path):
    url, report = exercised
    assert main(["coverage", "--url", url, "--api", "afosto"]) == 0
    table = capsys.readouterr().out
    assert table.splitlines()[0].split() == ["api", "called", "operations", "coverage", "statuses", "seen", "documented", "coverage"]
    assert "listChannels" in table and "542 operation(s) never called" in table
    saved = tmp_path / "coverage.json"
    saved.write_text(json.dumps(report))
    assert main(["coverage", "--file", str(saved), "--api", "afosto", "--fail-under", "1"]) == 1
    capsys.readouterr()


def test_unreadable_reports_exit_2(exercised, capsys, tmp_path):
    url, _ = exercised
    assert main(["coverage", "--url", url, "--api", "shop"]) == 2
    assert "the report has no API shop" in capsys.readouterr().err
    missing = tmp_path / "missing.json"
    assert main(["coverage", "--file", str(missing)]) == 2
    not_a_report = tmp_path / "other.json"
    not_a_report.write_text('{"count": 1}')
    assert main(["coverage", "--file", str(not_a_report)]) == 2
    assert "not a coverage report" in capsys.readouterr().err

"""What a test pays for the pytest fixtures: a generated downstream project, run with pytest.

    python benchmarks/per_test_benchmark.py [--tests 200] [--keep DIR]

Writes a project into a temporary folder with, per kind, ``--tests`` tests that each make
one trivial call:

  plain           no fixture; a trivial computation instead of the call (the baseline)
  plain_async     the same as async tests (the baseline of async_sandbox)
  sandbox         `sandbox.afosto.get("/cat/channels")`
  async_sandbox   `await async_sandbox.afosto.get("/cat/channels")`
  sandbox_server  `sandbox_server.reset()`, then `sandbox_server.afosto.get("/cat/channels")`

The tests of all kinds are spread over the run in small files, alternating, so a change
of load on the machine touches every kind alike. One pytest run in a subprocess; a
conftest hook adds up each test's set-up, call and tear-down time. Prints, per fixture,
the median and 95th percentile of its tests' times less the median of the plain tests of
the same kind (sync or async): what using the fixture and making one call adds to a
test. A fixture's one-time cost (building a sandbox for a configuration the session has
not seen) lands on one test, which the median does not see and the percentile hardly.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES_PER_KIND = 10
TARGET_MS = {"sandbox": 5.0, "async_sandbox": 5.0, "sandbox_server": 10.0}
BASELINE = {"sandbox": "plain", "async_sandbox": "plain_async", "sandbox_server": "plain"}

CONFTEST = '''
"""Adds up each test's set-up, call and tear-down time; written out at the end."""

import json
import os
from collections import defaultdict

_seconds = defaultdict(float)


def pytest_runtest_logreport(report):
    _seconds[report.nodeid] += report.duration


def pytest_sessionfinish(session):
    with open(os.environ["PER_TEST_SECONDS"], "w", encoding="utf-8") as out:
        json.dump(_seconds, out)
'''

PYTEST_INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""

BODIES = {
    "plain": '''
        @pytest.mark.parametrize("number", range({count}))
        def test_plain(number):
            assert json.loads(json.dumps({{"name": "Webshop", "number": number}}))["number"] == number
    ''',
    "plain_async": '''
        @pytest.mark.parametrize("number", range({count}))
        async def test_plain_async(number):
            assert json.loads(json.dumps({{"name": "Webshop", "number": number}}))["number"] == number
    ''',
    "sandbox": '''
        @pytest.mark.parametrize("number", range({count}))
        def test_sandbox(sandbox, number):
            assert sandbox.afosto.get("/cat/channels").status_code == 200
    ''',
    "async_sandbox": '''
        @pytest.mark.parametrize("number", range({count}))
        async def test_async_sandbox(async_sandbox, number):
            assert (await async_sandbox.afosto.get("/cat/channels")).status_code == 200
    ''',
    "sandbox_server": '''
        @pytest.mark.parametrize("number", range({count}))
        def test_sandbox_server(sandbox_server, number):
            sandbox_server.reset()
            assert sandbox_server.afosto.get("/cat/channels").status_code == 200
    ''',
}


def write_project(folder: Path, tests: int) -> None:
    """The downstream project: conftest, pytest.ini, and the tests of every kind, in files
    named so that pytest runs the kinds in turn."""
    (folder / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (folder / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    per_file = [tests // FILES_PER_KIND + (1 if index < tests % FILES_PER_KIND else 0) for index in range(FILES_PER_KIND)]
    for index, count in enumerate(per_file):
        for kind, body in BODIES.items():
            source = "import json\n\nimport pytest\n" + textwrap.dedent(body.format(count=count))
            (folder / f"test_{index:02d}_{kind}.py").write_text(source, encoding="utf-8")


def run(folder: Path) -> tuple[dict[str, list[float]], float, str]:
    """Run the project's tests with pytest; each kind's per-test seconds, the run's wall time,
    and pytest's last line."""
    results = folder / "seconds.json"
    environment = {**os.environ, "PER_TEST_SECONDS": str(results)}
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"],
        cwd=folder, env=environment, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - started
    summary = (finished.stdout.strip().splitlines() or [""])[-1]
    if finished.returncode != 0:
        raise SystemExit(f"the generated tests failed ({summary}):\n{finished.stdout[-4000:]}\n{finished.stderr[-2000:]}")
    kinds: dict[str, list[float]] = {kind: [] for kind in BODIES}
    for node, seconds in json.loads(results.read_text(encoding="utf-8")).items():
        kind = node.split("::")[1].split("[")[0].removeprefix("test_")
        kinds[kind].append(seconds)
    return kinds, elapsed, summary


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(kinds: dict[str, list[float]]) -> list[str]:
    lines = []
    width = max(len(kind) for kind in kinds)
    for kind, seconds in kinds.items():
        lines.append(
            f"{kind:<{width}}  {len(seconds)} tests, per test: median {statistics.median(seconds) * 1000:7.2f} ms, "
            f"p95 {percentile(seconds, 0.95) * 1000:7.2f} ms, most {max(seconds) * 1000:8.1f} ms"
        )
    lines.append("")
    lines.append("overhead per test over the plain tests of the same kind (the fixture and one call):")
    for fixture, baseline in BASELINE.items():
        plain = statistics.median(kinds[baseline])
        median = (statistics.median(kinds[fixture]) - plain) * 1000
        high = (percentile(kinds[fixture], 0.95) - plain) * 1000
        target = TARGET_MS[fixture]
        verdict = "met" if median <= target else "NOT met"
        lines.append(f"  {fixture:<{width}}  median {median:7.2f} ms, p95 {high:7.2f} ms   target: median ≤ {target:g} ms: {verdict}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tests", type=int, default=200, help="tests of each kind (default 200)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the project here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    if args.tests < FILES_PER_KIND:
        parser.error(f"--tests must be at least {FILES_PER_KIND}")
    with tempfile.TemporaryDirectory(prefix="per-test-benchmark-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        write_project(folder, args.tests)
        kinds, elapsed, summary = run(folder)
    print(f"pytest: {summary} (whole run {elapsed:.1f} s)")
    for line in report(kinds):
        print(line)
    print(f"load average at the end: {' '.join(f'{load:.2f}' for load in os.getloadavg())} ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()

"""pytest fixtures for testing against the sandbox; installed with the package.

The plugin is registered through the `pytest11` entry point, so a project that installs
`vendor-api-sandbox[pytest]` can write, with no conftest:

    def test_channels(sandbox):
        created = sandbox.afosto.post("/cat/channels", json={"name": "Webshop"})
        assert sandbox.afosto.get(f"/cat/channels/{created.json()['id']}").status_code == 200

Fixtures:
  sandbox          the app in this process with one synchronous httpx client per API
                   (`sandbox.casavi`, `.afosto`, `.relay`, `.messages`), fresh for each test
  async_sandbox    the same with httpx.AsyncClient, for async tests (pytest-asyncio)
  sandbox_server   a real server on a free port for the whole session (`.url`,
                   `.base_url(api)`, `.base_urls`), for clients that need a URL
  sandbox_config   the ServerConfig the in-process fixtures use; override it to build
                   the configuration in code

`sandbox` and `async_sandbox` build a sandbox once per distinct configuration in the
session and reset it for each test (see `mock_server.testing.KeptSandboxes`): every test
sees exactly what a sandbox just started with its configuration shows, and nothing of
the test before it (objects, ids, tasks, deliveries, rules, the journal).

Coverage: `--sandbox-coverage=PATH` writes what the session's calls covered, over every
sandbox the tests used, as the JSON `mock-server coverage --file PATH` reads;
`--sandbox-coverage-junit=PATH` writes it as a JUnit report.

Configuration: the `--sandbox-*` options (see `pytest --help`) for the whole run, and
`@pytest.mark.sandbox(seed=..., fixtures=..., api=..., <any other server setting>)` for
one test, class or module. Marker fixtures add to the option's: a path (relative to the
test's folder) or a fixture document as a dict, or a list of them.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any, AsyncIterator, Iterator

import pytest

from .config import API_NAMES, SETTINGS, ServerConfig
from .engine import jsonio
from .engine.tools.coverage import percent

MARKER = "sandbox"
_SETTING_NAMES = {setting.name for setting in SETTINGS}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mock-server", "mock-server sandbox fixtures (sandbox, async_sandbox, sandbox_server)")
    group.addoption("--sandbox-seed", type=int, metavar="N", help="seed of the sandbox's ids and demo data")
    group.addoption("--sandbox-api", choices=API_NAMES, metavar="NAME", help="serve only this API, at the root")
    group.addoption(
        "--sandbox-fixtures", action="append", default=[], metavar="PATH",
        help="fixture file to load at the sandbox's start (repeatable)",
    )
    group.addoption("--sandbox-no-demo-data", action="store_true", default=None, help="start the sandbox without demo data")
    group.addoption("--sandbox-frozen-time", metavar="ISO", help="answer every clock read with this instant")
    group.addoption(
        "--sandbox-coverage", metavar="PATH",
        help="write the session's coverage of the contracts (all sandboxes the tests used) to PATH, "
        "as JSON for `mock-server coverage --file PATH`",
    )
    group.addoption(
        "--sandbox-coverage-junit", metavar="PATH",
        help="write the session's coverage of the contracts to PATH as a JUnit report (a test case per operation)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(seed=None, fixtures=None, api=None, **settings): configure the sandbox and async_sandbox "
        "fixtures for this test (any mock-server setting, e.g. frozen_time, no_demo_data, job_delay)",
    )
    here = config.invocation_params.dir
    targets = {
        kind: here / path
        for kind, path in (("json", config.getoption("sandbox_coverage")), ("junit", config.getoption("sandbox_coverage_junit")))
        if path
    }
    if targets:
        config.stash[_COVERAGE] = SessionCoverage(targets, here)


class SessionCoverage:
    """The coverage of a whole test session: each sandbox's coverage report, read before
    the sandbox is reset, added up per operation and status code."""

    def __init__(self, targets: dict[str, Path], here: Path) -> None:
        self.targets = targets  # "json" and/or "junit" -> the file to write
        self.here = here  # where pytest was started: paths are shown relative to it
        self.operations: dict[str, dict[str, dict[str, Any]]] = {}  # api -> operation id -> entry
        self.statuses: dict[tuple[str, str], Counter[int]] = {}
        self.written: list[str] = []  # what `write` did, for the terminal summary

    def add(self, report: dict[str, Any], apis: list[str] | None = None) -> None:
        """Count a `GET /__admin/coverage` report (only ``apis`` of it, when given)."""
        for api, coverage in report.items():
            if apis is not None and api not in apis:
                continue
            known = self.operations.setdefault(api, {})
            for operation_id, entry in coverage["byOperation"].items():
                known.setdefault(operation_id, {
                    "method": entry["method"], "path": entry["path"], "documentedStatuses": entry["documentedStatuses"],
                })
                counts = self.statuses.setdefault((api, operation_id), Counter())
                counts.update({int(status): count for status, count in entry["statuses"].items()})

    def report(self) -> dict[str, Any]:
        """The session's report, in the shape of `GET /__admin/coverage`."""
        return {api: self._api_report(api, operations) for api, operations in self.operations.items()}

    def _api_report(self, api: str, operations: dict[str, dict[str, Any]]) -> dict[str, Any]:
        by_operation: dict[str, Any] = {}
        never: list[str] = []
        documented_total = exercised_total = 0
        for operation_id, known in operations.items():
            seen = self.statuses.get((api, operation_id), Counter())
            calls = sum(seen.values())
            missing = [status for status in known["documentedStatuses"] if not seen.get(status)]
            documented_total += len(known["documentedStatuses"])
            exercised_total += len(known["documentedStatuses"]) - len(missing)
            by_operation[operation_id] = {
                **known, "calls": calls, "statuses": {str(code): count for code, count in sorted(seen.items())},
                "statusesNotSeen": missing,
            }
            if not calls:
                never.append(operation_id)
        called = len(by_operation) - len(never)
        return {
            "operations": len(by_operation), "called": called, "operationCoverage": percent(called, len(by_operation)),
            "documentedStatuses": documented_total, "exercisedStatuses": exercised_total,
            "statusCoverage": percent(exercised_total, documented_total), "neverCalled": never, "byOperation": by_operation,
        }

    def write(self) -> list[str]:
        """Write the files; a line for the terminal summary about each."""
        if not self.operations:
            for path in self.targets.values():
                path.unlink(missing_ok=True)  # no file rather than last session's
            return ["no test used a sandbox fixture: no coverage written"]
        report = self.report()
        lines = []
        for kind, path in self.targets.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "json":
                path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
            else:
                from .commands.coverage import junit, summarise  # only when asked for

                summary = summarise(report, None)
                summary["thresholds"] = {"operations": None, "statuses": None}
                path.write_text(junit(report, summary, []) + "\n", encoding="utf-8")
            lines.append(f"wrote {path.relative_to(self.here) if path.is_relative_to(self.here) else path}")
        called = sum(api["called"] for api in report.values())
        operations = sum(api["operations"] for api in report.values())
        lines.append(f"{called} of {operations} documented operation(s) called")
        return lines


_COVERAGE = pytest.StashKey[SessionCoverage]()


def _session_coverage(config: pytest.Config) -> SessionCoverage | None:
    return config.stash.get(_COVERAGE, None)


def pytest_sessionfinish(session: pytest.Session) -> None:
    coverage = _session_coverage(session.config)
    if coverage is not None:
        coverage.written = coverage.write()


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    coverage = _session_coverage(config)
    if coverage is not None and coverage.written:
        terminalreporter.section("sandbox coverage")
        for line in coverage.written:
            terminalreporter.write_line(line)


def _settings_from_options(config: pytest.Config) -> dict[str, Any]:
    options = {
        "seed": config.getoption("sandbox_seed"),
        "api": config.getoption("sandbox_api"),
        "no_demo_data": config.getoption("sandbox_no_demo_data"),
        "frozen_time": config.getoption("sandbox_frozen_time"),
    }
    settings = {name: value for name, value in options.items() if value is not None}
    settings["fixtures"] = [Path(path) for path in config.getoption("sandbox_fixtures")]
    return settings


def _marker_fixtures(value: Any, where: Path, factory: pytest.TempPathFactory) -> list[Path]:
    """Paths of the fixtures a marker names: files as they are, documents written to a file
    named by its content (so tests with the same document share one kept sandbox)."""
    values = value if isinstance(value, (list, tuple)) else [value]
    paths = []
    for item in values:
        if isinstance(item, dict):
            content = jsonio.dumps(item)
            folder = factory.getbasetemp() / "sandbox-fixtures"
            folder.mkdir(exist_ok=True)
            path = folder / f"{hashlib.sha256(content).hexdigest()[:32]}.json"
            if not path.exists():
                path.write_bytes(content)
            paths.append(path)
        elif isinstance(item, (str, Path)):
            path = Path(item)
            paths.append(path if path.is_absolute() else where / path)
        else:
            pytest.fail(f"@pytest.mark.{MARKER}: fixtures are paths or fixture documents (dicts), not {type(item).__name__}", pytrace=False)
    return paths


def _config_for_test(request: pytest.FixtureRequest) -> ServerConfig:
    settings = _settings_from_options(request.config)
    # Outermost marker first, so the closest (function over class over module) wins.
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        if marker.args:
            pytest.fail(f"@pytest.mark.{MARKER} takes keyword arguments only, e.g. seed=7", pytrace=False)
        for name, value in marker.kwargs.items():
            if name == "fixtures":
                settings["fixtures"] += _marker_fixtures(value, request.path.parent, request.getfixturevalue("tmp_path_factory"))
            elif name in _SETTING_NAMES:
                settings[name] = value
            else:
                known = ", ".join(sorted(_SETTING_NAMES))
                pytest.fail(f"@pytest.mark.{MARKER}: unknown setting {name!r}; known: {known}", pytrace=False)
    return ServerConfig(**settings)


@pytest.fixture
def sandbox_config(request: pytest.FixtureRequest) -> ServerConfig:
    """The configuration of `sandbox` and `async_sandbox`: options, then the test's markers."""
    return _config_for_test(request)


@pytest.fixture(scope="session")
def _kept_sandboxes() -> Iterator[Any]:
    """The sandboxes of this session, one per configuration, built on first use."""
    from .testing import KeptSandboxes

    kept = KeptSandboxes()
    try:
        yield kept
    finally:
        kept.close()


@pytest.fixture
def sandbox(request: pytest.FixtureRequest, sandbox_config: ServerConfig, _kept_sandboxes: Any) -> Iterator[Any]:
    """The sandbox in this process, with a synchronous client per API (see `mock_server.testing`),
    exactly as a sandbox just started with the test's configuration: built once per
    configuration in the session, reset for each test."""
    with _kept_sandboxes.in_process(sandbox_config) as running:
        yield running
        coverage = _session_coverage(request.config)
        if coverage is not None:
            coverage.add(running.coverage())


try:
    import pytest_asyncio
except ImportError:  # pragma: no cover - the [async] extra brings it
    pytest_asyncio = None

if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def async_sandbox(
        request: pytest.FixtureRequest, sandbox_config: ServerConfig, _kept_sandboxes: Any
    ) -> AsyncIterator[Any]:
        """The same on the test's event loop, with an async client per API."""
        async with _kept_sandboxes.in_process_async(sandbox_config) as running:
            yield running
            coverage = _session_coverage(request.config)
            if coverage is not None:
                coverage.add(await running.coverage())

else:  # pragma: no cover

    @pytest.fixture
    def async_sandbox() -> None:
        """Needs pytest-asyncio."""
        pytest.fail("async_sandbox needs pytest-asyncio: pip install 'vendor-api-sandbox[async]'", pytrace=False)


@pytest.fixture(scope="session")
def sandbox_server(pytestconfig: pytest.Config) -> Iterator[Any]:
    """A real sandbox server on a free loopback port for the whole session.

    Configured by the `--sandbox-*` options (markers do not apply to a session-wide
    server); its state is shared by the tests that use it, `sandbox_server.reset()`
    goes back to the start-up state (with `--sandbox-coverage`, after counting what the
    reset APIs covered).
    """
    from .testing import LiveSandbox

    with LiveSandbox(ServerConfig(**_settings_from_options(pytestconfig))) as server:
        coverage = _session_coverage(pytestconfig)
        if coverage is not None:
            _keep_coverage_across_resets(server, coverage)
        yield server
        if coverage is not None:
            coverage.add(server.coverage())


def _keep_coverage_across_resets(server: Any, coverage: SessionCoverage) -> None:
    """`server.reset()` counts what the reset APIs covered before their coverage is emptied."""
    reset = server.reset

    def reset_keeping_coverage(api: str | None = None) -> None:
        coverage.add(server.coverage(), [api] if api else None)
        reset(api)

    server.reset = reset_keeping_coverage

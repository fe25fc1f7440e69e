"""The package as users install it: wheel -> fresh virtual environment -> any folder.

Builds the wheel from a copy of the source tree (so nothing outside the package files
can leak in), installs it with the `test` extra into a new virtual environment (pip's
cache keeps this quick), then, from an empty temporary folder and with no MOCK_SERVER_*
variables: serves all four APIs, exports the contracts, and runs a downstream pytest
project that uses the plugin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
import pytest

from .servers import REPO, clean_environment, one_call_per_api, run_command, start_server

pytestmark = pytest.mark.slow

SOURCE_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis", "tests", "benchmarks"
)


def _run(command: list[str], **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **options)
    assert result.returncode == 0, f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "source"
    shutil.copytree(REPO, source, ignore=SOURCE_IGNORED)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(work / "dist"), str(source)])
    (built,) = (work / "dist").glob("vendor_api_sandbox-*.whl")  # the distribution's own name
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and the `pytest` extra a downstream test suite
    installs; returns its bin folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[pytest]"], env=clean_environment())
    return bin_dir


def test_the_wheel_carries_contracts_fixtures_and_entry_points(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(name).decode() for name in names if name.endswith("entry_points.txt"))
    for api in ("casavi", "afosto", "relay", "messages"):
        assert f"mock_server/_bundled/contracts/{api}.yaml" in names
    assert "mock_server/_bundled/contracts/operation-kinds.md" in names
    assert "mock_server/_bundled/fixtures/accounts.yaml" in names
    assert "mock_server/_bundled/fixtures/examples/afosto.yaml" in names
    assert not [name for name in names if name.startswith(("contracts/", "fixtures/", "tests/"))]
    assert "[pytest11]" in entry_points and "mock_server.pytest_plugin" in entry_points
    assert "mock-server = mock_server.cli:main" in entry_points
    bundled = (REPO / "contracts" / "relay.yaml").read_bytes()
    with zipfile.ZipFile(wheel) as archive:
        assert archive.read("mock_server/_bundled/contracts/relay.yaml") == bundled


def test_serve_from_any_folder_without_environment(installed: Path, tmp_path: Path):
    folder = tmp_path / "anywhere"
    folder.mkdir()
    # A fresh cache too: the contracts are parsed from the installed package, not reused.
    environment = clean_environment(XDG_CACHE_HOME=str(tmp_path / "cache"))
    server = start_server([], tmp_path / "logs", command=[str(installed / "mock-server")], cwd=folder, env=environment)
    try:
        assert one_call_per_api(server.url) == {"casavi": 200, "afosto": 200, "relay": 200, "messages": 200}
        _inspector_is_served(server.url)
    finally:
        assert server.stop() == 0
    assert "Traceback" not in server.output()[1]
    assert list(folder.iterdir()) == []


def _inspector_is_served(url: str) -> None:
    """The inspector's page and its files come from the installed package, with its policy."""
    for path, kind in (("/__admin/ui", "text/html"), ("/__admin/ui/app.js", "text/javascript"),
                       ("/__admin/ui/panels/requests.js", "text/javascript"), ("/__admin/ui/inspector.css", "text/css")):
        response = httpx.get(url + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(kind), path
        assert "default-src 'none'" in response.headers["content-security-policy"], path
        local = REPO / "mock_server" / "admin" / "inspector" / path.removeprefix("/__admin/ui").lstrip("/")
        assert response.content == (local if local.is_file() else local / "index.html").read_bytes(), path


def test_the_wheel_carries_the_inspector(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    shipped = REPO / "mock_server" / "admin" / "inspector"
    for path in shipped.rglob("*"):
        if path.is_file():
            assert f"mock_server/admin/inspector/{path.relative_to(shipped).as_posix()}" in names


def test_the_installed_package_is_the_one_served(installed: Path, tmp_path: Path):
    where = _run(
        [str(installed / "python"), "-c",
         "import mock_server.engine.bundled as b; print(b.bundled_folder('contracts')); print(b.bundled_folder('fixtures'))"],
        cwd=tmp_path, env=clean_environment(),
    ).stdout.split()
    venv = installed.parent.resolve()
    assert all(Path(path).resolve().is_relative_to(venv) for path in where), where


def test_contracts_export_from_the_installed_package(installed: Path, tmp_path: Path):
    process = run_command(["contracts", "export", "--out", "exported", "--format", "json"], tmp_path / "logs",
                          command=[str(installed / "mock-server")], cwd=tmp_path)
    assert process.wait(120) == 0, (tmp_path / "logs" / "stderr.txt").read_text()
    exported = sorted(path.name for path in (tmp_path / "exported").iterdir())
    assert exported == ["afosto.json", "casavi.json", "messages.json", "relay.json"]
    casavi = json.loads((tmp_path / "exported" / "casavi.json").read_text())
    assert casavi["servers"] == [{"url": "http://127.0.0.1:8080/casavi"}]


def test_a_downstream_project_with_three_lines(installed: Path, tmp_path: Path):
    project = tmp_path / "downstream"
    project.mkdir()
    (project / "test_shop.py").write_text(
        "def test_channels(sandbox):\n"
        "    created = sandbox.afosto.post('/cat/channels', json={'name': 'Webshop'})\n"
        "    assert sandbox.afosto.get(f\"/cat/channels/{created.json()['id']}\").json()['name'] == 'Webshop'\n"
    )
    result = _run([str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=clean_environment())
    assert "1 passed" in result.stdout

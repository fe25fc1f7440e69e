"""The command line a local user meets: help, version, the start-up banner, clean stops
and one clear line for each problem that stops the start."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

import pytest
import yaml

from mock_server import __version__
from mock_server.cli import main
from mock_server.commands.serve import SERVE_GROUPS
from mock_server.config import SETTINGS

from .servers import MODULE_COMMAND, clean_environment, free_port, one_call_per_api, run_command, start_server


def _run(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MODULE_COMMAND, *arguments], capture_output=True, text=True, env=clean_environment(**environment), timeout=120
    )


def _assert_one_clear_line(result: subprocess.CompletedProcess, *words: str) -> str:
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_a_port_in_use_is_one_line_and_a_failure():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("serve", "--port", str(port))
    line = _assert_one_clear_line(result, str(port), "already in use", "--port")
    assert result.returncode == 1 and line.startswith("mock-server:")


def test_an_unknown_option_is_one_line_and_a_failure():
    result = _run("serve", "--colour", "blue")
    _assert_one_clear_line(result, "unknown option --colour", "mock-server serve --help")
    assert result.returncode == 2


def test_a_bad_value_names_the_option_or_variable():
    _assert_one_clear_line(_run("serve", "--port", "eighty"), "--port", "'eighty'")
    _assert_one_clear_line(_run("serve", "--log-format", "xml"), "--log-format", "'text', 'json'")
    _assert_one_clear_line(_run("serve", **{"MOCK_SERVER_PORT": "eighty"}), "MOCK_SERVER_PORT")


def test_an_unreadable_fixtures_file_is_one_line_naming_it(tmp_path):
    missing = tmp_path / "missing.yaml"
    _assert_one_clear_line(_run("serve", "--fixtures", str(missing)), str(missing), "No such file")
    _assert_one_clear_line(_run("serve", "--fixtures", str(tmp_path)), str(tmp_path), "directory")
    broken = tmp_path / "broken.yaml"
    broken.write_text("afosto:\n  accounts: [{name: x\n")
    _assert_one_clear_line(_run("serve", "--fixtures", str(broken)), str(broken), "not valid YAML or JSON")


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mock-server {__version__}"


def test_serve_help_groups_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = capsys.readouterr().out
    positions = [text.index(f"\n{title}:\n") for title, _ in SERVE_GROUPS]
    assert positions == sorted(positions)
    for setting in SETTINGS:
        assert setting.flag in text and setting.env in text
    grouped = [name for _, names in SERVE_GROUPS for name in names]
    assert sorted(grouped) == sorted(setting.name for setting in SETTINGS), "give each setting a --help group"
    assert "other settings" not in text


def test_contracts_export_writes_the_served_contracts(tmp_path, capsys):
    out = tmp_path / "exported"
    assert main(["contracts", "export", "--out", str(out), "--base-url", "http://sandbox.test:9000/"]) == 0
    assert sorted(path.name for path in out.iterdir()) == ["afosto.yaml", "casavi.yaml", "messages.yaml", "relay.yaml"]
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    relay = yaml.load((out / "relay.yaml").read_text(), Loader=loader)
    assert relay["servers"] == [{"url": "http://sandbox.test:9000/relay"}]
    assert "/orders" in relay["paths"]

    single = tmp_path / "single"
    assert main(["contracts", "export", "--out", str(single), "--api", "messages", "--format", "json"]) == 0
    document = json.loads((single / "messages.json").read_text())
    assert document["servers"] == [{"url": "http://127.0.0.1:8080"}]
    assert any(path.startswith("/api/v3/") for path in document["paths"])
    assert f"wrote {single / 'messages.json'}" in capsys.readouterr().out


def test_banner_lists_each_api_with_credentials_and_the_admin_url(tmp_path):
    server = start_server([], tmp_path)
    try:
        assert one_call_per_api(server.url) == {"casavi": 200, "afosto": 200, "relay": 200, "messages": 200}
    finally:
        assert server.stop(signal.SIGINT) == 0
    stdout, stderr = server.output()
    for mount in ("/casavi", "/afosto", "/relay", "/messages"):
        assert f"{server.url}{mount}\n" in stdout
    for credential in ("key demo-key, secret demo-secret", "token demo-afosto-token", "apiKey demo-relay-key",
                       "token demo-partner-token", "token demo-provider-token"):
        assert credential in stdout
    assert f"admin     {server.url}/__admin" in stdout
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr  # Ctrl-C stops cleanly


def test_banner_prints_the_address_bound_with_ipv6_in_brackets(tmp_path):
    port = free_port()
    process = run_command(["serve", "--host", "::1", "--port", str(port)], tmp_path)
    try:
        deadline = time.monotonic() + 60
        while "listening on" not in (tmp_path / "stdout.txt").read_text() and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "stderr.txt").read_text()
            time.sleep(0.05)
        assert httpx.get(f"http://[::1]:{port}/__admin/health", timeout=5).status_code == 200
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(30)
    stdout = (tmp_path / "stdout.txt").read_text()
    assert f"listening on [::1]:{port} " in stdout
    assert f"http://[::1]:{port}/afosto" in stdout


def test_sigterm_stops_cleanly(tmp_path):
    server = start_server([], tmp_path)
    assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in server.output()[1]


def test_json_log_format_writes_one_object_a_line(tmp_path):
    server = start_server(["--log-format", "json"], tmp_path)
    assert server.stop() == 0
    stdout, stderr = server.output()
    records = [json.loads(line) for line in (stdout + stderr).splitlines() if line.strip()]
    assert records and all({"time", "level", "logger", "message"} <= set(record) for record in records)
    announcement = records[0]
    assert announcement["apis"]["afosto"]["url"] == f"{server.url}/afosto"
    assert announcement["apis"]["casavi"]["accounts"][0]["key"] == "demo-key"
    assert announcement["admin"] == f"{server.url}/__admin"
    assert any(record["message"] == "Application shutdown complete." for record in records)


def test_serve_works_from_any_folder(tmp_path: Path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    server = start_server([], tmp_path / "logs", cwd=folder)
    try:
        assert one_call_per_api(server.url)["relay"] == 200
    finally:
        server.stop()

"""The running foundation: health, served contracts, configuration, the command line."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import httpx
import pytest

from mock_server.app import create_app
from mock_server.cli import main
from mock_server.config import SETTINGS, ServerConfig

API_OPERATIONS = {"casavi": 56, "afosto": 545, "relay": 15, "messages": 3}


def _client(**overrides) -> httpx.AsyncClient:
    app = create_app(ServerConfig(**overrides))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost")


async def test_health_lists_the_served_apis_with_their_operation_counts():
    async with _client() as client:
        response = await client.get("/__admin/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {api: info["operations"] for api, info in body["apis"].items()} == API_OPERATIONS
    assert body["apis"]["afosto"]["mount"] == "/afosto"
    assert body["uptimeSeconds"] >= 0


@pytest.mark.parametrize("api", sorted(API_OPERATIONS))
async def test_contract_is_served_with_its_mount_as_server(api):
    async with _client() as client:
        response = await client.get(f"/__admin/contracts/{api}")
    assert response.status_code == 200
    contract = response.json()
    assert contract["servers"] == [{"url": f"/{api}"}]
    assert contract["openapi"].startswith("3.")


async def test_single_api_is_served_at_the_root():
    async with _client(api="relay") as client:
        health = (await client.get("/__admin/health")).json()
        contract = (await client.get("/__admin/contracts/relay")).json()
        other = await client.get("/__admin/contracts/afosto")
    assert list(health["apis"]) == ["relay"]
    assert health["apis"]["relay"]["mount"] == "/"
    assert contract["servers"] == [{"url": "/"}]
    assert other.status_code == 404
    assert "relay" in other.json()["error"]


def test_environment_variables_configure_the_server():
    config = ServerConfig.from_env({"MOCK_SERVER_PORT": "9100", "MOCK_SERVER_API": "casavi", "MOCK_SERVER_NO_DEMO_DATA": "true"})
    assert (config.port, config.api, config.no_demo_data) == (9100, "casavi", True)
    assert ServerConfig.from_env({"MOCK_SERVER_PORT": "9100"}, port=9200).port == 9200
    with pytest.raises(ValueError, match="MOCK_SERVER_API"):
        ServerConfig.from_env({"MOCK_SERVER_API": "nope"})


def test_help_names_every_flag_and_its_environment_variable(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = capsys.readouterr().out
    for setting in SETTINGS:
        assert setting.flag in text
        assert setting.env in text


def test_bad_flag_value_is_reported(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--api", "nope"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nope'" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_command_starts_a_real_server():
    port = _free_port()
    env = {**os.environ, "MOCK_SERVER_PORT": str(port), "MOCK_SERVER_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "mock_server", "serve", "--host", "127.0.0.1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__admin/health", timeout=1) as response:
                    health = json.loads(response.read())
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server did not start: {process.stdout.read() if process.stdout else ''}")
                time.sleep(0.1)
        assert set(health["apis"]) == set(API_OPERATIONS)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/afosto" in output
    assert "account demo: key demo-key, secret demo-secret" in output
    assert "account partner: token demo-partner-token" in output

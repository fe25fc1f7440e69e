"""What start-up loads: building the sandbox loads no module that serving does not need
yet; each is loaded when it is first needed. Run in processes of their own, with a cache
folder of their own, so nothing the test run already loaded counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

NOT_AT_START = ("faker", "httpx", "schemathesis", "hypothesis", "yaml", "jsonschema_rs")
# The fixture and override rule models: a start that adopts the start-up state an earlier
# one kept checks no fixture.
MODELS = (
    "mock_server.engine.state.fixture_models", "mock_server.engine.tools.override_rules",
    *(f"mock_server.apis.{api}.fixture_section" for api in ("casavi", "afosto", "relay", "messages")),
)

BUILD = """
import asyncio, json, sys
from mock_server.app import create_app

app = create_app()
at_start = sorted(name for name in {names} if name in sys.modules)
compiled = sum("validator" in spec.__dict__ for api in app.sandbox.apis.values()
               for operation in api.runtime.contract.operations.values()
               for spec in (*operation.parameters, *operation.bodies.values()))


async def call(method, path, headers, body=b""):
    sent = []
    async def receive():
        return {{"type": "http.request", "body": body, "more_body": False}}
    async def send(message):
        sent.append(message)
    scope = {{"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
             "headers": [(b"host", b"localhost"), *headers], "http_version": "1.1", "scheme": "http",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}}
    await app(scope, receive, send)
    return sent[0]["status"]

token = [(b"authorization", b"Bearer demo-afosto-token")]
listed = asyncio.run(call("GET", "/afosto/cat/channels", token))
after_demo_data = sorted(name for name in {names} if name in sys.modules)
body = b'{{"name": "Webshop", "type": "web"}}'
headers = [*token, (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
created = asyncio.run(call("POST", "/afosto/cat/channels", headers, body))
after_a_body = sorted(name for name in {names} if name in sys.modules)
print(json.dumps({{"at_start": at_start, "compiled": compiled, "statuses": [listed, created],
                  "after_demo_data": after_demo_data, "after_a_body": after_a_body}}))
"""


def _run(code: str, cache: Path) -> dict:
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment).stdout
    return json.loads(output.splitlines()[-1])


def test_building_the_sandbox_loads_only_what_serving_needs_and_the_rest_on_first_use(tmp_path):
    probe = BUILD.format(names=repr(NOT_AT_START + MODELS))
    first = _run(probe, tmp_path)  # fills the cache folder: parses the YAML, checks every validator and fixture
    assert "yaml" in first["at_start"]
    assert "mock_server.apis.casavi.fixture_section" in first["at_start"]
    found = _run(probe, tmp_path)
    assert found["at_start"] == []
    assert found["compiled"] == 0  # validators are compiled on first use
    assert found["statuses"] == [200, 200]  # Afosto answers a create with 200
    assert found["after_demo_data"] == ["faker"]  # demo data is made with Faker, when first read
    assert found["after_a_body"] == ["faker", "jsonschema_rs"]  # the body's validator, compiled for it


def test_the_command_line_loads_what_its_other_commands_need_only_when_they_run(tmp_path):
    code = (
        "import json, sys\n"
        "import mock_server.cli\n"
        "names = ('xml.etree.ElementTree', 'http.server', 'mock_server.verification', 'httpx', 'faker', 'yaml')\n"
        "print(json.dumps([name for name in names if name in sys.modules]))\n"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment).stdout
    assert json.loads(output) == []


KEPT_TEXTS_PROBE = """
import asyncio, json, sys
from mock_server.app import create_app

app = create_app()
sent = []

async def main():
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    scope = {"type": "http", "method": "GET", "path": "/afosto/cat/channels", "raw_path": b"/afosto/cat/channels",
             "query_string": b"", "headers": [(b"host", b"localhost"), (b"authorization", b"Bearer demo-afosto-token")],
             "http_version": "1.1", "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}
    await app(scope, receive, send)
    faker_loaded = "faker" in sys.modules
    await app.sandbox.close()
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    print(json.dumps({"status": sent[0]["status"], "faker": faker_loaded, "body": body.decode()}))

asyncio.run(main())
"""


def test_a_start_after_one_that_made_the_same_demo_data_needs_no_faker_and_answers_the_same(tmp_path):
    first = _run(KEPT_TEXTS_PROBE, tmp_path)  # makes the demo channels with Faker; keeps its texts at close
    second = _run(KEPT_TEXTS_PROBE, tmp_path)
    assert first["status"] == second["status"] == 200
    assert first["faker"] is True
    assert second["faker"] is False
    assert second["body"] == first["body"]


def test_serve_loads_no_websocket_library(monkeypatch):
    """No API has WebSockets: uvicorn's default would import a WebSocket library at every start."""
    import uvicorn

    from mock_server import cli

    configs = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self, sockets=None: configs.append(self.config))
    assert cli.main(["serve", "--host", "127.0.0.1", "--port", "0", "--log-level", "warning"]) == 0
    (config,) = configs
    assert config.ws == "none"


def test_the_command_line_looks_for_no_pydantic_plugins_unless_told_to(tmp_path):
    code = "import os, mock_server.cli; print(os.environ.get('PYDANTIC_DISABLE_PLUGINS'))"
    environment = {key: value for key, value in os.environ.items() if key != "PYDANTIC_DISABLE_PLUGINS"}
    environment["XDG_CACHE_HOME"] = str(tmp_path)
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment).stdout
    assert found.strip() == "__all__"
    environment["PYDANTIC_DISABLE_PLUGINS"] = "some_plugin"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment).stdout
    assert found.strip() == "some_plugin"

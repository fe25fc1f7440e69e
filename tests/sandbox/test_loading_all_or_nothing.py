"""Loading is all or nothing, and the admin API never answers a failure as text.

A state import, a fixture and a state file at start either load whole or leave every API
exactly as it was: whatever raises while the objects go in (here a preparer made to raise
on the last API of the document, after the others were loaded). An admin call that fails
unexpectedly answers a JSON 500 whose reference names the failure at `GET /__admin/errors`.
"""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.engine.state.changes import FROM_FIXTURE, FROM_STATE, Change
from mock_server.proxy.app import ProxyConfig, ValidatingProxy
from mock_server.serving.state_file import StateFile, StateFileError, StateKeeper
from tests.http_sandbox import AFOSTO, FROZEN, RELAY, casavi_headers, sandbox_client


class FailingLoad:
    """A preparer that raises while a document loads, once it is armed."""

    def __init__(self) -> None:
        self.armed = False

    def __call__(self, change: Change) -> None:
        if self.armed:
            raise RuntimeError(f"cannot load {change.collection} {change.key}")


def _arm(client_or_app, api: str, origin: str) -> FailingLoad:
    app = getattr(client_or_app, "app", client_or_app)
    failing = FailingLoad()
    app.sandbox.apis[api].runtime.feed.prepare(failing, origins=origin)
    failing.armed = True
    return failing


async def _busy(client) -> None:
    """Writes in every API, a queued casavi job and a pending webhook delivery among them."""
    headers = await casavi_headers(client)
    assert (await client.post("/casavi/tickets", json={"id": "T-1", "title": "Leak", "propertyId": "P-00001"}, headers=headers)).status_code == 200
    assert (await client.post("/casavi/import", json={"contacts": [{"id": "C-9", "firstName": "Ann"}]}, headers=headers)).status_code == 200
    assert (await client.post("/afosto/cat/channels", json={"name": "Webshop"}, headers=AFOSTO)).status_code == 200
    order = await client.post("/relay/orders", files={"order": (None, '{"title": "Fix"}', "application/json")}, headers=RELAY)
    assert order.status_code == 200, order.text


def _budget(client) -> tuple[int, dict[str, dict[str, int]]]:
    sandbox = client.app.sandbox
    return sandbox.budget.used, {name: dict(api.runtime.store.used) for name, api in sandbox.apis.items()}


async def _failed_admin_call(client, answer: httpx.Response) -> dict:
    """The answer is a JSON 500 whose reference `GET /__admin/errors?api=admin` lists."""
    assert answer.status_code == 500, answer.text
    assert answer.headers["content-type"] == "application/json"
    reference = answer.json()["reference"]
    assert reference in answer.json()["error"]
    listed = (await client.get("/__admin/errors", params={"api": "admin"})).json()["errors"]
    (failure,) = [entry for entry in listed if entry.get("reference") == reference]
    assert failure["api"] == "admin" and failure["source"] == "request"
    assert "Traceback" in failure["traceback"]
    return failure


async def test_a_state_import_that_fails_midway_leaves_every_api_as_it_was(caplog):
    async with sandbox_client() as client:
        await _busy(client)
        export = (await client.get("/__admin/state")).json()
        # A change after the export: the failed import must not take it away.
        assert (await client.post("/afosto/cat/channels", json={"name": "AFTER"}, headers=AFOSTO)).status_code == 200
        before = (await client.get("/__admin/state")).content
        budget = _budget(client)
        assert list(export)[-1] == "messages" and list(export).index("afosto") < list(export).index("relay")
        failing = _arm(client, "relay", FROM_STATE)

        with caplog.at_level(logging.ERROR, logger="mock_server"):
            answer = await client.put("/__admin/state", json=export)
        failure = await _failed_admin_call(client, answer)
        assert failure["error"]["type"] == "RuntimeError" and failure["request"]["path"] == "/__admin/state"
        assert "RuntimeError: cannot load" in caplog.text
        assert (await client.get("/__admin/state")).content == before
        assert _budget(client) == budget
        # The APIs still serve their state, and the queued casavi job still runs.
        headers = await casavi_headers(client)
        assert (await client.get("/casavi/tickets/T-1", headers=headers)).json()["title"] == "Leak"
        assert (await client.post("/__admin/jobs/run")).json()["finished"]["casavi"] == 1
        assert (await client.get("/casavi/contacts/C-9", headers=headers)).status_code == 200

        failing.armed = False
        assert (await client.put("/__admin/state", json=export)).status_code == 200
        assert (await client.get("/__admin/state")).json() == export


async def test_a_fixture_that_fails_midway_adds_nothing():
    async with sandbox_client() as client:
        await _busy(client)
        before = (await client.get("/__admin/state")).content
        budget = _budget(client)
        _arm(client, "relay", FROM_FIXTURE)
        document = {
            "afosto": {"accounts": [{"name": "shop", "token": "shop-token"}], "data": {"demo": {"/cat/channels": [{"id": "ch-1", "name": "New"}]}}},
            "relay": {"data": {"demo": {"/orders": [{"id": 77, "title": "Loaded"}]}}},
        }
        answer = await client.post("/__admin/fixtures", json=document)
        await _failed_admin_call(client, answer)
        assert (await client.get("/__admin/state")).content == before
        assert _budget(client) == budget
        assert (await client.get("/afosto/cat/channels", headers={"Authorization": "Bearer shop-token"})).status_code == 401


def test_a_state_file_that_fails_midway_stops_the_start_in_one_line_and_loads_nothing(tmp_path):
    app = create_app(ServerConfig(frozen_time=FROZEN))
    path = tmp_path / "state.json"
    start_up = app.sandbox.export_state()
    document = json.loads(json.dumps(start_up))
    document["afosto"]["data"]["demo"]["/cat/channels"] = [{"id": "ch-1", "name": "Saved"}]
    document["relay"]["data"]["demo"]["/orders"] = [{"id": 77, "title": "Saved"}]
    path.write_text(json.dumps(document))
    _arm(app, "relay", FROM_STATE)
    with pytest.raises(StateFileError) as refused:
        StateKeeper(app.sandbox, StateFile(path), interval=5).load()
    message = str(refused.value)
    assert "\n" not in message and str(path) in message and "RuntimeError: cannot load /orders 77" in message
    assert "nothing of it was loaded" in message
    assert app.sandbox.export_state() == start_up
    assert json.loads(path.read_text()) == document  # left untouched


async def test_any_admin_call_that_fails_unexpectedly_answers_json(monkeypatch):
    async with sandbox_client() as client:
        sandbox = client.app.sandbox

        def broken(*args, **kwargs):
            raise KeyError("boom")

        monkeypatch.setattr(sandbox, "export_state", broken)
        monkeypatch.setattr(sandbox, "reset", broken)
        for method, path in (("GET", "/__admin/state"), ("POST", "/__admin/reset")):
            failure = await _failed_admin_call(client, await client.request(method, path))
            assert failure["request"] == {"method": method, "path": path, "operation": None}
        # Listed with the others (no `api`), not with an API's, and forgotten like them.
        assert {entry["api"] for entry in (await client.get("/__admin/errors")).json()["errors"]} == {"admin"}
        assert (await client.get("/__admin/errors", params={"api": "afosto"})).json()["count"] == 0
        assert (await client.delete("/__admin/errors", params={"api": "admin"})).status_code == 204
        assert (await client.get("/__admin/errors")).json()["count"] == 0


async def test_the_proxys_admin_answers_an_unexpected_failure_as_json(monkeypatch, caplog):
    proxy = ValidatingProxy(ProxyConfig(api="casavi", upstream="http://127.0.0.1:9"))

    def broken() -> dict:
        raise KeyError("boom")

    monkeypatch.setattr(proxy.drift, "to_json", broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=proxy), base_url="http://localhost") as client:
        with caplog.at_level(logging.ERROR, logger="mock_server"):
            answer = await client.get("/__admin/drift")
    assert answer.status_code == 500 and answer.headers["content-type"] == "application/json"
    assert answer.json()["reference"] in caplog.text and "KeyError" in caplog.text

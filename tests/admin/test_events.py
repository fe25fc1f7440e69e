"""`GET /__admin/events` against a real server: each kind of event as it happens, the
keep-alive, the admin guard, and a client that leaves."""

from __future__ import annotations

import time

import httpx
import pytest

from mock_server.admin import events as events_module
from mock_server.engine.state.failures import LISTENER
from mock_server.testing import LiveSandbox
from tests.receiver import Receiver

from .conftest import AFOSTO, FROZEN, admin_client
from .sse import EventReader

CASAVI_ENVELOPE = {"contacts": [{"id": f"C-{n}", "lastName": f"Doe {n}"} for n in range(1, 4)]}


@pytest.fixture(scope="module")
def live():
    with LiveSandbox(frozen_time=FROZEN, job_delay=0.05) as server:
        yield server


@pytest.fixture
def reader(live):
    httpx.post(f"{live.url}/__admin/reset")
    httpx.delete(f"{live.url}/__admin/overrides")
    with EventReader(live.url) as reader:
        yield reader


def test_the_stream_is_server_sent_events(reader):
    assert reader.status == 200 and reader.content_type.startswith("text/event-stream")


def test_a_request_appears_within_a_second_as_a_summary(live, reader):
    started = time.monotonic()
    httpx.get(f"{live.url}/afosto/cat/channels?token=abc", headers=AFOSTO)
    event = reader.wait_for("request", lambda data: data["path"] == "/cat/channels")
    assert event.at - started < 1.0
    data = event.data
    assert data["method"] == "GET" and data["status"] == 200 and data["api"] == "afosto"
    assert isinstance(data["sequence"], int) and data["operation"]
    assert "request_headers" not in data and "response_body" not in data
    detail = httpx.get(f"{live.url}/__admin/requests/{data['sequence']}").json()
    assert detail["path"] == "/cat/channels" and detail["request_headers"]["authorization"] == "Bearer ***"


def _created_by_api(reader) -> list[dict]:
    return [
        change for event in reader.named("state") for change in event.data["changes"]
        if change["kind"] == "created" and change["origin"] == "api"
    ]


def test_state_changes_are_told_with_the_concrete_collection_path(live, reader):
    for name in ("Shop", "Outlet"):
        assert httpx.post(f"{live.url}/afosto/cat/channels", json={"name": name}, headers=AFOSTO).status_code == 200
    deadline = time.monotonic() + 5
    while len(_created_by_api(reader)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    created = _created_by_api(reader)
    assert len(created) == 2
    change = created[0]
    assert change["api"] == "afosto" and change["account"] == "demo" and change["path"] == "/cat/channels"
    assert change["collection"] == "/cat/channels" and change["key"]
    listed = httpx.get(f"{live.url}/__admin/state/afosto/demo/cat/channels", params={"key": change["key"]})
    assert listed.status_code == 200 and listed.json()["object"]["name"] == "Shop"


def test_a_task_is_told_at_every_step(live, reader):
    token = httpx.post(f"{live.url}/casavi/authenticate", json={"key": "demo-key", "secret": "demo-secret"}).json()["token"]
    job = httpx.post(f"{live.url}/casavi/import", json=CASAVI_ENVELOPE, headers={"token": token}).json()
    done = reader.wait_for("task", lambda data: data["status"] == "completed")
    steps = [event.data for event in reader.named("task")]
    assert done.data["api"] == "casavi" and done.data["progress"] == 1 and done.data["id"] == job["jobId"]
    assert len(steps) >= 3 and steps[0]["progress"] < 1
    assert sorted(step["done"] for step in steps) == [step["done"] for step in steps]


def test_a_webhook_is_told_on_creation_and_after_each_attempt(live, reader):
    with Receiver(statuses=[500, 200]) as receiver:
        subscription = {"events": ["order.created"], "endpoint": f"{receiver.url}/hooks"}
        assert httpx.post(f"{live.url}/afosto/mes/webhooks/subscriptions", json=subscription, headers=AFOSTO).status_code == 200
        httpx.post(f"{live.url}/afosto/odr/orders", json={"number": "A-1"}, headers=AFOSTO)
        delivered = reader.wait_for("webhook", lambda data: data["status"] == "delivered", timeout=10)
    told = [event.data for event in reader.named("webhook") if event.data["id"] == delivered.data["id"]]
    assert told[0]["status"] == "pending" and told[0]["attempts"] == []
    assert [len(data["attempts"]) for data in told[1:]] == [1, 2]
    assert [attempt["statusCode"] for attempt in delivered.data["attempts"]] == [500, 200]
    again = httpx.post(f"{live.url}/__admin/webhooks/{delivered.data['id']}/retry")
    assert again.status_code == 202
    reader.wait_for("webhook", lambda data: len(data["attempts"]) == 3, timeout=10)


def test_override_rules_are_told_added_fired_turned_off_and_removed(live, reader):
    rule = httpx.post(f"{live.url}/__admin/overrides", json={"api": "afosto", "path": "/cat/channels", "method": "GET", "response": {"status": 404}}).json()
    httpx.get(f"{live.url}/afosto/cat/channels", headers=AFOSTO)
    httpx.patch(f"{live.url}/__admin/overrides/{rule['id']}", json={"enabled": False})
    httpx.delete(f"{live.url}/__admin/overrides/{rule['id']}")
    reader.wait_for("override", lambda data: data["what"] == "removed")
    told = [(event.data["what"], event.data["id"]) for event in reader.named("override")]
    assert told == [(what, rule["id"]) for what in ("added", "fired", "disabled", "removed")]
    fired = reader.named("override")[1].data
    assert fired["rule"]["fired"] == 1
    httpx.delete(f"{live.url}/__admin/overrides")
    assert reader.wait_for("override", lambda data: data["what"] == "cleared").data["rule"] is None


def test_a_failure_and_a_reset_are_told(live, reader):
    live.app.sandbox.failures.record("afosto", LISTENER, ValueError("boom"), listener="tests.listener")
    failure = reader.wait_for("error").data
    assert failure["error"] == {"type": "ValueError", "message": "boom"} and failure["source"] == "listener"
    httpx.post(f"{live.url}/__admin/reset?api=relay")
    assert reader.wait_for("reset").data == {"apis": ["relay"]}


def test_keep_alive_comments_flow_while_nothing_happens(live, monkeypatch):
    monkeypatch.setattr(events_module, "KEEP_ALIVE_SECONDS", 0.2)
    with EventReader(live.url) as reader:
        time.sleep(0.9)
    keep_alives = [at for text, at in reader.comments if text == "keep-alive"]
    assert len(keep_alives) >= 3


def _streams_end(hub, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while hub.streams and time.monotonic() < deadline:
        time.sleep(0.02)
    return not hub.streams


def test_a_client_that_leaves_is_let_go(live):
    hub = live.app.events
    assert _streams_end(hub)  # the other tests' readers left too
    with EventReader(live.url):
        deadline = time.monotonic() + 2
        while not hub.streams and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(hub.streams) == 1
    assert _streams_end(hub)


def test_the_guard_applies_to_the_stream():
    with LiveSandbox(admin_token="sekret") as server:
        with EventReader(server.url) as refused:
            pass
        assert refused.status == 401
        with EventReader(server.url, {"Authorization": "Bearer sekret"}) as allowed:
            httpx.get(f"{server.url}/afosto/cat/channels", headers=AFOSTO)
            allowed.wait_for("request")
        assert allowed.status == 200


async def test_the_host_check_applies_to_the_stream():
    async with admin_client() as client:
        response = await client.get("/__admin/events", headers={"Host": "rebound.example"})
    assert response.status_code == 403 and "rebound.example" in response.json()["error"]


async def test_head_answers_the_headers_without_a_stream():
    async with admin_client() as client:
        response = await client.head("/__admin/events")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    assert response.content == b""

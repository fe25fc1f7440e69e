"""Afosto webhooks against a real local HTTP receiver: subscribed changes, trigger,
signatures, attempts with their status codes, retry, delays, and account isolation."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

from mock_server.engine.background.outbox import DeliveryPolicy
from tests.receiver import Receiver
from tests.http_sandbox import AFOSTO

OTHER = {"Authorization": "Bearer other-afosto-token"}


async def _subscribe(client, endpoint: str, events: list[str], headers=AFOSTO) -> dict:
    response = await client.post("/afosto/mes/webhooks/subscriptions", json={"events": events, "endpoint": endpoint}, headers=headers)
    assert response.status_code == 200, response.text
    subscription = response.json()
    assert subscription["secret"].startswith("whsec_") and isinstance(subscription["id"], int)
    return subscription


async def _messages(client, count: int, headers=AFOSTO, timeout: float = 10.0) -> list[dict]:
    """The account's messages once ``count`` of them are no longer pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = (await client.get("/afosto/mes/webhooks/messages", headers=headers)).json()
        if len(listed) >= count and not any(message["is_pending"] for message in listed):
            return listed
        await asyncio.sleep(0.02)
    raise AssertionError(f"messages still pending: {listed}")


def _signed(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


async def test_the_event_catalogue(client):
    events = [entry["event"] for entry in (await client.get("/afosto/mes/webhooks/events", headers=AFOSTO)).json()]
    assert {"order.created", "order.updated", "order.deleted", "contact.created", "batch.updated"} <= set(events)
    assert len(events) == len(set(events)) and len(events) % 3 == 0


async def test_a_subscribed_change_is_delivered_once_with_a_valid_signature(client):
    with Receiver() as receiver:
        subscription = await _subscribe(client, f"{receiver.url}/hooks", ["order.created", "order.updated"])
        order = (await client.post("/afosto/odr/orders", json={"number": "A-1"}, headers=AFOSTO)).json()
        (received,) = await receiver.arrived(1)
        assert received.path == "/hooks"
        payload = json.loads(received.body)
        assert payload["event"] == "order.created" and payload["entity_id"] == order["id"]
        assert payload["data"]["id"] == order["id"] and payload["data"]["number"] == "A-1"
        assert received.headers["x-webhook-signature"] == _signed(subscription["secret"], received.body)
        assert received.headers["x-webhook-event"] == "order.created"
        (message,) = await _messages(client, 1)
        assert message["id"] == payload["id"] and received.headers["x-webhook-message"] == str(message["id"])
        assert message["signature"] == received.headers["x-webhook-signature"]
        assert message["payload"] == received.body.decode()
        assert (message["is_delivered"], message["is_pending"], message["attempts"]) == (True, False, 1)
        assert message["subscription"] == subscription["id"] and message["endpoint"] == f"{receiver.url}/hooks"
        await asyncio.sleep(0.1)
        assert len(receiver.requests) == 1  # once

        # An action changes the order: `order.updated`; an unsubscribed event delivers nothing.
        await client.post(f"/afosto/odr/orders/{order['id']}/confirm", json={}, headers=AFOSTO)
        (_, updated) = await receiver.arrived(2)
        assert json.loads(updated.body)["event"] == "order.updated"
        assert json.loads(updated.body)["data"]["state"]["is_confirmed"] is True
        await client.delete(f"/afosto/odr/orders/{order['id']}", headers=AFOSTO)
        await client.post("/afosto/cat/channels", json={"name": "Shop"}, headers=AFOSTO)
        await asyncio.sleep(0.2)
        assert len(receiver.requests) == 2


async def test_changes_made_by_a_background_task_are_delivered(client):
    with Receiver() as receiver:
        await _subscribe(client, receiver.url, ["batch.updated"])
        dataset = (await client.post("/afosto/cnt/datasets", json={}, headers=AFOSTO)).json()
        batch = (await client.post("/afosto/cnt/batches", json={"dataset_id": dataset["id"]}, headers=AFOSTO)).json()
        await client.put(f"/afosto/cnt/batches/{batch['id']}/validate", headers=AFOSTO)
        await client.post("/__admin/jobs/run")
        received = await receiver.arrived(2)
        states = [json.loads(item.body)["data"] for item in received]
        # Deliveries go out side by side, so they may arrive in either order.
        assert sorted((state["is_locked"], state["is_accepted"]) for state in states) == [(True, False), (True, True)]


async def test_fixture_loads_deliver_nothing(client):
    with Receiver() as receiver:
        await _subscribe(client, receiver.url, ["order.created"])
        loaded = await client.post("/__admin/fixtures", json={"afosto": {"data": {"demo": {"/odr/orders": [{"id": "fixture-order"}]}}}})
        assert loaded.status_code == 200, loaded.text
        await client.get("/afosto/odr/orders", headers=AFOSTO)  # demo orders are made here
        await asyncio.sleep(0.2)
        assert receiver.requests == []


async def test_trigger_delivers_and_answers_the_message(client):
    with Receiver() as receiver:
        subscription = await _subscribe(client, receiver.url, ["contact.created"])
        contact = (await client.put("/afosto/rel/contacts", json={"email": "jo@example.com"}, headers=AFOSTO)).json()
        await receiver.arrived(1)
        response = await client.post(f"/afosto/mes/webhooks/subscriptions/{subscription['id']}/trigger",
                                     json={"event": "contact.updated", "entity_id": contact["id"]}, headers=AFOSTO)
        assert response.status_code == 200, response.text
        message = response.json()
        assert (message["event"], message["entity_id"], message["subscription"]) == ("contact.updated", contact["id"], subscription["id"])
        (_, received) = await receiver.arrived(2)
        assert json.loads(received.body)["data"]["email"] == "jo@example.com"
        assert received.headers["x-webhook-signature"] == _signed(subscription["secret"], received.body) == message["signature"]
        sample = await client.post(f"/afosto/mes/webhooks/subscriptions/{subscription['id']}/trigger",
                                   json={"event": "order.created"}, headers=AFOSTO)
        assert sample.status_code == 200 and sample.json()["entity_id"]
        (_, _, sampled) = await receiver.arrived(3)
        assert json.loads(sampled.body)["data"]["id"] == sample.json()["entity_id"]
        unknown = await client.post(f"/afosto/mes/webhooks/subscriptions/{subscription['id']}/trigger",
                                    json={"event": "order.exploded"}, headers=AFOSTO)
        assert unknown.status_code == 400 and unknown.json()["errors"]["invalid value"] == ["event"]


async def test_a_failing_receiver_shows_each_attempt_and_the_retry_endpoint_resends(client):
    runtime = client.app.sandbox.apis["afosto"].runtime
    runtime.outbox.policy = DeliveryPolicy(backoff=(0.2,), attempts=2)
    with Receiver(statuses=[500, 200, 200]) as receiver:
        subscription = await _subscribe(client, receiver.url, ["channel.created"])
        await client.post("/afosto/cat/channels", json={"name": "Shop"}, headers=AFOSTO)
        await receiver.arrived(2)
        (message,) = await _messages(client, 1)
        assert (message["is_delivered"], message["attempts"]) == (True, 2)
        attempts = (await client.get(f"/afosto/mes/webhooks/messages/{message['id']}/attempts", headers=AFOSTO)).json()
        assert [(a["number"], a["response_code"], a["is_success"]) for a in attempts] == [(1, 500, False), (2, 200, True)]
        assert all(a["response_time"] >= 0 and a["attempted_at"] and a["response_body"] == '{"ok": true}' for a in attempts)
        viewed = (await client.get(f"/afosto/mes/webhooks/messages/{message['id']}", headers=AFOSTO)).json()
        assert viewed == message

        retried = await client.post(f"/afosto/mes/webhooks/messages/{message['id']}", headers=AFOSTO)
        assert retried.status_code == 200 and retried.json()["id"] == message["id"]
        (first, _, again) = await receiver.arrived(3)
        assert again.body == first.body
        assert again.headers["x-webhook-signature"] == _signed(subscription["secret"], again.body)
        (message,) = await _messages(client, 1)
        assert message["attempts"] == 3
        delivered = (await client.get("/afosto/mes/webhooks/messages", params={"is_delivered": "1"}, headers=AFOSTO)).json()
        assert [m["id"] for m in delivered] == [message["id"]]
        assert (await client.get("/afosto/mes/webhooks/messages", params={"is_pending": "1"}, headers=AFOSTO)).json() == []
        assert (await client.get("/afosto/mes/webhooks/messages/999", headers=AFOSTO)).status_code == 404


async def test_delays_answer_the_schedule_in_use(client):
    delays = (await client.get("/afosto/mes/webhooks/delays", headers=AFOSTO)).json()
    policy = client.app.sandbox.apis["afosto"].runtime.outbox.policy
    assert [row["attempt"] for row in delays] == list(range(1, policy.attempts + 1))
    assert [row["delay"] for row in delays] == [0, 1, 2, 8]  # 0.5 s rounds up to a whole second
    assert [row["total_delay"] for row in delays] == [0, 1, 3, 11]


async def test_another_accounts_changes_deliver_nothing(client):
    with Receiver() as receiver:
        await _subscribe(client, receiver.url, ["order.created"])
        other = await _subscribe(client, f"{receiver.url}/other", ["order.created"], headers=OTHER)
        await client.post("/afosto/odr/orders", json={}, headers=OTHER)
        (received,) = await receiver.arrived(1)
        assert received.path == "/other"
        assert received.headers["x-webhook-signature"] == _signed(other["secret"], received.body)
        await asyncio.sleep(0.2)
        assert len(receiver.requests) == 1
        assert (await client.get("/afosto/mes/webhooks/messages", headers=AFOSTO)).json() == []


async def test_subscriptions_are_checked(client):
    bad_event = await client.post("/afosto/mes/webhooks/subscriptions",
                                  json={"events": ["order.exploded"], "endpoint": "https://example.com/h"}, headers=AFOSTO)
    assert bad_event.status_code == 400 and bad_event.json()["errors"]["invalid value"] == ["events[0]"]
    bad_endpoint = await client.post("/afosto/mes/webhooks/subscriptions",
                                     json={"events": ["order.created"], "endpoint": "not a url"}, headers=AFOSTO)
    assert bad_endpoint.status_code == 400 and bad_endpoint.json()["errors"]["invalid value"] == ["endpoint"]
    subscription = await _subscribe(client, "https://example.com/h", ["order.created"])
    changed = await client.put(f"/afosto/mes/webhooks/subscriptions/{subscription['id']}",
                               json={"events": ["order.deleted"], "delivery_rate": 5}, headers=AFOSTO)
    assert changed.status_code == 200
    assert changed.json()["secret"] == subscription["secret"] and changed.json()["endpoint"] == "https://example.com/h"
    assert changed.json()["events"] == ["order.deleted"] and changed.json()["delivery_rate"] == 5


async def test_objects_with_integer_ids_are_delivered_as_their_read_answers_them(client):
    # Conversations have integer ids: the message's data is shaped like a read of the object.
    with Receiver() as receiver:
        await _subscribe(client, receiver.url, ["conversation.created", "conversation.updated"])
        created = await client.post("/afosto/mes/conversations", json={"event": "support"}, headers=AFOSTO)
        assert created.status_code == 200, created.text
        key = created.json()["id"]
        unsubscribed = await client.post(f"/afosto/mes/conversations/{key}/unsubscribe", json={}, headers=AFOSTO)
        assert unsubscribed.status_code == 200, unsubscribed.text
        received = await receiver.arrived(2)
        read = (await client.get(f"/afosto/mes/conversations/{key}", headers=AFOSTO)).json()
        events = sorted((json.loads(item.body)["event"], json.loads(item.body)["entity_id"]) for item in received)
        assert events == [("conversation.created", str(key)), ("conversation.updated", str(key))]
        updated = next(json.loads(item.body)["data"] for item in received if b"conversation.updated" in item.body)
        assert updated == read
        listed = (await client.get("/afosto/mes/conversations", headers=AFOSTO)).json()
        assert [row["id"] for row in listed].count(key) == 1


UNUSABLE_ENDPOINTS = (
    "http://u:p@example.invalid:abc/hook",  # a port that is not a number
    "http://example.com:[x",  # matched the contract's former pattern; not a URL
    "http://example.com:0/hook", "http://example.com:65536/hook",
)


async def test_an_endpoint_that_cannot_be_delivered_to_is_refused_on_create_and_update(client):
    subscription = await _subscribe(client, "https://example.com/h", ["channel.created"])
    for endpoint in UNUSABLE_ENDPOINTS:
        created = await client.post("/afosto/mes/webhooks/subscriptions",
                                    json={"events": ["channel.created"], "endpoint": endpoint}, headers=AFOSTO)
        assert created.status_code == 400, (endpoint, created.text)
        assert created.json()["errors"]["invalid value"] == ["endpoint"]
        changed = await client.put(f"/afosto/mes/webhooks/subscriptions/{subscription['id']}",
                                   json={"endpoint": endpoint}, headers=AFOSTO)
        assert changed.status_code == 400, (endpoint, changed.text)
        assert changed.json()["errors"]["invalid value"] == ["endpoint"]
    listed = (await client.get("/afosto/mes/webhooks/subscriptions", headers=AFOSTO)).json()
    assert [row["endpoint"] for row in listed] == ["https://example.com/h"]


async def test_a_stored_unusable_endpoint_fails_its_deliveries_but_never_the_write(client):
    # A state import or fixture may hold what the API refuses: the change still answers as
    # documented, and the message shows the failed attempt.
    stored = {"id": 7, "events": ["channel.created"], "endpoint": "http://u:secret@example.invalid:abc/hook", "secret": "s"}
    loaded = await client.post("/__admin/fixtures", json={"afosto": {"data": {"demo": {"/mes/webhooks/subscriptions": [stored]}}}})
    assert loaded.status_code == 200, loaded.text
    created = await client.post("/afosto/cat/channels", json={"name": "Shop"}, headers=AFOSTO)
    assert created.status_code == 200, created.text
    (message,) = await _messages(client, 1)
    assert (message["is_delivered"], message["is_pending"], message["attempts"]) == (False, False, 1)
    attempts = (await client.get(f"/afosto/mes/webhooks/messages/{message['id']}/attempts", headers=AFOSTO)).json()
    assert attempts[0].get("response_code") is None and attempts[0]["is_success"] is False
    assert "URL" in attempts[0]["response_body"]
    assert "secret" not in str((await client.get("/__admin/webhooks")).json())

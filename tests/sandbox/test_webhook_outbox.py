"""The engine's webhook outbox against a real local receiver: delivery, credentials,
retries with back-off, slow receivers, and the record at `/__admin/webhooks`."""

from __future__ import annotations

import asyncio
import base64
import time

from mock_server.engine.background.delivery_urls import delivery_url_problem, split_credentials
from tests.receiver import Receiver, refused_port
from tests.http_sandbox import AFOSTO, sandbox_client


def _outbox(client):
    return client.app.sandbox.apis["afosto"].runtime.outbox


async def _settled(client, count: int = 1, timeout: float = 10.0) -> list[dict]:
    """The deliveries once none is pending any more."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listed = (await client.get("/__admin/webhooks")).json()["deliveries"]
        if len(listed) >= count and all(delivery["status"] != "pending" for delivery in listed):
            return listed
        await asyncio.sleep(0.02)
    raise AssertionError(f"deliveries still pending: {listed}")


async def test_a_delivery_arrives_as_recorded_with_basic_auth_from_the_url():
    with Receiver() as receiver:
        async with sandbox_client() as client:
            url = receiver.url.replace("http://", "http://hook-user:p%40ss@") + "/hooks/in?x=1"
            delivery = _outbox(client).post(
                account="demo", event="order.created", url=url, body=b'{"id": 1}', headers={"X-Signature": "abc"}
            )
            assert delivery.target == f"{receiver.url}/hooks/in?x=1"  # no credentials kept in the URL
            (received,) = await receiver.arrived(1)
            assert received.path == "/hooks/in?x=1"
            assert received.body == b'{"id": 1}'
            assert received.headers["content-type"] == "application/json"
            assert received.headers["x-signature"] == "abc"
            assert received.headers["authorization"] == "Basic " + base64.b64encode(b"hook-user:p@ss").decode()
            (listed,) = await _settled(client)
            assert listed["status"] == "delivered" and listed["event"] == "order.created"
            assert listed["target"] == delivery.target and "p@ss" not in str(listed)
            assert [attempt["statusCode"] for attempt in listed["attempts"]] == [200]
            assert listed["attempts"][0]["durationMs"] > 0


async def test_a_failing_receiver_is_retried_with_back_off_until_it_accepts():
    with Receiver(statuses=[500, 500, 200]) as receiver:
        async with sandbox_client() as client:
            _outbox(client).policy = _outbox(client).policy.__class__(backoff=(0.2, 0.4), attempts=4)
            _outbox(client).post(account="demo", event="e", url=receiver.url, body=b"{}")
            first, second, third = await receiver.arrived(3)
            assert second.at - first.at >= 0.18 and third.at - second.at >= 0.38
            (listed,) = await _settled(client)
            assert listed["status"] == "delivered"
            assert [attempt["statusCode"] for attempt in listed["attempts"]] == [500, 500, 200]
            assert [attempt["number"] for attempt in listed["attempts"]] == [1, 2, 3]


async def test_a_refused_connection_is_retried_then_marked_failed():
    async with sandbox_client(webhook_attempts=3) as client:
        outbox = _outbox(client)
        outbox.policy = outbox.policy.__class__(backoff=(0.1,), attempts=3)
        started = time.monotonic()
        outbox.post(account="demo", event="e", url=f"http://127.0.0.1:{refused_port()}/x", body=b"{}")
        (listed,) = await _settled(client)
        assert time.monotonic() - started >= 0.2  # two waits of 0.1 s
        assert listed["status"] == "failed"
        assert [attempt["statusCode"] for attempt in listed["attempts"]] == [None, None, None]
        assert all(attempt["error"] for attempt in listed["attempts"])


async def test_a_receiver_that_hangs_does_not_slow_api_answers():
    with Receiver(delay=10) as receiver:
        async with sandbox_client(webhook_timeout=30) as client:
            for _ in range(3):
                _outbox(client).post(account="demo", event="e", url=receiver.url, body=b"{}")
            await receiver.arrived(3)  # all three are now hanging in the receiver
            started = time.monotonic()
            for _ in range(20):
                assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 200
                assert (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "x"})).status_code == 200
            assert time.monotonic() - started < 2.0  # 40 answers while three deliveries hang for 10 s
            listed = (await client.get("/__admin/webhooks")).json()["deliveries"]
            assert [delivery["status"] for delivery in listed] == ["pending"] * 3


async def test_the_admin_list_filters_by_api_event_and_target():
    with Receiver() as receiver, Receiver() as other:
        async with sandbox_client() as client:
            _outbox(client).post(account="demo", event="order.created", url=f"{receiver.url}/a", body=b"{}")
            _outbox(client).post(account="demo", event="order.deleted", url=f"{other.url}/b", body=b"{}")
            client.app.sandbox.apis["casavi"].runtime.outbox.post(
                account="demo", event="contact_created", url=f"{receiver.url}/c", body=b"{}"
            )
            await _settled(client, 3)

            async def events(**filters):
                answer = (await client.get("/__admin/webhooks", params=filters)).json()
                assert answer["count"] == len(answer["deliveries"])
                return sorted(delivery["event"] for delivery in answer["deliveries"])

            assert await events() == ["contact_created", "order.created", "order.deleted"]
            assert await events(api="afosto") == ["order.created", "order.deleted"]
            assert await events(event="order.deleted") == ["order.deleted"]
            assert await events(target=receiver.url) == ["contact_created", "order.created"]
            assert (await client.get("/__admin/webhooks", params={"api": "nope"})).status_code == 404


async def test_jobs_run_hands_over_pending_deliveries_without_waiting_for_back_off():
    with Receiver(statuses=[503, 200]) as receiver:
        async with sandbox_client() as client:
            outbox = _outbox(client)
            outbox.policy = outbox.policy.__class__(backoff=(30.0,), attempts=3)
            outbox.post(account="demo", event="e", url=receiver.url, body=b"{}")
            await receiver.arrived(1)
            started = time.monotonic()
            assert (await client.post("/__admin/jobs/run")).status_code == 200
            assert time.monotonic() - started < 5
            (listed,) = (await client.get("/__admin/webhooks")).json()["deliveries"]
            assert [attempt["statusCode"] for attempt in listed["attempts"]] == [503, 200]


def test_credentials_are_split_from_the_url():
    assert split_credentials("https://u:p@example.test:8443/x?y=1") == ("https://example.test:8443/x?y=1", ("u", "p"))
    assert split_credentials("https://example.test/x") == ("https://example.test/x", None)
    assert split_credentials("http://u%3A1:p%2F2@[::1]:80/") == ("http://[::1]:80/", ("u:1", "p/2"))


def test_the_delivery_url_check_names_what_makes_a_url_unusable():
    assert delivery_url_problem("https://user:pass@example.com:8443/hooks?x=1") is None
    assert delivery_url_problem("http://127.0.0.1:9000") is None
    assert delivery_url_problem("http://[::1]:9000/x") is None
    for unusable in (
        "http://u:p@example.invalid:abc/hook", "http://example.com:[x", "http://example.com:0/x",
        "http://example.com:65536/x", "http://example.com:-1/x", "ftp://example.com/x", "http:///x", "example.com/x",
        "http://exa mple.com/x", "http://example.com/\nx", "",
    ):
        assert delivery_url_problem(unusable), unusable
    assert delivery_url_problem("http://example.com/x", schemes=("https",))


async def test_a_delivery_to_an_unusable_url_fails_its_attempt_without_raising_or_showing_credentials():
    async with sandbox_client() as client:
        for url in ("http://u:secret@example.invalid:abc/hook", "http://example.com:[x", "not a url"):
            delivery = _outbox(client).post(account="demo", event="order.created", url=url, body=b"{}")
            assert "secret" not in delivery.target
        listed = await _settled(client, 3)
        assert [delivery["status"] for delivery in listed] == ["failed"] * 3
        for delivery in listed:
            (attempt,) = delivery["attempts"]
            assert attempt["statusCode"] is None and "URL" in attempt["error"]
        assert "secret" not in str(listed)

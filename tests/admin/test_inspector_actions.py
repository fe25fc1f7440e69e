"""What the inspector's buttons do over the admin API: send a webhook delivery again
(really, to a local receiver) and turn an override rule off and on."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.receiver import Receiver

from .conftest import AFOSTO, admin_client

CHANNELS_404 = {"api": "afosto", "method": "GET", "path": "/cat/channels", "response": {"status": 404}}


async def _settled(client: httpx.AsyncClient, attempts: int, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (listed,) = (await client.get("/__admin/webhooks")).json()["deliveries"]
        if listed["status"] != "pending" and len(listed["attempts"]) >= attempts:
            return listed
        await asyncio.sleep(0.02)
    raise AssertionError(f"the delivery did not settle: {listed}")


async def test_retry_sends_a_delivery_again_and_records_the_new_attempt():
    with Receiver(statuses=[500, 200]) as receiver:
        async with admin_client(webhook_attempts=1) as client:
            outbox = client.app.sandbox.apis["afosto"].runtime.outbox
            delivery = outbox.post(account="demo", event="order.created", url=receiver.url + "/in", body=b'{"n": 1}')
            failed = await _settled(client, 1)
            assert failed["status"] == "failed" and [a["statusCode"] for a in failed["attempts"]] == [500]
            response = await client.post(f"/__admin/webhooks/{delivery.id}/retry")
            assert response.status_code == 202
            assert response.json()["id"] == delivery.id and response.json()["status"] == "pending"
            delivered = await _settled(client, 2)
            second = (await receiver.arrived(2))[1]
    assert delivered["status"] == "delivered"
    assert [attempt["statusCode"] for attempt in delivered["attempts"]] == [500, 200]
    assert [attempt["number"] for attempt in delivered["attempts"]] == [1, 2]
    assert second.path == "/in" and second.body == b'{"n": 1}'


async def test_retry_of_an_unknown_delivery_is_404_and_a_get_is_not_allowed(client: httpx.AsyncClient):
    response = await client.post("/__admin/webhooks/nope/retry")
    assert response.status_code == 404 and "nope" in response.json()["error"]
    assert (await client.get("/__admin/webhooks/nope/retry")).status_code == 405


async def test_a_rule_turned_off_keeps_its_counts_and_does_not_fire(client: httpx.AsyncClient):
    rule = (await client.post("/__admin/overrides", json=CHANNELS_404)).json()
    assert rule["enabled"] is True
    assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 404
    off = await client.patch(f"/__admin/overrides/{rule['id']}", json={"enabled": False})
    assert off.status_code == 200 and off.json()["enabled"] is False and off.json()["fired"] == 1
    assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 200
    listed = (await client.get("/__admin/overrides")).json()["overrides"]
    assert listed[0]["enabled"] is False and listed[0]["fired"] == 1
    on = await client.patch(f"/__admin/overrides/{rule['id']}", json={"enabled": True})
    assert on.json()["enabled"] is True
    assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 404
    assert (await client.get(f"/__admin/overrides/{rule['id']}")).json()["fired"] == 2


async def test_a_rule_turned_off_lets_the_next_matching_rule_act(client: httpx.AsyncClient):
    first = (await client.post("/__admin/overrides", json=CHANNELS_404)).json()
    await client.post("/__admin/overrides", json={**CHANNELS_404, "response": {"status": 401}})
    await client.patch(f"/__admin/overrides/{first['id']}", json={"enabled": False})
    assert (await client.get("/afosto/cat/channels", headers=AFOSTO)).status_code == 401


async def test_bad_patch_bodies_are_refused_naming_the_field(client: httpx.AsyncClient):
    rule = (await client.post("/__admin/overrides", json=CHANNELS_404)).json()
    where = f"/__admin/overrides/{rule['id']}"
    cases = [
        ({"enabled": "no"}, "enabled:"),
        ({}, "enabled:"),
        ({"enabled": None}, "enabled:"),
        ({"enabled": False, "times": 3}, "times:"),
        ([False], "send a JSON object"),
    ]
    for body, start in cases:
        response = await client.patch(where, json=body)
        assert response.status_code == 400, body
        assert response.json()["error"].startswith(start), response.json()
    broken = await client.patch(where, content=b"{enabled", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400 and "JSON" in broken.json()["error"]
    assert (await client.get(where)).json()["enabled"] is True
    missing = await client.patch("/__admin/overrides/nope", json={"enabled": False})
    assert missing.status_code == 404


async def test_a_reset_brings_start_up_rules_back_turned_on():
    async with admin_client() as client:
        rule = (await client.post("/__admin/overrides", json=CHANNELS_404)).json()
        await client.patch(f"/__admin/overrides/{rule['id']}", json={"enabled": False})
        await client.post("/__admin/reset")
        assert (await client.get("/__admin/overrides")).json()["count"] == 0

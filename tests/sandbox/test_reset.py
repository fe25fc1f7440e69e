"""A reset is a fresh start: afterwards the sandbox shows exactly what a sandbox just built
with the same configuration shows, keeps nothing of before, and lets nothing of before
reach anyone (tasks, deliveries, requests still waiting)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx

from mock_server.app import create_app
from mock_server.config import ServerConfig
from mock_server.testing import KeptSandboxes, configuration_key
from tests.receiver import Receiver
from tests.http_sandbox import AFOSTO, FROZEN, RELAY, GUID, casavi_headers, sandbox_client

# Fields that measure wall-clock durations, which differ between runs even under a frozen clock.
DURATIONS = frozenset({"duration_ms", "durationMs", "response_time", "uptimeSeconds"})
ADMIN_VIEWS = ("state", "tasks", "webhooks", "requests", "coverage", "overrides")
START_UP = {
    "casavi": {"data": {"demo": {"/contacts": [{"id": "C-1", "firstName": "Ann", "lastName": "Start"}]}}},
    "afosto": {"accounts": [{"name": "shop", "token": "shop-token"}], "data": {"demo": {"/cat/channels": [{"name": "Loaded"}]}}},
    "overrides": [{"api": "afosto", "method": "GET", "path": "/cat/channels", "account": "shop", "times": 1, "response": {"status": 503}}],
}
SHOP = {"Authorization": "Bearer shop-token"}


def steady(value: Any) -> Any:
    """``value`` without the durations in it."""
    if isinstance(value, dict):
        return {key: steady(item) for key, item in value.items() if key not in DURATIONS}
    if isinstance(value, list):
        return [steady(item) for item in value]
    return value


async def seen(client: httpx.AsyncClient) -> dict[str, Any]:
    """Everything the admin API shows of a sandbox."""
    views = {name: steady((await client.get(f"/__admin/{name}")).json()) for name in ADMIN_VIEWS}
    views["health"] = steady((await client.get("/__admin/health")).json())
    return views


def answer(response: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    headers = {name: value for name, value in response.headers.items() if name in ("location", "x-task-id", "x-count")}
    try:
        body = response.json()
    except ValueError:
        body = response.text
    return response.status_code, steady(body), headers


def start_up_fixture(tmp_path: Path) -> Path:
    path = tmp_path / "start-up.json"
    path.write_text(json.dumps(START_UP))
    return path


async def busy(client: httpx.AsyncClient, receiver: Receiver) -> list[tuple[int, Any, dict[str, str]]]:
    """Calls that leave something everywhere: objects, counters, tokens, a deactivated key,
    subscriptions, messages and deliveries, queued tasks, rules and their counts, errors
    with references, journal entries, an account added."""
    headers = await casavi_headers(client)
    calls = [
        client.post("/casavi/tickets", headers=headers, json={"id": "T-1", "title": "Leak", "propertyId": "P-00001"}),
        client.post("/casavi/hooks", headers=headers, json={"eventName": "contact_created", "hookUrl": f"{receiver.url}/casavi"}),
        client.post("/casavi/import", headers=headers, json={"contacts": [{"id": "C-9", "lastName": "Nine"}]}),
        client.get("/afosto/cat/channels", headers=AFOSTO),
        client.get("/afosto/cat/channels", headers=SHOP),
        client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Webshop"}),
        client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": 5}),
        client.post("/afosto/mes/webhooks/subscriptions", headers=AFOSTO,
                    json={"events": ["channel.created"], "endpoint": f"{receiver.url}/afosto"}),
        client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Announced"}),
        client.post("/__admin/overrides", json={"api": "relay", "method": "GET", "path": "/orders", "times": 2, "response": {"status": 400}}),
        client.get("/relay/orders", headers=RELAY),
        client.post("/relay/addresses", headers=RELAY, json={"streetAddress": "a", "postalCode": "1", "locality": "b", "country": "DE"}),
        client.post("/messages/api/v3/case-messages/create", params={"accessToken": "demo-partner-token"},
                    json={"guid": GUID, "type": "reminder"}),
        client.post("/__admin/fixtures", json={"relay": {"accounts": [{"name": "late", "apiKey": "late-key", "accountId": 9}]}}),
        client.post("/__admin/casavi/keys/demo-key/deactivate"),
    ]
    answers = []
    for call in calls:
        answers.append(answer(await call))
    return answers


async def settled(client: httpx.AsyncClient) -> None:
    """Every delivery handed over and every task's first step taken, so views can be compared."""
    await asyncio.sleep(0)
    for api in client.app.sandbox.apis.values():  # type: ignore[attr-defined]
        await api.runtime.outbox.flush()


async def test_a_reset_sandbox_shows_what_a_new_one_shows(tmp_path):
    settings = {"fixtures": [start_up_fixture(tmp_path)], "allow_http_hooks": True, "job_delay": 3600}
    with Receiver() as receiver:
        async with sandbox_client(**settings) as used, sandbox_client(**settings) as new:
            for _ in range(2):  # the second time from a state that was reset already
                await busy(used, receiver)
                await settled(used)
                assert (await used.post("/__admin/reset")).json() == {"reset": ["casavi", "afosto", "relay", "messages"]}
                assert await seen(used) == await seen(new)
            # ... and goes on as the new one does: the same ids, tokens, references, numbers.
            after_reset = await busy(used, receiver)
            await settled(used)
            from_new = await busy(new, receiver)
            await settled(new)
            assert after_reset == from_new
            assert await seen(used) == await seen(new)


async def test_the_start_up_state_comes_back_whole(tmp_path):
    rounds = []
    async with sandbox_client(fixtures=[start_up_fixture(tmp_path)]) as client:
        for _ in range(2):
            headers = await casavi_headers(client)
            shop_reads = [answer(await client.get("/afosto/cat/channels", headers=SHOP)) for _ in range(2)]
            assert [status for status, _, _ in shop_reads] == [503, 200]  # the start-up rule fires once
            loaded = (await client.get("/afosto/cat/channels", headers=AFOSTO)).json()
            assert loaded[-1]["name"] == "Loaded"
            contact = (await client.get("/casavi/contacts/C-1", headers=headers)).json()
            assert contact["lastName"] == "Start"
            rounds.append((shop_reads, loaded, contact))
            await client.delete(f"/afosto/cat/channels/{loaded[-1]['id']}", headers=AFOSTO)
            await client.delete("/casavi/contacts/C-1", headers=headers)
            await client.delete("/__admin/overrides")
            await client.post("/__admin/reset")
    assert rounds[0] == rounds[1]


async def test_tasks_left_running_stop_and_never_finish_after_a_reset():
    contacts = [{"id": f"C-{number}", "lastName": "Late"} for number in range(40)]
    async with sandbox_client(job_delay=0.02) as client:
        headers = await casavi_headers(client)
        job = (await client.post("/casavi/import", headers=headers, json={"contacts": contacts})).json()["jobId"]
        while (await client.get(f"/casavi/jobs/{job}", headers=headers)).json().get("progress", 0) == 0:
            await asyncio.sleep(0.01)
        assert (await client.get("/__admin/tasks")).json()["tasks"][0]["status"] == "running"
        await client.post("/__admin/reset")
        await asyncio.sleep(0.3)
        assert (await client.get("/__admin/tasks")).json() == {"count": 0, "tasks": []}
        headers = await casavi_headers(client)
        assert (await client.get("/casavi/contacts/C-39", headers=headers)).status_code == 404
        assert all(contact["lastName"] != "Late" for contact in (await client.get("/casavi/contacts", headers=headers)).json())
        assert (await client.post("/__admin/jobs/run")).json()["finished"]["casavi"] == 0


async def test_deliveries_pending_in_flight_or_not_yet_sent_never_reach_the_receiver_after_a_reset():
    slow, failing, later = "/slow", "/failing", "/later"
    with Receiver(by_path={slow: (200, 1.0), failing: (500, 0.0)}) as receiver:
        async with sandbox_client() as client:
            for path in (slow, failing):
                await client.post("/afosto/mes/webhooks/subscriptions", headers=AFOSTO,
                                  json={"events": ["channel.created"], "endpoint": receiver.url + path})
            await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Announced"})
            await receiver.arrived(2)  # the slow one waits for its answer, the failing one for its retry
            statuses = {delivery["target"]: delivery["status"] for delivery in (await client.get("/__admin/webhooks")).json()["deliveries"]}
            assert statuses == {receiver.url + slow: "pending", receiver.url + failing: "pending"}
            assert (await client.post("/__admin/reset")).status_code == 200
            assert (await client.get("/__admin/webhooks")).json() == {"count": 0, "deliveries": []}

            await client.post("/afosto/mes/webhooks/subscriptions", headers=AFOSTO,
                              json={"events": ["channel.created"], "endpoint": receiver.url + later})
            await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Never announced"})
            client.app.sandbox.reset(["afosto"])  # before the event loop could send it
            await asyncio.sleep(1.5)  # past the failing one's retry and the slow one's answer
            assert sorted(request.path for request in receiver) == [failing, slow]
            assert (await client.get("/__admin/webhooks")).json()["count"] == 0


async def test_a_request_waiting_when_the_reset_comes_is_not_carried_out():
    async with sandbox_client() as client, sandbox_client() as new:
        rule = {"api": "afosto", "method": "POST", "path": "/cat/channels", "delay_ms": 300}
        assert (await client.post("/__admin/overrides", json=rule)).status_code == 201
        waiting = asyncio.create_task(client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Too late"}))
        await asyncio.sleep(0.05)
        await client.post("/__admin/reset")
        overtaken = await waiting
        assert overtaken.status_code >= 500 and "reset" in overtaken.text
        # Nothing of it is stored, journaled or counted: the sandbox goes on as a new one.
        assert await seen(client) == await seen(new)
        refused = [answer(await sandbox.post("/afosto/cat/channels", headers=AFOSTO, json={"name": 5})) for sandbox in (client, new)]
        assert refused[0] == refused[1]


async def test_resetting_one_api_leaves_the_others_as_they_are():
    async with sandbox_client() as client:
        await client.post("/relay/addresses", headers=RELAY, json={"streetAddress": "a", "postalCode": "1", "locality": "b", "country": "DE"})
        created = (await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": "Gone"})).json()
        await client.post("/__admin/overrides", json={"api": "relay", "method": "GET", "path": "/orders", "response": {"status": 400}})
        await client.post("/__admin/overrides", json={"api": "afosto", "method": "GET", "path": "/cat/channels", "response": {"status": 503}})
        await client.post("/__admin/reset", params={"api": "afosto"})
        journal = (await client.get("/__admin/requests")).json()["requests"]
        assert [(entry["sequence"], entry["api"]) for entry in journal] == [(1, "relay")]
        assert [rule["api"] for rule in (await client.get("/__admin/overrides")).json()["overrides"]] == ["relay"]
        assert len((await client.get("/__admin/state", params={"api": "relay"})).json()["relay"]["data"]["demo"]["/addresses"]) == 1
        assert (await client.get(f"/afosto/cat/channels/{created['id']}", headers=AFOSTO)).status_code == 404
        coverage = (await client.get("/__admin/coverage")).json()
        assert coverage["afosto"]["called"] == 1 and coverage["relay"]["called"] == 1  # the read just made; the address
        assert (await client.get("/__admin/requests")).json()["requests"][-1]["sequence"] == 3  # numbering goes on


async def test_the_storage_budget_is_as_at_start_up(tmp_path):
    settings = {"fixtures": [start_up_fixture(tmp_path)]}
    async with sandbox_client(**settings) as client, sandbox_client(**settings) as new:
        assert new.app.sandbox.budget.used > 0
        for number in range(20):
            await client.post("/afosto/cat/channels", headers=AFOSTO, json={"name": f"channel {number}" * 50})
        assert client.app.sandbox.budget.used > new.app.sandbox.budget.used
        await client.post("/__admin/reset")
        assert client.app.sandbox.budget.used == new.app.sandbox.budget.used
        assert client.app.sandbox.budget.held == 0


async def test_a_reset_keeps_what_was_compiled():
    async with sandbox_client() as client:
        runtime = client.app.sandbox.apis["afosto"].runtime
        await client.get("/afosto/cat/channels", headers=AFOSTO)
        compiled = (runtime.contract, dict(runtime.shaper._compiled), client.app.pipelines["afosto"])
        await client.post("/__admin/reset")
        assert (runtime.contract, runtime.shaper._compiled, client.app.pipelines["afosto"]) == compiled
        assert runtime.answers.entries == {}


def test_kept_sandboxes_are_built_once_per_configuration(tmp_path):
    fixture = tmp_path / "extra.yaml"
    fixture.write_text("afosto:\n  accounts: [{name: extra, token: extra-token}]\n")
    kept = KeptSandboxes(most=2)
    try:
        apps = []
        for config in (ServerConfig(seed=1), ServerConfig(seed=1), ServerConfig(seed=2), ServerConfig(seed=1, fixtures=[fixture])):
            with kept.in_process(config) as sandbox:
                assert sandbox.afosto.post("/cat/channels", json={"name": "Mine"}).status_code == 200
                assert sandbox.requests(api="afosto")[0]["sequence"] == 1
                apps.append(sandbox.app)
        assert apps[0] is apps[1] and apps[2] is not apps[0] and apps[3] is not apps[0]
        assert len(kept._kept) == 2  # the one used longest ago was let go
        before = configuration_key(ServerConfig(fixtures=[fixture]))
        fixture.write_text("afosto:\n  accounts: [{name: other, token: other-token}]\n")
        assert configuration_key(ServerConfig(fixtures=[fixture])) != before
    finally:
        kept.close()


async def test_kept_async_sandboxes_are_fresh_on_each_event_loop():
    kept = KeptSandboxes()
    config = ServerConfig(frozen_time=FROZEN)
    seen_ids = []
    try:
        for _ in range(2):
            async with kept.in_process_async(config) as sandbox:
                created = await sandbox.afosto.post("/cat/channels", json={"name": "Mine"})
                seen_ids.append(created.json()["id"])
                assert [entry["path"] for entry in await sandbox.requests()] == ["/cat/channels"]
        assert seen_ids[0] == seen_ids[1]
    finally:
        kept.close()


def test_a_reset_restores_instead_of_rebuilding(tmp_path):
    """No contract is read or compiled and no fixture checked again: the reset copies the
    state kept at start-up (the functions a rebuild calls do not show in its profile)."""
    import cProfile
    import pstats

    app = create_app(ServerConfig(fixtures=[start_up_fixture(tmp_path)]))
    profile = cProfile.Profile()
    profile.enable()
    app.sandbox.reset(list(app.sandbox.apis))
    profile.disable()
    called = {name for _, _, name in pstats.Stats(profile).stats}  # type: ignore[attr-defined]
    assert not called & {"compile_contract", "load_contract", "check_fixture", "apply_fixture", "read_fixture"}
